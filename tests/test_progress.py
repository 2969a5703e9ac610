"""Progress assessment per period kind, with hand-computed figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.conversation.progress import assess, expected_by
from seeds.loader import load_catalog
from store.specs import IndicatorSpec
from store.views import IndicatorView


def _view(plan: str, code: str) -> IndicatorView:
    spec: IndicatorSpec = next(i for i in load_catalog().indicators if i.plan == plan and i.code == code)
    return IndicatorView(
        plan=spec.plan, code=spec.code, name=spec.name, region=spec.region, unit_of_measure=spec.unit_of_measure,
        target=spec.target, comparator=spec.comparator, period_kind=spec.period_kind, baseline=spec.baseline,
        baseline_year=spec.baseline_year, baseline_unit=spec.baseline_unit, assigned=spec.units, units=spec.units,
        due=spec.due, note=spec.note, source=spec.source,
    )  # fmt: skip


GULOU_PATENTS = ("gulou-strong-county", "2")  # >3500 件 per year
PILOT_OFFICES = ("fuzhou-protection", "1")  # level, 11 (2023) -> 26 by 2026-01-31
CLOSING_RATE = ("fuzhou-protection", "8")  # share, >=100 %
INVENTION_STOCK = ("gulou-strong-county", "7")  # level, no baseline, >=95 by 2025-06-30


@pytest.mark.parametrize(
    ("indicator", "value", "as_of", "percent", "expected", "status"),
    [
        # 2025-05-31 is day 151 of 365: 3500 * 151/365 = 1447.95; 1600 is ahead of that pace.
        (GULOU_PATENTS, "1600", date(2025, 5, 31), "45.7", "1447.95", "on_track"),
        # 1350 / 1447.95 = 0.932 of the pace: behind but within 10 %.
        (GULOU_PATENTS, "1350", date(2025, 5, 31), "38.6", "1447.95", "behind"),
        (GULOU_PATENTS, "1000", date(2025, 5, 31), "28.6", "1447.95", "at_risk"),
        # The Gulou plan ended 2025-06-30: a value short of the target after that is at risk whatever the pace.
        (GULOU_PATENTS, "3120", date(2025, 9, 30), "89.1", "2617.81", "at_risk"),
        (GULOU_PATENTS, "3501", date(2025, 12, 31), "100.0", "3500.00", "met"),
        # 2023-12-31 -> 2025-06-30 is 547 of 762 days: 11 + 15 * 547/762 = 21.77; 18 made 7 of 10.77 needed.
        (PILOT_OFFICES, "18", date(2025, 6, 30), "69.2", "21.77", "at_risk"),
        (PILOT_OFFICES, "21", date(2025, 6, 30), "80.8", "21.77", "behind"),
        (PILOT_OFFICES, "22", date(2025, 6, 30), "84.6", "21.77", "on_track"),
        (PILOT_OFFICES, "26", date(2025, 6, 30), "100.0", "21.77", "met"),
        (PILOT_OFFICES, "25", date(2026, 3, 1), "96.2", "26.00", "at_risk"),  # past due and short
        (CLOSING_RATE, "97", date(2025, 6, 30), "97.0", "100", "behind"),
        (CLOSING_RATE, "100", date(2025, 6, 30), "100.0", "100", "met"),
        (INVENTION_STOCK, "90", date(2025, 3, 31), "94.7", None, "not_met"),
    ],
)
def test_assess(
    indicator: tuple[str, str], value: str, as_of: date, percent: str, expected: str | None, status: str
) -> None:
    progress = assess(_view(*indicator), Decimal(value), as_of)
    assert progress.percent_of_target == Decimal(percent)
    assert progress.expected == (Decimal(expected) if expected else None)
    assert progress.status == status


def test_no_data_still_gives_the_pace() -> None:
    progress = assess(_view(*GULOU_PATENTS), None, date(2025, 6, 30))
    assert progress.status == "no_data" and progress.value is None
    assert progress.expected == Decimal("1735.62")  # 3500 * 181/365


def test_level_pace_is_clamped_to_the_period() -> None:
    offices = _view(*PILOT_OFFICES)
    assert expected_by(offices, date(2023, 6, 1)) == Decimal("11.00")
    assert expected_by(offices, date(2027, 1, 1)) == Decimal("26.00")
