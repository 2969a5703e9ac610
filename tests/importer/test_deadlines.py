"""Deadlines as plans write them, read into a kind and a date, the words always kept."""

from __future__ import annotations

from datetime import date

import pytest

from seeds.importer.deadlines import parse_deadline_text, parse_period

CASES = [
    # text, plan year, kind, date, rule
    ("2025年6月30日", None, "date", date(2025, 6, 30), None),
    ("2025-06-30", None, "date", date(2025, 6, 30), None),
    ("6月30日前", 2025, "date", date(2025, 6, 30), None),
    ("2025.8", None, "month", date(2025, 8, 31), None),
    ("２０２６．１", None, "month", date(2026, 1, 31), None),
    ("2025年8月", None, "month", date(2025, 8, 31), None),
    ("2025年8月底", None, "month", date(2025, 8, 31), None),
    ("8月底前", 2025, "month", date(2025, 8, 31), None),
    ("2024年2月底前完成", None, "month", date(2024, 2, 29), None),
    ("十二月底前", 2025, "month", date(2025, 12, 31), None),
    ("2024年3~7月", None, "month", date(2024, 7, 31), None),
    ("2024年8月~2026年1月", None, "month", date(2026, 1, 31), None),
    ("2025年底前", None, "year", date(2025, 12, 31), None),
    ("年底前", 2025, "year", date(2025, 12, 31), None),
    ("年内", 2025, "year", date(2025, 12, 31), None),
    ("全年", 2025, "year", date(2025, 12, 31), None),
    ("2025年", None, "year", date(2025, 12, 31), None),
    ("上半年", 2025, "half", date(2025, 6, 30), None),
    ("2025年下半年", None, "half", date(2025, 12, 31), None),
    ("一季度", 2025, "quarter", date(2025, 3, 31), None),
    ("三季度", 2025, "quarter", date(2025, 9, 30), None),
    ("第三季度末", 2025, "quarter", date(2025, 9, 30), None),
    ("长期推进", None, "ongoing", None, None),
    ("持续推进", None, "ongoing", None, None),
    ("长期坚持", None, "ongoing", None, None),
    ("常态化", None, "ongoing", None, None),
    ("长期", None, "ongoing", None, None),
    ("每季度", None, "recurring", None, "quarterly"),
    ("每月", None, "recurring", None, "monthly"),
    ("每年", None, "recurring", None, "yearly"),
    ("每半年", None, "recurring", None, "half-yearly"),
    ("2025年6月起", None, "start", date(2025, 6, 1), None),
    ("自2025年6月15日起", None, "start", date(2025, 6, 15), None),
    ("", 2025, "none", None, None),
    ("视情况而定", 2025, "none", None, None),
    ("8月底前", None, "none", None, None),  # no year anywhere: unreadable, the caller says so
    ("2025年13月", None, "none", None, None),
]


@pytest.mark.parametrize(("text", "plan_year", "kind", "day", "rule"), CASES)
def test_deadline_kinds(
    text: str, plan_year: int | None, kind: str, day: date | None, rule: str | None
) -> None:
    deadline = parse_deadline_text(text, plan_year=plan_year)
    assert (deadline.kind, deadline.date, deadline.rule) == (kind, day, rule)
    assert deadline.text == text.strip()


def test_original_text_is_kept_beside_the_date() -> None:
    assert parse_deadline_text(" 2025年8月底前 ", plan_year=None).text == "2025年8月底前"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2024年3~7月", (date(2024, 3, 1), date(2024, 7, 31))),
        ("2024年8月~2026年1月", (date(2024, 8, 1), date(2026, 1, 31))),
        ("2026年2月", (date(2026, 2, 1), date(2026, 2, 28))),
        ("下一阶段", None),
    ],
)
def test_schedule_periods(text: str, span: tuple[date, date] | None) -> None:
    assert parse_period(text, plan_year=None) == span
