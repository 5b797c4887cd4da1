"""The documentation's reference pages, generated from the code and the data so they are never written twice: the
closed list of error codes, the JSON Schemas, and one page per ruleset (each rule, row, limit and withhold rule in
words, every threshold with the interval its rule cases allow, and the cases that pin each). The docs build
(docs/hooks.py) writes them as it builds; nothing generated is kept in the repository. It sits above every
stage it reads (its own layer, below only the command line).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .authoring.cases import load_case
from .authoring.rule_tests import format_fidelity, run_rule_tests
from .authoring.schemas import MODELS, schema
from .errors import CODES
from .inference.compiled import resolve
from .load.ruleset import load_ruleset
from .model.ruleset import Condition, Limit, Rule, Ruleset, Withhold
from .model.wording import condition_text
from .sensitivity.published import Placement, placements
from .sensitivity.sensitivity import Interval, Sensitivity, collect_cases, interval_text, number, sensitivity


def cell(text: object) -> str:
    """Text for one cell of a Markdown table: on one line, and a `|` shown, not read as the next cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def error_codes_markdown() -> str:
    """Every error code in the order of the code's own list, with its meaning."""
    return table(["code", "meaning"], ([f"`{code}`", meaning] for code, meaning in CODES.items()))


def schemas_markdown() -> str:
    """Each published JSON Schema: its top-level fields, then the whole schema."""
    out = []
    for name, (_, what) in MODELS.items():
        generated = schema(name)
        required = set(generated.get("required", []))
        out += [f"## {name}", "", f"{what}. `engine schema {name}` prints it; the published copy is "
                f"`schemas/{name}.schema.json`.", ""]
        rows = []
        for field, spec in generated.get("properties", {}).items():
            rows.append([f"`{field}`", "yes" if field in required else "", _type(spec), spec.get("description", "")])
        out += [table(["field", "required", "type", "description"], rows), f"??? note \"The whole {name} schema\"", "",
                "    ```json"]
        out += ["    " + line for line in json.dumps(generated, indent=2, ensure_ascii=False).splitlines()]
        out += ["    ```", ""]
    return "\n".join(out)


