"""Find time-window words ("下个月", "2025年8月底前", "三季度") in normalised chat text, without a clock."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, timedelta
from decimal import Decimal
from typing import Literal, get_args

from nlu.numerals import parse_number

__all__ = ["Window", "WindowKind", "WindowMatch", "find_window", "window_error"]

WindowKind = Literal[
    "this_week", "next_week", "this_month", "next_month", "this_quarter", "next_quarter",
    "this_year", "next_year", "within_days", "by_date", "in_month", "in_quarter", "in_half", "in_year",
]  # fmt: skip


@dataclass(frozen=True)
class Window:
    """A time window as the user said it; relative kinds and year=None are resolved later against today."""

    kind: WindowKind
    year: int | None = None  # None = "the current year" (resolved later against today)
    month: int | None = None
    day: int | None = None  # by_date with an explicit day ("2025年8月15日前")
    quarter: int | None = None
    days: int | None = None  # within_days
    year_offset: int = 0  # with year=None: 去年 −1, 明年 +1, counted from the year it is asked in
    half: int | None = None  # in_half: 1 上半年, 2 下半年

    def year_from(self, current: int) -> int:
        """The window's year, for a question asked in `current`."""
        return self.year if self.year is not None else current + self.year_offset


@dataclass(frozen=True)
class WindowMatch:
    """A window found in text, with the span of its words so the caller can cut them out."""

    window: Window
    start: int
    end: int


_KINDS: frozenset[str] = frozenset(get_args(WindowKind))
# Years outside this range are far more likely counts or codes ("3500年") than dates anyone asks about.
_PLAUSIBLE_YEARS = range(1900, 2200)
# Ten years is already no deadline window; the cap also keeps resolution far from date.max.
_MAX_DAYS = 3660
# With year=None, 29 February is a real date in some years; resolution clamps it in common years.
_LEAP_YEAR = 2000
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30, "年": 365}
_REQUIRED: dict[str, str] = {
    "within_days": "days", "by_date": "month", "in_month": "month", "in_quarter": "quarter",
    "in_half": "half", "in_year": "year",
}  # fmt: skip
_LIMITS = (("year", MINYEAR, MAXYEAR), ("month", 1, 12), ("quarter", 1, 4), ("half", 1, 2), ("day", 1, 31))

# Pattern pieces. Lookbehinds keep digits that belong to another number ("任务18月" → not 8月, "12025年")
# and relative years ("明年8月", "去年底") from being read as this year's dates.
_CN = "零〇一二两三四五六七八九十百千"
_NUMERAL = f"0-9{_CN}"  # for use inside a character class
# 23年底 is 2023's end: officials write the century only when it matters.
_YEAR_NUM = "(?P<year>[0-9]{4}|[〇零一二三四五六七八九]{4}|(?<![第务号])2[0-9](?=年))"
_RELATIVE_YEARS = {
    "前年": -2, "去年": -1, "上一年": -1, "上年": -1, "明年": 1, "来年": 1, "次年": 1, "下一年": 1,
}  # fmt: skip
_REL_YEAR = f"(?P<rel_year>{'|'.join(_RELATIVE_YEARS)})"
_YEAR = f"(?:{_YEAR_NUM}年|(?P<this_year>今年|本年)|{_REL_YEAR})"
# Chinese months and days only in standard form: "一二月" is January–February, not December.
_MONTH = "(?P<month>[0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(?!度)份?"  # 月度 is "monthly", not a month
_DAY = "(?P<day>[0-9]{1,2}|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]"
# 到 after 收/达/得… is "receive/reach", not "until".
_UNTIL = "截至|截止到|截止至|截止|(?<![收达得遇看做办])到"
_BEFORE = f"之前|以前|前(?![{_NUMERAL}])|为止"  # 前 before a number is "the first N" (前三季度)
_WITHIN = "之内|以内|内"
_WEEK = "(?:周(?![期年边围转岁报刊])|星期|礼拜)"  # 周期, 周年, 周边, 周报 are not weeks
_THIS = "(?:本|这一?个?|当)"
_NEXT = "(?<![以之如上一])下(?:一个|一|个)?"  # 以下, 如下, 一下 are not "next"
_PERIOD_TAIL = f"(?:{_WITHIN}|(?:底|末)(?:{_BEFORE})?)?"
_YEAR_TAIL = f"度?(?:{_WITHIN}|年?(?:底|末)(?:{_BEFORE})?)?"
# A bare 年底/月底 must not follow a numeral or a word that makes it some other period (8月底, 去年底).
_BARE_BLOCK = f"{_NUMERAL}半个本这上下当次每今明去前后来多几近往同全年份"

