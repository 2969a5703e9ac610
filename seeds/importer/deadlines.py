"""A deadline as a plan writes it (2025.8, 8月底前, 三季度, 长期推进, 每季度, 2025年6月起): a date and a kind.

Pure: text in, a Deadline out. The original words are always kept beside the date derived from them, because
"年底前" and "2025-12-31" are not the same promise to the person reading a reminder. A month, quarter, half or
year means its last day; a start (…起) means its first day; ongoing and recurring work has no date at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

DeadlineKind = Literal["date", "month", "year", "half", "quarter", "ongoing", "recurring", "start", "none"]
RecurrenceRule = Literal["monthly", "quarterly", "half-yearly", "yearly"]


@dataclass(frozen=True)
class Deadline:
    text: str  # as written, stripped; "" when the document gives none
    kind: DeadlineKind
    date: dt.date | None
    rule: RecurrenceRule | None = None  # only for kind "recurring"


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR = r"(?:(\d{4})\s*年?)"
_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_ONGOING = re.compile(r"长期推进|持续推进|长期坚持|常态化|长期|持续开展|持续")
_RECURRING: tuple[tuple[str, RecurrenceRule], ...] = (
    ("每半年", "half-yearly"),
    ("每季度", "quarterly"),
    ("每季", "quarterly"),
    ("每个月", "monthly"),
    ("每月", "monthly"),
    ("每年", "yearly"),
)
_FULL_DATE = re.compile(r"^(?:(\d{4})\s*[年.\-/]\s*)?" + _MONTH + r"\s*[月.\-/]\s*(\d{1,2})\s*[日号]?")
_START = re.compile(r"^(?:自|从)?" + _YEAR + r"?\s*" + _MONTH + r"\s*月(?:\s*(\d{1,2})\s*日)?\s*(?:起|开始)")
_MONTH_RANGE = re.compile(
    r"^" + _YEAR + r"?\s*" + _MONTH + r"\s*月?\s*[~～\-—至到]+\s*" + _YEAR + r"?\s*" + _MONTH + r"\s*月"
)
_YEAR_MONTH = re.compile(
    r"^" + _YEAR + r"?\s*[.．]?\s*" + _MONTH + r"\s*(?:月|$)(?:份)?\s*(?:底|末|中旬|下旬)?"
)
_DOTTED = re.compile(r"^(\d{4})\s*[.．/]\s*(\d{1,2})$")
_QUARTER = re.compile(r"^" + _YEAR + r"?\s*第?\s*([一二三四1-4])\s*季度")
_HALF = re.compile(r"^" + _YEAR + r"?\s*([上下])半年")
_YEAR_END = re.compile(r"^" + _YEAR + r"?\s*(?:年底|年末|年内|全年|底|末|$)")


def parse_deadline_text(text: str, *, plan_year: int | None) -> Deadline:
    """Read one deadline cell; an unreadable one is kind "none" with its text kept (the caller reports it)."""
    original = text.strip()
    clean = _normalise(original)
    if not clean:
        return Deadline(original, "none", None)
    for reader in _READERS:
        found = reader(clean, plan_year)
        if found is not None:
            kind, day, rule = found
            return Deadline(original, kind, day, rule)
    return Deadline(original, "none", None)


def parse_period(text: str, *, plan_year: int | None) -> tuple[dt.date, dt.date] | None:
    """A schedule's period (2024年3~7月, 2024年8月~2026年1月, 2026年2月) as its first and last day."""
    clean = _normalise(text)
    span = _MONTH_RANGE.match(clean)
    if span:
        first_year = _year(span.group(1), plan_year)
        last_year = _year(span.group(3), first_year)
        if first_year is None or last_year is None:
            return None
        return _month_start(first_year, _month(span.group(2))), _month_end(last_year, _month(span.group(4)))
    single = _YEAR_MONTH.match(clean)
    year = _year(single.group(1), plan_year) if single else None
    if single is None or year is None:
        return None
    month = _month(single.group(2))
    return _month_start(year, month), _month_end(year, month)


Found = tuple[DeadlineKind, dt.date | None, RecurrenceRule | None] | None


def _normalise(text: str) -> str:
    """Full-width digits to ASCII, no spaces, and the 前/以前/之前 that every deadline implies dropped."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(folded.split())
    return re.sub(r"(?:以前|之前|前|止|为止|完成)+$", "", folded)


def _read_recurring(text: str, _plan_year: int | None) -> Found:
    for word, rule in _RECURRING:
        if text.startswith(word):
            return "recurring", None, rule
    return None


def _read_ongoing(text: str, _plan_year: int | None) -> Found:
    if _ONGOING.match(text) and not re.search(r"\d", text):
        return "ongoing", None, None
    return None


def _read_start(text: str, plan_year: int | None) -> Found:
    found = _START.match(text)
    year = _year(found.group(1), plan_year) if found else None
    if found is None or year is None:
        return None
    day = int(found.group(3)) if found.group(3) else 1
    return "start", _safe_date(year, _month(found.group(2)), day), None


def _read_full_date(text: str, plan_year: int | None) -> Found:
    found = _FULL_DATE.match(text)
    year = _year(found.group(1), plan_year) if found else None
    if found is None or year is None or _DOTTED.match(text):
        return None
    day = _safe_date(year, _month(found.group(2)), int(found.group(3)))
    return ("date", day, None) if day else None


def _read_range(text: str, plan_year: int | None) -> Found:
    period = parse_period(text, plan_year=plan_year) if _MONTH_RANGE.match(text) else None
    return ("month", period[1], None) if period else None


def _read_month(text: str, plan_year: int | None) -> Found:
    found = _YEAR_MONTH.match(text)
    if found is None or (found.group(1) is None and "月" not in text):
        return None
    year = _year(found.group(1), plan_year)
    month = _month(found.group(2))
    if year is None or not 1 <= month <= 12:
        return None
    return "month", _month_end(year, month), None


def _read_quarter(text: str, plan_year: int | None) -> Found:
    found = _QUARTER.match(text)
    year = _year(found.group(1), plan_year) if found else None
    if found is None or year is None:
        return None
    quarter = _month(found.group(2))
    return "quarter", _month_end(year, quarter * 3), None


def _read_half(text: str, plan_year: int | None) -> Found:
    found = _HALF.match(text)
    year = _year(found.group(1), plan_year) if found else None
    if found is None or year is None:
        return None
    return "half", _month_end(year, 6 if found.group(2) == "上" else 12), None


def _read_year(text: str, plan_year: int | None) -> Found:
    found = _YEAR_END.match(text)
    if found is None or (found.group(1) is None and text in ("", "底", "末")):
        return None
    year = _year(found.group(1), plan_year)
    return ("year", dt.date(year, 12, 31), None) if year else None


# Order matters: "每年" is recurring before it is a year; "2025年6月起" a start before a month;
# "2025年6月30日" a date before a month; "2024年3~7月" a range before its first month.
_READERS: tuple[Callable[[str, int | None], Found], ...] = (
    _read_recurring,
    _read_ongoing,
    _read_start,
    _read_full_date,
    _read_range,
    _read_quarter,
    _read_half,
    _read_month,
    _read_year,
)


def _year(written: str | None, default: int | None) -> int | None:
    return int(written) if written else default


def _month(written: str) -> int:
    if written.isdigit():
        return int(written)
    if written.startswith("十"):
        return 10 + (_CN_DIGITS[written[1]] if len(written) > 1 else 0)
    return _CN_DIGITS[written]


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