def _type(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_type(s) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    return str(spec.get("type", "any"))


# The columns beside each threshold: the interval over every case, over the published cases alone, and what bounds the first
HELD = ("interval the cases allow", "interval the published cases allow", "bounded by")


class RulesetPage:
    """One ruleset as a reader looks it up: what each part says, and what holds each threshold where it is."""

    def __init__(self, path: Path, result: Sensitivity | None = None) -> None:
        """``result``: the ruleset's intervals over its cases, when already computed (else computed here)."""
        self.path = path
        self.loaded = load_ruleset(path)
        self.ruleset: Ruleset = self.loaded.ruleset
        folder = path.parent / "cases" / self.ruleset.id
        self.has_cases = folder.is_dir()
        # Each threshold's interval over the published cases alone, as `engine rules calibrate` finds it (its ends
        # are confirmed by that command and its tests, not again for every build of the documentation).
        self.placed: dict[str, Placement] = {}
        if self.has_cases:
            found = collect_cases(self.loaded, [str(folder)])  # evaluated once, for both kinds of interval
            if result is None:
                result = sensitivity(path, [str(folder)], found=found)
            placed = placements(self.loaded, [str(folder)], confirm=False, found=found)
            self.placed = {p.threshold.path: p for p in placed.placements}
        self.result = result
        run = run_rule_tests([str(folder)], path) if self.has_cases else None
        # `engine rules test`'s own lines: published outcomes reproduced, N of M, and each miss with what decided it
        self.fidelity: list[str] = [line for line in format_fidelity(run.fidelity) if line] if run is not None else []
        self.fired: dict[str, list[str]] = {}  # rule, limit or withhold id -> the ids of the cases it fired in
        self.decided: dict[str, list[str]] = {}  # grading rule id -> the cases in which it set its stage's grade
        self.chosen: dict[str, list[str]] = {}  # row id -> cases the table chose it in
        self.cases: list[tuple[str, str, str, bool]] = []  # id, description, expected, published
        if run is not None:
            for case in run.results:
                ident = _case_id(Path(case.path), folder)
                for item in case.fired:
                    self.fired.setdefault(item, []).append(ident)
                for stage in self.ruleset.grading_stages:  # the hit policy's choice among the stage's fired rules
                    chosen = self.ruleset.stages[stage].choose([r for r in self.ruleset.rules if r.stage == stage and r.id in case.fired])
                    if chosen is not None:
                        self.decided.setdefault(chosen.id, []).append(ident)
                if case.chosen_row:
                    self.chosen.setdefault(case.chosen_row, []).append(ident)
                self.cases.append((ident, case.description, _expected(Path(case.path)), case.published))
        self.published = {ident for ident, _, _, published in self.cases if published}

    def interval(self, path: str) -> Interval | None:
        if self.result is None:
            return None
        return next((i for i in self.result.intervals if i.threshold.path == path), None)

    def markdown(self) -> str:
        r = self.ruleset
        out = [f"# {r.id} {r.version}: {r.title}", "",
               f"*Generated from `rules/{self.path.name}` and its cases in `rules/cases/{r.id}/` when the documentation is "
               "built; edit those, not this page.*", ""]
        if r.provenance:
            out += [" ".join(r.provenance.split()), ""]
        out += [f"- assessment year {r.year}" + (" (a transitional year)" if r.transitional else ""),
                f"- vocabulary: catalogue `{r.catalogue}` (`indicators/{r.catalogue}.yaml`)",
                f"- {len(self.cases)} rule case(s), {len(self.published)} of them from a published outcome "
                "(a case that says `published: true`, as `engine rules test` counts them)", ""]
        if self.fidelity:
            out += ["`engine rules test` over these cases:", "", "```text", *self.fidelity, "```", ""]
        out += ["Every number below is this project's reconstruction unless a case from a published outcome bounds it. "
                "Beside each threshold is the interval `engine rules sensitivity` finds: every value in it keeps every "
                "case's expected outcome, the other thresholds as they are (`[ ]` includes an end, `( )` excludes it), "
                "and the cases that fail just beyond each end; and the interval `engine rules calibrate` finds over the "
                "published cases alone (`outside` where a published case misses at the value as it stands).", ""]
        out += ["## Bands", "", table(["band", "words", "meaning"], ([b, s.words, s.meaning] for b, s in sorted(r.scale.items(), reverse=True)))]
        out += ["## Named proportions", "", "Ofsted's words for proportions, as lower bounds; rules use them as thresholds "
                "and sentences as words.", ""]
        out += [table(["name", "at least", *HELD],
                      ([f"`{name}`", number(value), *self._held(f"proportions.{name}")] for name, value in r.proportions.items()))]
        out += ["## Comparison tolerances", "", table(["tolerance", "value", *HELD],
                ([f"`{name}`", number(value), *self._held(f"comparison.{name}")]
                 for name, value in r.comparison.model_dump().items()))]
        out += ["## Stages", ""]
        for name, stage in r.stages.items():
            policy = ("its grade is the highest grade among its rules that fired" if stage.grades
                      else "every rule that fires adds its sentence; it sets no grade")
            out += [f"### {stage.title} (`{name}`)", "", f"Hit policy `{stage.hit_policy}`: {policy}.", ""]
            for rule in (rule for rule in r.rules if rule.stage == name):
                out += self._item(rule, f"rules.{rule.id}")
        out += self._table_section()
        if r.limits:
            out += ["## Limits, in the order applied", ""]
            for n, limit in enumerate(r.limits, 1):
                out += self._item(limit, f"limits.{limit.id}", prefix=f"{n}. ")
        if r.withhold:
            out += ["## Withholding the rating", "", "When any of these fires, no band is published.", ""]
            for withhold in r.withhold:
                out += self._item(withhold, f"withhold.{withhold.id}")
        out += self._judgement()
        out += self._cases_section()
        return "\n".join(out).rstrip() + "\n"

    def _held(self, path: str) -> list[str]:
        interval = self.interval(path)
        if interval is None:
            return ["(no cases)", "", ""]
        alone = self._published_interval(path)
        ends = []
        for side, end in (("low", interval.low), ("high", interval.high)):
            cases = interval.bounded_by(end)
            if cases:
                ends.append(f"{side}: " + ", ".join(self._case_ref(c) for c in cases))
        if not ends:
            return [f"`{interval_text(interval)}`", alone, "**no case** (unconstrained by any published outcome)"]
        bounding = set(interval.bounded_by(interval.low)) | set(interval.bounded_by(interval.high))
        rests = "" if bounding & self.published else " (this project's cases only: no published outcome bounds it)"
        return [f"`{interval_text(interval)}`", alone, "; ".join(ends) + rests]

    def _published_interval(self, path: str) -> str:
        placed = self.placed.get(path)
        if placed is None:
            return "(no published cases)"
        if placed.published is None:
            return "outside: missed at the value by " + ", ".join(self._case_ref(c) for c in placed.missed_here)
        return f"`{interval_text(placed.published)}`"

    def _case_ref(self, ident: str) -> str:
        return f"[{ident}](#case-{_anchor(ident)})" + (" (published)" if ident in self.published else "")

    def _item(self, item: Rule | Limit | Withhold, path: str, prefix: str = "") -> list[str]:
        what = ""
        if isinstance(item, Rule) and item.grade is not None:
            what = f", grade {item.grade}"
        elif isinstance(item, Limit):
            effect = (f"caps the band at {item.effect.cap}" if item.effect.cap is not None
                      else f"lowers the band by {item.effect.lower_by}")
            what = f", {effect}" + (" (a safeguarding limit: judgement may never lift the band above it)" if item.safeguarding else "")
        out = [f"#### {prefix}{item.title} (`{item.id}`{what})", ""]
        if item.when:
            out += ["Fires when all of these hold:", ""]
            rows = [[f"`{_condition(c, self.ruleset)}`", *self._threshold(c, f"{path}.when.{n}")] for n, c in enumerate(item.when)]
            out += [table(["condition", *HELD], rows)]
        else:
            out += ["No conditions: it always fires, so every profile gets a grade at this stage.", ""]
        out += [f"Because: *{' '.join(item.because.split())}*", ""]
        cases = self.fired.get(item.id, [])
        if isinstance(item, Rule) and item.grade is not None:
            decided = self.decided.get(item.id, [])
            others = [c for c in cases if c not in decided]
            out += [(f"Sets the grade in {len(decided)} case(s): " + ", ".join(self._case_ref(c) for c in decided)) if decided
                    else "**No case gets its grade from it.**", ""]
            if others:
                out += [f"Also fires, a higher grade deciding, in {len(others)} more.", ""]
            return out
        out += [(f"Fires in {len(cases)} case(s): " + ", ".join(self._case_ref(c) for c in cases)) if cases
                else "**No case makes it fire.**", ""]
        return out

    def _threshold(self, condition: Condition, path: str) -> list[str]:
        if isinstance(condition.threshold, str) and resolve(condition, self.ruleset).threshold_name:
            return [f"the named proportion `{condition.threshold}`, above", "", ""]
        interval = self.interval(f"{path}.{condition.operator}")
        if interval is None:
            return ["a category, not a threshold", "", ""] if condition.operator in ("equals", "not_equals") else ["(no cases)", "", ""]
        return self._held(f"{path}.{condition.operator}")

    def _table_section(self) -> list[str]:
        t = self.ruleset.decision_table
        stages = self.ruleset.grading_stages
        policy = {"unique": "exactly one row covers each combination of grades",
                  "first": "the first row, in order, that covers the grades is chosen"}[t.hit_policy]
        out = [f"## Decision table: {t.title} (`{t.id}`)", "", f"Hit policy `{t.hit_policy}`: {policy}.", ""]
        rows = [[f"`{row.id}`", *("/".join(map(str, row.grades.get(s, []))) or "any" for s in stages), row.band,
                 ", ".join(self._case_ref(c) for c in self.chosen.get(row.id, [])) or "**none**"] for row in t.rows]
        return out + [table(["row", *stages, "band", "chosen in the cases"], rows)]

    def _judgement(self) -> list[str]:
        policy = self.ruleset.judgement
        if policy is None:
            return ["## Professional judgement", "", "This ruleset allows no judgement: an override is refused.", ""]
        out = ["## Professional judgement", "", f"A named assessor may move the band by at most {policy.max_change} grade(s) "
               "from the band after the limits" + (", naming themselves" if policy.assessor_required else "")
               + (", with a written reason" if policy.reason_required else "")
               + (", and never above a safeguarding limit" if policy.never_above_safeguarding_limit else "") + ".", ""]
        if policy.warranted is not None:
            out += [f"Judgement is flagged as warranted where evidence lies within {number(policy.warranted.near_threshold_margin)} "
                    "of a threshold a grade or limit turned on"
                    + "".join(f"; where {gap.area} has a share of gaps (`{gap.measure}`) above {number(gap.above)}"
                              for gap in policy.warranted.data_gaps) + ".", ""]
        return out

    def _cases_section(self) -> list[str]:
        out = ["## The cases", "", "Run them with `engine rules test rules/cases/" + self.ruleset.id + "`.", ""]
        for ident, description, expected, published in self.cases:
            out += [f"### {ident} {{#case-{_anchor(ident)}}}", "", ("**Published outcome.** " if published else "")
                    + f"{' '.join(description.split())}. Expects {expected}.", ""]
        return out


def _condition(condition: Condition, ruleset: Ruleset) -> str:
    return condition_text(resolve(condition, ruleset))


def _case_id(path: Path, folder: Path) -> str:
    try:
        return str(path.resolve().relative_to(folder.resolve()).with_suffix(""))
    except ValueError:
        return path.stem


def _anchor(ident: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in ident.lower())


def _expected(path: Path) -> str:
    expect = load_case(path).expect
    parts = []
    if expect.error_code:
        parts.append(f"the error `{expect.error_code}`")
    if expect.status:
        parts.append(f"status {expect.status}")
    if expect.proposed_band is not None:
        parts.append(f"proposed band {expect.proposed_band}")
    if expect.final_band is not None:
        parts.append(f"final band {expect.final_band}")
    if expect.direction:
        parts.append(f"direction {expect.direction}")
    if expect.fired:
        parts.append("fired " + ", ".join(f"`{i}`" for i in expect.fired))
    if expect.not_fired:
        parts.append("not fired " + ", ".join(f"`{i}`" for i in expect.not_fired))
    return "; ".join(parts) or "nothing in particular"


def ruleset_markdown(path: Path | str) -> str:
    return RulesetPage(Path(path)).markdown()