_MONTH_DATE = re.compile(
    f"(?<![{_NUMERAL}年.第])(?P<pre>{_UNTIL})?{_YEAR}?{_MONTH}(?P<end>底|末)?(?:{_DAY})?(?P<post>{_BEFORE})?"
)
_DOTTED_DATE = re.compile(
    f"(?<![0-9.])(?P<pre>{_UNTIL})?(?P<year>[0-9]{{4}})[./-](?P<month>[0-9]{{1,2}})"
    f"(?:[./-](?P<day>[0-9]{{1,2}}))?(?![0-9.%])(?P<post>{_BEFORE})?"
)
_QUARTER_TAIL = f"(?:{_WITHIN}|(?P<end>末|底)?(?P<post>{_BEFORE})?)"
_QUARTER_CN = re.compile(
    f"(?<![{_NUMERAL}年.])(?P<pre>{_UNTIL})?{_YEAR}?"
    f"(?:第|(?=[1-4一二三四]季度))(?P<quarter>[1-4一二三四])季度?{_QUARTER_TAIL}"
)
_QUARTER_Q = re.compile(
    f"(?<![0-9a-z.])(?P<pre>{_UNTIL})?(?:{_YEAR_NUM}年? ?|(?P<this_year>今年|本年))?"
    f"q(?P<quarter>[1-4])(?![0-9]){_QUARTER_TAIL}"
)
# 今年上半年 · 下半年 · 2025年上半年底前: a half of a year
_HALF = re.compile(
    f"(?<![{_NUMERAL}.])(?P<pre>{_UNTIL})?{_YEAR}?(?P<half>上|下)半年(?:{_WITHIN}|(?P<end>末|底)?(?P<post>{_BEFORE})?)"
)
_YEAR_ONLY = re.compile(
    f"(?<![{_NUMERAL}.])(?P<pre>{_UNTIL})?{_YEAR_NUM}年(?![{_NUMERAL}第q])"
    f"(?:(?P<end>底|末)|度)?(?:{_WITHIN}|(?P<post>{_BEFORE}))?"
)
# 去年年底 · 明年底前 · 前年: a year counted from today's, alone or at its end.
_RELATIVE_YEAR_ONLY = re.compile(
    f"(?P<pre>{_UNTIL})?{_REL_YEAR}(?![{_NUMERAL}第q季])(?:年?(?P<end>底|末)|度)?(?:{_WITHIN}|(?P<post>{_BEFORE}))?"
)
_WITHIN_DAYS = re.compile(
    f"(?P<lead>未来|最近|近)?(?<![{_NUMERAL}.月第去])(?P<count>半|[0-9]{{1,3}}|[{_CN}]{{1,6}})"
    f"个?(?P<unit>天|日|周(?!期)|星期|礼拜|(?<=个)月|年)(?P<tail>{_WITHIN})?"
)
_RELATIVE: tuple[tuple[WindowKind, str], ...] = (
    ("this_week", f"(?:本|这一?个?){_WEEK}(?:{_WITHIN}|末)?"),
    ("next_week", f"{_NEXT}{_WEEK}(?:{_WITHIN})?"),
    ("this_month", f"{_THIS}月(?!度)份?{_PERIOD_TAIL}"),
    ("this_month", f"(?<![{_BARE_BLOCK}])月(?:底|末)(?:{_BEFORE})?"),
    ("next_month", f"(?:{_NEXT}|次)月(?!度)份?{_PERIOD_TAIL}"),
    ("this_quarter", f"{_THIS}季(?!节)度?{_PERIOD_TAIL}"),
    ("next_quarter", f"{_NEXT}季(?!节)度?{_PERIOD_TAIL}"),
    ("this_year", f"(?:今年|本年){_YEAR_TAIL}"),
    ("this_year", f"(?<![{_BARE_BLOCK}])年(?:{_WITHIN}|(?:底|末)(?:{_BEFORE})?)"),
    ("next_year", f"(?:明年|来年|次年|(?<![以之如上一])下一年){_YEAR_TAIL}"),
)

