"""Indicator progress: percent of target, 序时进度 (where the value should be by a date) and a status.

Pure: the result depends only on the indicator, the value and its as-of date. What "where it should be" means
depends on the period kind:
- per_year / yearly_average: a yearly count; by a date it should have reached the elapsed share of the year;
- level: a stock moving linearly from the baseline (end of the baseline year) to the target at the due date;
  without a baseline there is no honest straight line, so no 序时进度 is given;
- share / growth_rate: a rate, judged against the target itself at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from store.views import IndicatorView

Status = Literal["met", "on_track", "behind", "at_risk", "not_met", "no_data"]
BEHIND_FROM = Decimal("0.9")  # at least 90 % of the expected pace is "behind"; below it is "at risk"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Progress:
    value: Decimal | None
    percent_of_target: Decimal | None  # value / target, in %, one decimal
    expected: Decimal | None  # 序时进度: the value the pace implies by the as-of date
    status: Status


def assess(indicator: IndicatorView, value: Decimal | None, as_of: date) -> Progress:
    """Judge one reported value (or its absence) of an indicator as of a date."""
    if value is None:
        return Progress(None, None, expected_by(indicator, as_of), "no_data")
    percent = _percent(value, indicator.target)
    expected = expected_by(indicator, as_of)
    return Progress(value, percent, expected, _status(indicator, value, expected, as_of))


def expected_by(indicator: IndicatorView, as_of: date) -> Decimal | None:
    """序时进度 for the period kind, or None where the plan gives no basis for one."""
    kind = indicator.period_kind
    if kind in ("per_year", "yearly_average"):
        return _round(indicator.target * _year_elapsed(as_of))
    if kind == "level":
        if indicator.baseline is None or indicator.baseline_year is None or indicator.due is None:
            return None
        start = date(indicator.baseline_year, 12, 31)
        share = _fraction(as_of, start, indicator.due)
        return _round(indicator.baseline + (indicator.target - indicator.baseline) * share)
    return indicator.target


def meets(value: Decimal, comparator: str, target: Decimal) -> bool:
    return {
        ">": value > target,
        ">=": value >= target,
        "<=": value <= target,
        "<": value < target,
        "=": value == target,
    }[comparator]


def _status(indicator: IndicatorView, value: Decimal, expected: Decimal | None, as_of: date) -> Status:
    if meets(value, indicator.comparator, indicator.target):
        return "met"
    if indicator.comparator in ("<=", "<", "="):
        return "at_risk"  # a ceiling or exact figure that is missed has no "pace" to be on
    if indicator.due is not None and as_of > indicator.due:
        return "at_risk"
    if expected is None:
        return "not_met"  # no pace to compare with: say only that the target is not reached yet
    return _pace_status(value, expected, indicator.baseline if indicator.period_kind == "level" else None)


def _pace_status(value: Decimal, expected: Decimal, start: Decimal | None) -> Status:
    """Compare the progress made with the progress the pace asks for (from the baseline for levels)."""
    origin = start or Decimal(0)
    needed = expected - origin
    if needed <= 0 or value - origin >= needed:
        return "on_track"
    return "behind" if (value - origin) / needed >= BEHIND_FROM else "at_risk"


def _year_elapsed(day: date) -> Decimal:
    start, end = date(day.year, 1, 1), date(day.year, 12, 31)
    return Decimal((day - start).days + 1) / Decimal((end - start).days + 1)


def _fraction(day: date, start: date, end: date) -> Decimal:
    if day <= start:
        return Decimal(0)
    if day >= end:
        return Decimal(1)
    return Decimal((day - start).days) / Decimal((end - start).days)


def _percent(value: Decimal, target: Decimal) -> Decimal | None:
    return None if target == 0 else (value / target * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)
