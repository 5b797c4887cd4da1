"""``engine rules diff OLD NEW PROFILES...``: what a change of ruleset does to every council given.

Each council is evaluated twice through the whole engine, once with each ruleset file (the same profile, so
a diff of two versions of one year's ruleset and a diff across years, 2009's rules against 2010's on the
same profiles, are the same operation). For each council: the bands before and after, whether it was
rated or withheld each time, and the rules, decision-table rows, limits and withhold rules whose firing
changed, each with the condition that failed where it did not fire. The summary counts movements of the final band.

A council whose profile cannot be evaluated with one of the rulesets (it does not validate against that
ruleset's catalogue, say) is reported with its located problems and left out of the counts.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..batch.run import Failure, OverCouncils, collect, evaluate_source
from ..errors import EngineError
from ..load.ruleset import load_ruleset
from ..load.translation import carried_lines
from ..model.loaded import LoadedRuleset
from ..model.ruleset import Ruleset
from ..model.trace import Decision
from ..model.translation import Carried
from ..model.values import BEST_FIRST
from ..model.wording import band_or_status, failing_text
from .files import write_whole
from .outcomes import Outcome, final_band, proposed_band, status

Movement = Literal["up", "down", "unchanged", "newly withheld", "no longer withheld", "still withheld"]
MOVEMENTS: tuple[Movement, ...] = ("up", "down", "unchanged", "newly withheld", "no longer withheld", "still withheld")
CSV_COLUMNS = ["authority", "authority_code", "year", "source", "status_before", "status_after", "proposed_band_before",
               "proposed_band_after", "final_band_before", "final_band_after", "movement", "changed_rules", "decisive_before",
               "decisive_after"]


@dataclass(frozen=True)
class RuleChange:
    """A rule, decision-table row, limit or withhold rule that fired with one ruleset and not with the other."""

    id: str
    part: str  # "rules" | "decision table" | "limits" | "withhold"
    fired_before: bool | None  # None: the old ruleset has no such rule, row or limit
    fired_after: bool | None  # None: the new ruleset has none
    why: str  # where it did not fire, the condition that failed (or the grades, for a row)

    def text(self) -> str:
        def said(fired: bool | None) -> str:
            return "absent" if fired is None else "fired" if fired else "did not fire"

        return f"{self.id}: {said(self.fired_before)} -> {said(self.fired_after)}" + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class CouncilDiff:
    authority: str
    authority_code: str | None
    year: int
    source: str
    status_before: str
    status_after: str
    proposed_band_before: int | None
    proposed_band_after: int | None
    final_band_before: int | None
    final_band_after: int | None
    changed_rules: list[RuleChange]
    decisive_before: list[str]  # the rule that set each grade, the decision-table row, the binding limits
    decisive_after: list[str]
    band_words: dict[int, str] = field(repr=False)

    @property
    def movement(self) -> Movement:
        before, after = self.final_band_before, self.final_band_after
        if before is None or after is None:
            return ("still withheld" if before is None and after is None else
                    "newly withheld" if after is None else "no longer withheld")
        return "up" if after > before else "down" if after < before else "unchanged"

    @property
    def band_changed(self) -> bool:
        return (self.proposed_band_before, self.final_band_before, self.status_before) != (
            self.proposed_band_after, self.final_band_after, self.status_after)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "band_words"}
        out["movement"] = self.movement
        return out


@dataclass
class RulesDiff(OverCouncils):
    old: LoadedRuleset
    new: LoadedRuleset
    councils: list[CouncilDiff]
    failures: list[Failure] = field(default_factory=list)
    carried_old: list[Carried] = field(default_factory=list)  # profiles translated into the old ruleset's words
    carried_new: list[Carried] = field(default_factory=list)

    def translated(self) -> list[str]:
        """What translations did on the way, for each ruleset that read the profiles through one (never silent)."""
        return [f"{side}: {line}" if not line.startswith("  ") else line
                for side, carried in (("old", self.carried_old), ("new", self.carried_new)) for line in carried_lines(carried)]

    def summary(self) -> dict[str, int]:
        moved = Counter(c.movement for c in self.councils)
        return {"councils": len(self.councils), **{m.replace(" ", "_"): moved.get(m, 0) for m in MOVEMENTS},
                "proposed_band_changed": sum(c.proposed_band_before != c.proposed_band_after for c in self.councils),
                "band_changed": sum(c.band_changed for c in self.councils), "not_evaluated": len(self.failures)}

    def distribution(self, after: bool) -> dict[str, int]:
        bands = Counter(c.final_band_after if after else c.final_band_before for c in self.councils)
        return {**{str(b): bands.get(b, 0) for b in BEST_FIRST}, "withheld": bands.get(None, 0)}

    def text(self, output_format: str = "text") -> str:
        """The diff as ``text``, ``json`` or ``csv`` (:data:`FORMATS`)."""
        return FORMATS[output_format](self)

    def write(self, path: Path | str) -> None:
        write_diff(self, path)


def rules_diff(old: Path | str, new: Path | str, inputs: Iterable[Path | str]) -> RulesDiff:
    """Every council in ``inputs`` (folders of profiles, profile files, tables) evaluated with both rulesets."""
    old_loaded, new_loaded = load_ruleset(old), load_ruleset(new)
    sources, failures = collect(inputs)
    councils = []
    carried: tuple[list[Carried], list[Carried]] = ([], [])
    for source in sources:
        try:
            evaluated = evaluate_source(source, old), evaluate_source(source, new)
        except EngineError as exc:
            failures.append(Failure(source.label, exc.problems))
            continue
        for side, evaluation in zip(carried, evaluated, strict=True):
            if evaluation.profile.carried is not None:
                side.append(evaluation.profile.carried)
        before, after = (e.decision for e in evaluated)
        councils.append(council_diff(before, after, old_loaded.ruleset, new_loaded.ruleset, source.label))
    return RulesDiff(old_loaded, new_loaded, councils, failures, *carried)


def council_diff(before: Decision, after: Decision, old: Ruleset, new: Ruleset, source: str) -> CouncilDiff:
    return CouncilDiff(
        authority=before.authority, authority_code=before.authority_code, year=before.year, source=source,
        status_before=status(before), status_after=status(after),
        proposed_band_before=proposed_band(before), proposed_band_after=proposed_band(after),
        final_band_before=final_band(before), final_band_after=final_band(after),
        changed_rules=changed_rules(before, after, old, new), decisive_before=list(Outcome.of(before).decisive),
        decisive_after=list(Outcome.of(after).decisive), band_words={**before.band_words, **after.band_words})


def changed_rules(before: Decision, after: Decision, old: Ruleset, new: Ruleset) -> list[RuleChange]:
    """Rules, rows, limits and withhold rules (in the new ruleset's order, then those only the old one has) whose firing changed."""
    parts = {**_parts(old), **_parts(new)}
    old_ids, new_ids = set(_parts(old)), set(_parts(new))
    fired_before, fired_after = set(before.fired_rules), set(after.fired_rules)
    changes = []
    for ident, part in parts.items():
        was = ident in fired_before if ident in old_ids else None
        now = ident in fired_after if ident in new_ids else None
        if bool(was) == bool(now):
            continue
        # Say why it did not fire on the side where it did not; a row follows from the grades.
        quiet, side, exists = (after, "after", ident in new_ids) if was else (before, "before", ident in old_ids)
        changes.append(RuleChange(ident, part, was, now, _why(ident, part, quiet, side, exists)))
    return changes


def _parts(ruleset: Ruleset) -> dict[str, str]:
    return {**{r.id: "rules" for r in ruleset.rules}, **{r.id: "decision table" for r in ruleset.decision_table.rows},
            **{limit.id: "limits" for limit in ruleset.limits}, **{w.id: "withhold" for w in ruleset.withhold}}


def _why(ident: str, part: str, decision: Decision, side: str, exists: bool) -> str:
    if not exists:
        return f"not in the {'new' if side == 'after' else 'old'} ruleset"
    if part == "decision table":
        grades = " x ".join(f"{stage} {grade}" for stage, grade in decision.grades.items())
        return f"{side}: grades {grades}" if grades else ""
    event = next((e for e in decision.events("rule_not_fired") if e.rule_id == ident), None)
    return f"{side}: {failing_text(event.failing, event.failing.value)}" if event is not None else ""


# --- Formats ----------------------------------------------------------------------------------------


def _ruleset_label(loaded: LoadedRuleset) -> str:
    r = loaded.ruleset
    return f"{loaded.path} ({r.id} {r.version}, sha256 {loaded.content_hash[:12]})"




def format_text(diff: RulesDiff) -> str:
    s = diff.summary()
    lines = [f"old: {_ruleset_label(diff.old)}", f"new: {_ruleset_label(diff.new)}", *diff.translated(),
             f"{s['councils']} council(s) evaluated with both"
             + (f"; {s['not_evaluated']} could not be (see above)" if s["not_evaluated"] else ""),
             "final band: " + ", ".join(f"{s[m.replace(' ', '_')]} {m}" for m in MOVEMENTS[:4])
             + "".join(f", {s[m.replace(' ', '_')]} {m}" for m in MOVEMENTS[4:] if s[m.replace(' ', '_')]),
             f"proposed band changed: {s['proposed_band_changed']}"]
    for label, after in (("bands before", False), ("bands after ", True)):
        dist = diff.distribution(after)
        lines.append(f"{label}: " + " / ".join(f"{dist[b]}" for b in ("4", "3", "2", "1"))
                     + (f" and {dist['withheld']} withheld" if dist["withheld"] else "") + " (bands 4 / 3 / 2 / 1)")
    changed = [c for c in diff.councils if c.band_changed]
    lines += ["", "Councils whose band changes:" if changed else "No council's band changes."]
    for c in changed:
        code = f" ({c.authority_code})" if c.authority_code else ""
        lines.append(f"{c.authority}{code}, {c.year}: {c.movement}: final {band_or_status(c.final_band_before, c.band_words)} -> "
                     f"{band_or_status(c.final_band_after, c.band_words)}; proposed {c.proposed_band_before or 'withheld'} -> "
                     f"{c.proposed_band_after or 'withheld'}")
        lines += [f"    {change.text()}" for change in c.changed_rules]
    quiet = sum(1 for c in diff.councils if c.changed_rules and not c.band_changed)
    if quiet:
        lines.append(f"{quiet} more council(s) with rules whose firing changed and bands that did not (see --format json).")
    return "\n".join(lines) + "\n"


def format_json(diff: RulesDiff) -> str:
    def ref(loaded: LoadedRuleset) -> dict[str, str]:
        return {"path": loaded.path, "id": loaded.ruleset.id, "version": loaded.ruleset.version,
                "content_hash": loaded.content_hash}

    return json.dumps({"old": ref(diff.old), "new": ref(diff.new), "translated": diff.translated(), "summary": diff.summary(),
                       "bands_before": diff.distribution(False), "bands_after": diff.distribution(True),
                       "councils": [c.as_dict() for c in diff.councils],
                       "not_evaluated": [{"source": f.source, "problems": [str(p) for p in f.problems]} for f in diff.failures]},
                      indent=2) + "\n"


def format_csv(diff: RulesDiff) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in diff.councils:
        row = c.as_dict()
        row["changed_rules"] = "; ".join(change.text() for change in c.changed_rules)
        row["decisive_before"], row["decisive_after"] = "; ".join(c.decisive_before), "; ".join(c.decisive_after)
        writer.writerow({k: "" if row[k] is None else row[k] for k in CSV_COLUMNS})
    return buffer.getvalue()


FORMATS = {"text": format_text, "json": format_json, "csv": format_csv}


def write_diff(diff: RulesDiff, path: Path | str) -> None:
    """The diff written to a file in the format its extension names: .json, .csv, or text otherwise."""
    suffix = Path(path).suffix.lower()
    write_whole(Path(path), FORMATS.get(suffix.lstrip("."), format_text)(diff))