_Builder = Callable[[re.Match[str]], Window | None]


def find_window(text: str) -> WindowMatch | None:
    """Return the first time window in normalised text (the longest where several start together), or None."""
    best = min(_candidates(text), key=lambda c: (c[1].start, c[1].start - c[1].end, c[0]), default=None)
    return None if best is None else best[1]


def window_error(window: Window) -> str | None:
    """Say why window names an unknown kind or an impossible or incomplete period; None if it is sound."""
    if window.kind not in _KINDS:
        return f"unknown window kind {window.kind!r}"
    needed = _REQUIRED.get(window.kind)
    counted_from_today = needed == "year" and window.year_offset != 0  # 去年: no number, still a year
    if needed is not None and getattr(window, needed) is None and not counted_from_today:
        return f"a {window.kind} window needs {needed}"
    return _range_error(window) or _day_error(window)


def _range_error(window: Window) -> str | None:
    """Report the first field outside its possible range."""
    limits = (*_LIMITS, ("days", 0, timedelta.max.days))
    for name, low, high in limits:
        value = getattr(window, name)
        if value is not None and not low <= value <= high:
            return f"{name}={value} is outside {low}..{high}"
    return None


def _day_error(window: Window) -> str | None:
    """Report a day that its month does not have (31 April, 29 February 2025)."""
    if window.day is None:
        return None
    if window.month is None:
        return f"day={window.day} is given without a month"
    last = calendar.monthrange(window.year or _LEAP_YEAR, window.month)[1]
    if window.day <= last:
        return None
    of_year = f" of {window.year}" if window.year is not None else ""
    return f"month {window.month}{of_year} has only {last} days, not {window.day}"


def _candidates(text: str) -> Iterator[tuple[int, WindowMatch]]:
    """Every sound window any rule finds, tagged with the rule's rank."""
    for rank, (pattern, build) in enumerate(_RULES):
        for match in pattern.finditer(text):
            window = build(match)
            if window is not None:
                yield rank, WindowMatch(window, match.start(), match.end())


def _constant(kind: WindowKind) -> _Builder:
    """Builder for a relative word that always means the same window."""

    def build(_match: re.Match[str]) -> Window:
        return Window(kind)

    return build


def _month_date(match: re.Match[str]) -> Window | None:
    """2025年8月底前 / 截至8月15日 → by_date; 2025年8月 / 8月份 → in_month."""
    day = _field(match, "day")
    bounded = bool(match["pre"] or match["post"]) or day is not None
    kind: WindowKind = "by_date" if bounded else "in_month"
    year, month = _field(match, "year"), _field(match, "month")
    return _checked(Window(kind, year=year, month=month, day=day, year_offset=_offset(match)))


def _dotted_date(match: re.Match[str]) -> Window | None:
    """2025.8前 → by_date; a bare 2025.8 is a date only before 到期, since it also reads as a decimal."""
    day = _field(match, "day")
    if match["pre"] or match["post"] or day is not None:
        kind: WindowKind = "by_date"
    elif match.string.startswith("到期", match.end()):
        kind = "in_month"
    else:
        return None
    return _checked(Window(kind, year=_field(match, "year"), month=_field(match, "month"), day=day))


