"""An end's value just beyond (or just inside) a breakpoint is clear of it by more than the comparisons' rounding
allowance, so the engine reads it on the side the sensitivity says (found with a 2010 case whose nursery schools,
7 of 8 good against a national 88%, sit 0.0050000000000000044 below England: 0.005 read as the breakpoint)."""
from __future__ import annotations

from engine.sensitivity.steps import CLEAR, extent


def test_the_value_beyond_a_breakpoint_that_has_a_short_decimal_next_to_it_is_clear_of_it():
    breakpoint_ = abs(7 / 8 - 0.88)  # 0.0050000000000000044: a shortest decimal, 0.005, lies 4e-18 inside it
    end = extent(0.03, ["case"], lambda item: [breakpoint_], lambda item, x: x >= breakpoint_ - 1e-12, -1,
                 right_continuous=lambda item: True)
    assert end.value == breakpoint_ and end.outside is not None
    assert breakpoint_ - end.outside > CLEAR / 2 > 1e-12  # beyond it by more than the rounding allowance
    assert end.outside > breakpoint_ - 1e-6  # and still just beyond it


def test_the_value_inside_a_failing_breakpoint_is_clear_of_it():
    end = extent(0.0, ["case"], lambda item: [0.5], lambda item, x: x < 0.5, 1)
    assert end.value == 0.5 and not end.included
    assert 0.5 - end.inside > CLEAR / 2 and end.inside > 0.5 - 1e-6
