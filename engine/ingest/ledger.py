"""What `profiles build` did with every row it read: used, empty, set aside (by reason), used as the national
comparator, or reported as a problem. Each row of a table meets exactly one of these fates, so the counts add
up to the rows read; cells that were suppressed in the extract are counted as gaps (never zeros).

:class:`RowFates` hands out the fates in the order a table's checks run; :func:`summary_lines` words them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

EXAMPLES = 6  # distinct values shown for each reason a row was set aside


@dataclass
class TableAccount:
    """One table as read: where every row went, and the gaps and name matches found on the way."""

    role: str  # councils, settings, indicators, neighbours
    file: str
    source: str | None = None  # who publishes the extract (Ofsted, the DfE), from the column config
    rows: int = 0  # data rows below the header
    used: int = 0
    empty: int = 0
    national: int = 0  # rows of England, used as the national comparator
    reported: int = 0  # rows left out with a located problem
    set_aside: Counter[str] = field(default_factory=Counter)  # reason -> rows
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> distinct values of those rows
    aliases: Counter[str] = field(default_factory=Counter)  # "spelling -> code" -> rows matched through the alias list
    suppressed: Counter[str] = field(default_factory=Counter)  # column -> cells holding a suppression marker
    gaps: Counter[str] = field(default_factory=Counter)  # indicator -> councils left without a value, and why
    notes: list[str] = field(default_factory=list)

    @property
    def accounted(self) -> int:
        return self.used + self.empty + self.national + self.reported + sum(self.set_aside.values())


class RowFates:
    """Gives each row of a frame one fate, in the order called; rows not yet given one are ``open``."""

    def __init__(self, frame: pd.DataFrame, account: TableAccount):
        self.account = account
        self.open = pd.Series(True, index=frame.index)
        account.rows = len(frame)

    def take(self, mask: pd.Series) -> pd.Series:
        """The open rows of ``mask``, which are no longer open."""
        taken = mask & self.open
        self.open &= ~taken
        return taken

    def empty(self, mask: pd.Series) -> None:
        self.account.empty += int(self.take(mask).sum())

    def national(self, mask: pd.Series) -> pd.Series:
        taken = self.take(mask)
        self.account.national += int(taken.sum())
        return taken

    def set_aside(self, mask: pd.Series, reason: str, values: pd.Series | None = None) -> pd.Series:
        taken = self.take(mask)
        count = int(taken.sum())
        if count:
            self.account.set_aside[reason] += count
            if values is not None:
                seen = self.account.examples.setdefault(reason, [])
                for value in sorted(map(str, values[taken].drop_duplicates())):
                    if len(seen) > EXAMPLES:  # one more than is shown, to know there are more
                        break
                    if value not in seen:
                        seen.append(value)
        return taken

    def report(self, mask: pd.Series) -> pd.Series:
        taken = self.take(mask)
        self.account.reported += int(taken.sum())
        return taken

    def use(self) -> pd.Series:
        """Every row still open is used."""
        used = self.open.copy()
        self.account.used += int(used.sum())
        self.open &= False
        return used


def summary_lines(accounts: list[TableAccount]) -> list[str]:
    """Per table: rows read and where each went; rows set aside by reason; gaps; names matched by alias."""
    lines: list[str] = []
    for account in accounts:
        cited = f" ({account.source})" if account.source else ""
        lines.append(f"{account.role}: {account.file}{cited}")
        fates = [f"{account.used} used"]
        for count, words in ((account.national, "England (the national comparator)"), (account.empty, "empty"),
                             (sum(account.set_aside.values()), "set aside"), (account.reported, "reported above and left out")):
            if count:
                fates.append(f"{count} {words}")
        lines.append(f"  {account.rows} row(s): {', '.join(fates)}")
        for reason, count in sorted(account.set_aside.items(), key=lambda item: (-item[1], item[0])):
            shown = account.examples.get(reason, [])
            more = ", ..." if len(shown) > EXAMPLES else ""
            lines.append(f"    set aside {count}: {reason}" + (f" ({', '.join(shown[:EXAMPLES])}{more})" if shown else ""))
        if account.aliases:
            lines.append("  council names matched through the alias list: "
                         + ", ".join(f"{spelling} ({count})" for spelling, count in sorted(account.aliases.items())))
        if account.suppressed and account.suppressed == account.gaps:
            lines.append("  councils without a value, the extract's value suppressed (a gap, never a zero): " + _counted(account.gaps))
        else:
            if account.suppressed:
                lines.append("  suppressed cells (a gap, never a zero): " + _counted(account.suppressed))
            if account.gaps:
                lines.append("  councils without a value (gaps): " + _counted(account.gaps))
        lines += [f"  {note}" for note in account.notes]
    return lines


def _counted(counts: Counter[str]) -> str:
    return ", ".join(f"{what} {count}" for what, count in sorted(counts.items()))
