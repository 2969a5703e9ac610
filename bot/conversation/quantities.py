"""A reported quantity in the indicator's own unit, and the date it stands for; pure and exact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Literal

from bot.conversation.windows import resolve_window
from nlu.commands import ReportedValue
from nlu.time_words import Window
from store.types import decimal_problem

_SCALES = {"万": Decimal(10**4), "亿": Decimal(10**8), "千": Decimal(10**3)}
PLAUSIBLE_CHANGE = Decimal("0.5")  # a move of more than half since the last report is worth a second look
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)  # 38.2万 ÷ 10⁴ must never round
_HUNDRED = Decimal(100)

ValueProblem = Literal["too_large", "too_precise", "share_out_of_range"]


@dataclass(frozen=True)
class Converted:
    value: Decimal | None  # None when the measures do not fit together
    assumed_unit: bool  # a bare number, read in the indicator's unit


def measure_parts(unit_of_measure: str) -> tuple[Decimal, str]:
    """ "万件" → (10000, "件"); "件/年" → (1, "件"); "%" → (1, "%")."""
    base = unit_of_measure.split("/")[0].strip()
    if base[:1] in _SCALES and len(base) > 1:
        return _SCALES[base[0]], base[1:]
    return Decimal(1), base


def to_indicator_unit(reported: ReportedValue, unit_of_measure: str) -> Converted:
    """382000件 and 38.2万件 are both 38.2 for an indicator counted in 万件; a bare 38.2 is taken as typed."""
    factor, base = measure_parts(unit_of_measure)
    if reported.measure is None and not reported.scaled:
        return Converted(reported.amount, assumed_unit=True)
    if reported.measure is not None and reported.measure != base:
        return Converted(None, assumed_unit=False)
    if reported.measure is None and base == "%":
        return Converted(None, assumed_unit=False)  # "97万" cannot be a rate
    with localcontext(_EXACT):
        return Converted((reported.amount / factor).normalize(), assumed_unit=False)


def value_problem(value: Decimal, unit_of_measure: str, period_kind: str) -> ValueProblem | None:
    """Why a value in the indicator's unit cannot be recorded as shown: a share (a rate of a whole) over
    100 %, or more digits than the databases keep exactly; None when it can. A growth rate may pass 100 %."""
    if period_kind == "share" and measure_parts(unit_of_measure)[1] == "%" and value > _HUNDRED:
        return "share_out_of_range"
    return decimal_problem(value)


def as_of_date(window: Window | None, today: date) -> date | None:
    """截至9月底 → the last day of September this year; nothing said → today; None when it cannot be read."""
    if window is None:
        return today
    try:
        return resolve_window(window, today).end
    except ValueError:
        return None


def deadline_date(window: Window, today: date) -> date | None:
    """延期到2025年10月底 → 2025-10-31; None when the words do not name a day or month."""
    if window.kind not in ("by_date", "in_month"):
        return None
    try:
        return resolve_window(window, today).end
    except ValueError:
        return None


def change_ratio(value: Decimal, previous: Decimal) -> Decimal | None:
    """Relative change from the previous value; None when there is nothing to compare with."""
    if previous == 0:
        return None
    return (value - previous) / abs(previous)