def _quarter(match: re.Match[str]) -> Window | None:
    """三季度 / q3 → in_quarter; 三季度末前 → by_date at the quarter's last month."""
    year, quarter = _field(match, "year"), _field(match, "quarter")
    if quarter is None or not 1 <= quarter <= 4:
        return None
    offset = _offset(match)
    if match["pre"] or match["post"]:
        return _checked(Window("by_date", year=year, month=quarter * 3, year_offset=offset))
    return _checked(Window("in_quarter", year=year, quarter=quarter, year_offset=offset))


def _half(match: re.Match[str]) -> Window | None:
    """上半年 → in_half 1; 上半年底前 → by_date at June (December for 下半年)."""
    half = 1 if match["half"] == "上" else 2
    year, offset = _field(match, "year"), _offset(match)
    if match["pre"] or match["post"]:
        return _checked(Window("by_date", year=year, month=half * 6, year_offset=offset))
    return _checked(Window("in_half", year=year, half=half, year_offset=offset))


def _year_only(match: re.Match[str]) -> Window | None:
    """2025年 / 2025年内 → in_year; 2025年底 → in_month December; 2025年底前 → by_date."""
    year = _field(match, "year")
    if match["pre"] or match["post"]:
        return _checked(Window("by_date", year=year, month=12))
    if match["end"]:
        return _checked(Window("in_month", year=year, month=12))
    return _checked(Window("in_year", year=year))


def _relative_year(match: re.Match[str]) -> Window | None:
    """去年 → last year; 去年底 → its December; 明年底前 → by the end of next year."""
    offset = _offset(match)
    if match["pre"] or match["post"]:
        return Window("by_date", month=12, year_offset=offset)
    if match["end"]:
        return Window("in_month", month=12, year_offset=offset)
    if offset == 1:
        return Window("next_year")
    return Window("in_year", year_offset=offset) if offset else None


def _offset(match: re.Match[str]) -> int:
    return _RELATIVE_YEARS.get(match.groupdict().get("rel_year") or "", 0)


def _within_days(match: re.Match[str]) -> Window | None:
    """未来30天 / 两周内 / 一个月内 (30 days); a count without 未来/近/内 ("延期30天") is no window."""
    if not (match["lead"] or match["tail"]):
        return None
    count = Decimal("0.5") if match["count"] == "半" else parse_number(match["count"])
    if count is None:
        return None
    days = int(count * _UNIT_DAYS[match["unit"]])
    return Window("within_days", days=days) if 1 <= days <= _MAX_DAYS else None


def _field(match: re.Match[str], name: str) -> int | None:
    """Integer value of an optional group; 0 (never a valid field) if its text is not a whole number."""
    text = match.groupdict().get(name)
    if not text:
        return None
    value = parse_number(text)
    if value is None or value != value.to_integral_value():
        return 0
    return int(value) + (2000 if name == "year" and len(text) == 2 else 0)


def _checked(window: Window) -> Window | None:
    """window if it names a real, plausible period, else None ("2025年13月", "2月30日", "3500年")."""
    if window.year is not None and window.year not in _PLAUSIBLE_YEARS:
        return None
    return window if window_error(window) is None else None


# Order breaks ties between rules that match the same span; dates come before the relative words.
_RULES: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_MONTH_DATE, _month_date),
    (_DOTTED_DATE, _dotted_date),
    (_QUARTER_CN, _quarter),
    (_QUARTER_Q, _quarter),
    (_HALF, _half),
    (_YEAR_ONLY, _year_only),
    (_RELATIVE_YEAR_ONLY, _relative_year),
    (_WITHIN_DAYS, _within_days),
    *((re.compile(f"(?:{_UNTIL})?{pattern}"), _constant(kind)) for kind, pattern in _RELATIVE),
)
