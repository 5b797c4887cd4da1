"""Checks of a ruleset's judgement policy: it must not contradict itself, and it names real measures."""
from __future__ import annotations

from ..errors import Problem
from ..model.loaded import LoadedRuleset
from ..model.measures import measure_catalogue


def policy_problems(loaded: LoadedRuleset) -> list[Problem]:
    policy, doc = loaded.ruleset.judgement, loaded.source
    if policy is None:
        return []
    problems = []
    if policy.max_change == 0 and policy.warranted is not None:
        problems.append(doc.problem("policy-contradiction",
                                    "the policy says where judgement is warranted but allows it to move the band 0 grades; "
                                    "remove 'warranted' or allow a change", ("judgement", "max_change")))
    if policy.warranted is not None:
        measures = measure_catalogue(loaded.catalogue)
        for i, gap in enumerate(policy.warranted.data_gaps):
            where = ("judgement", "warranted", "data_gaps", i, "measure")
            if gap.measure not in measures:
                problems.append(doc.problem("unknown-measure", f"unknown measure '{gap.measure}'", where))
            elif measures[gap.measure].kind != "proportion":
                problems.append(doc.problem("ruleset-invalid", f"'{gap.measure}' is a {measures[gap.measure].kind}, not a share of gaps", where))
    return problems
