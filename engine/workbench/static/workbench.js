// Enhancements only: every page works without this file. Sort a table by a header click (in place, no
// reload), and "/" focuses the name search.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.sortable")) {
    table.querySelectorAll("thead th").forEach((th, index) => {
      th.addEventListener("click", (event) => {
        event.preventDefault();
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const descending = th.classList.contains("sorted-asc");
        table.querySelectorAll("thead th").forEach((other) => other.classList.remove("sorted-asc", "sorted-desc"));
        th.classList.add(descending ? "sorted-desc" : "sorted-asc");
        const value = (row) => row.cells[index].textContent.trim();
        rows.sort((a, b) => {
          const x = value(a), y = value(b);
          const nx = parseFloat(x), ny = parseFloat(y);
          const order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  }
  document.addEventListener("keydown", (event) => {
    const search = document.querySelector("input[name=q]");
    if (event.key === "/" && search && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });
});
