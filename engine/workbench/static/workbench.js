// Enhancements only: every page works without this file (the tables sort on the server, through the header
// links, so the CSV export always follows the view). Keyboard shortcuts on the year's table:
// "/" focuses the name search, "j" and "k" move down and up the councils, Enter opens the one marked.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const rows = Array.from(document.querySelectorAll("#councils tbody tr"));
  let current = -1;
  const mark = (index) => {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("current");
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({block: "nearest"});
  };
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const search = document.querySelector("input[name=q]");
    if (event.key === "/" && search) {
      event.preventDefault();
      search.focus();
    } else if (event.key === "j") {
      mark(current + 1);
    } else if (event.key === "k") {
      mark(current - 1);
    } else if (event.key === "Enter" && current >= 0) {
      const link = rows[current].querySelector("a");
      if (link) window.location.assign(link.getAttribute("href"));
    }
  });
});
