"""The indicators paragraph: each stage's sentences, each followed by the findings on narrowing gaps and on named
indicators placed after it, an indicator a binding limit already reads left to the limit's sentence.
"""
from __future__ import annotations

from ...model.letter import GapProgress, IndicatorClause, LetterWording
from ...model.profile import VulnerableGap
from ..evidence import IndicatorRow, outcome_blocks
from ..reviewed import Reviewed
from .sentence import Marks, filled, join_words, stage_sentences


def indicators_paragraph(reviewed: Reviewed, wording: LetterWording, said: set[str], marks: Marks) -> list[str]:
    """Each stage's sentences, each followed by the findings on narrowing gaps and on named indicators placed
    after it (Cambridgeshire: "Educational achievement at the age of 11 and 16 is high")."""
    catalogue = reviewed.ruleset.catalogue
    rows = {r.key: r for block in outcome_blocks(reviewed.measures.indicators, catalogue) for r in block.rows}
    fired = set(reviewed.decision.fired_rules)
    # An indicator a binding limit reads is said by the limit's sentence ("and so are results at 16"): not again here.
    binding = {limit.limit_id for limit in reviewed.decision.limits if limit.binding}
    limited = {c.measure.split(".")[1] for limit in reviewed.ruleset.ruleset.limits if limit.id in binding
               for c in limit.when if c.measure.startswith("indicator.")}
    out: list[str] = []
    for stage in wording.paragraphs.indicators:
        out += stage_sentences(reviewed.decision, [stage], said)
        progress = wording.gap_progress
        if progress is not None and progress.follows == stage:
            out += _gap_progress(reviewed, progress, marks)
        for sentence in wording.indicator_sentences:
            if sentence.follows != stage:
                continue
            clauses = [c for c in sentence.clauses if _indicators_hold(c, rows) and not set(c.indicators) <= limited]
            if clauses:
                texts = [next((text for rule, text in c.after_rule.items() if rule in fired), c.text) for c in clauses]
                out.append(marks.mark(filled(join_words(texts)) + ".",
                                      *(f"indicators.{k}" for c in clauses for k in c.indicators)))
    return out


def _indicators_hold(clause: IndicatorClause, rows: dict[str, IndicatorRow]) -> bool:
    known = [rows[k] for k in clause.indicators if k in rows and not rows[k].gap]
    other = "worse" if clause.compared == "better" else "better"
    # Every indicator the clause names, where known, as it says ("achievement at the ages of 11 and 16 is high" is
    # not said of results at 16 alone), and none the other way against either comparator.
    return (bool(known) and not any(other in (r.vs_national, r.vs_similar_areas) for r in known)
            and all(r.vs_national == clause.compared for r in known))


def _gap_progress(reviewed: Reviewed, progress: GapProgress, marks: Marks) -> list[str]:
    """The groups whose gaps are narrowing, with their stages: the first as progress in narrowing the gap, the
    others as attainment improving (good and improving where each gap is smaller than nationally)."""
    catalogue = reviewed.ruleset.catalogue
    narrowing: dict[str, list[VulnerableGap]] = {}
    for gap in reviewed.loaded.profile.vulnerable_gaps:
        if gap.trend == "narrowing":
            narrowing.setdefault(gap.group, []).append(gap)
    clauses: list[str] = []
    for group, gaps in narrowing.items():
        stages = join_words([catalogue.vulnerable_stages.get(g.stage, g.stage) for g in gaps])
        stages = progress.both.format(stages=stages) if len(gaps) == 2 else stages
        name = catalogue.vulnerable_groups.get(group, group)
        good = progress.good if all(g.gap < g.national_gap for g in gaps) else ""
        clauses.append((progress.first if not clauses else progress.more).format(group=name, stages=stages, good=good))
    if not clauses:
        return []
    text = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + ", and " + clauses[-1]
    return [marks.mark(filled(text) + ".", "vulnerable_gaps")]
