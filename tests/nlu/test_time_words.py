"""Tests for nlu.time_words: which time words a question holds, and where they are."""

from __future__ import annotations

import pytest

from nlu.normalize import normalize
from nlu.time_words import Window, find_window, window_error

W = Window

# (sentence, expected window, the words its span must cover in the normalised sentence)
FOUND: list[tuple[str, Window, str]] = [
    # this_week / next_week
    ("本周有哪些任务到期", W("this_week"), "本周"),
    ("这周要做什么", W("this_week"), "这周"),
    ("这一周的任务", W("this_week"), "这一周"),
    ("本星期到期的任务", W("this_week"), "本星期"),
    ("这个星期有什么任务", W("this_week"), "这个星期"),
    ("这星期到期吗", W("this_week"), "这星期"),
    ("本周内要完成的任务", W("this_week"), "本周内"),
    ("下周到期的任务", W("next_week"), "下周"),
    ("下星期要交什么材料", W("next_week"), "下星期"),
    ("下个星期的督办事项", W("next_week"), "下个星期"),
    ("下礼拜到期的有哪些", W("next_week"), "下礼拜"),
    ("下一周的任务", W("next_week"), "下一周"),
    ("帮我看一下下周的任务", W("next_week"), "下周"),
    # this_month / next_month
    ("本月到期的任务", W("this_month"), "本月"),
    ("这个月还有哪些没完成", W("this_month"), "这个月"),
    ("这月到期的", W("this_month"), "这月"),
    ("当月任务完成情况", W("this_month"), "当月"),
    ("本月底前要完成的任务", W("this_month"), "本月底前"),
    ("月底前要办完的事", W("this_month"), "月底前"),
    ("下个月到期的任务有哪些", W("next_month"), "下个月"),
    ("下月到期的任务", W("next_month"), "下月"),
    ("下一个月有哪些任务", W("next_month"), "下一个月"),
    ("下个月底前要完成什么", W("next_month"), "下个月底前"),
    # this_quarter / next_quarter
    ("本季度到期的任务", W("this_quarter"), "本季度"),
    ("这个季度的任务", W("this_quarter"), "这个季度"),
    ("本季要完成哪些", W("this_quarter"), "本季"),
    ("当季到期", W("this_quarter"), "当季"),
    ("这季度还剩什么", W("this_quarter"), "这季度"),
    ("下季度要完成什么", W("next_quarter"), "下季度"),
    ("下个季度的任务", W("next_quarter"), "下个季度"),
    ("下一季度到期的", W("next_quarter"), "下一季度"),
    # this_year / next_year
    ("今年到期的任务", W("this_year"), "今年"),
    ("年内要完成的任务", W("this_year"), "年内"),
    ("今年内要完成的任务", W("this_year"), "今年内"),
    ("本年到期的", W("this_year"), "本年"),
    ("本年度任务清单", W("this_year"), "本年度"),
    ("年底前要完成的任务", W("this_year"), "年底前"),
    ("今年年底前完成的任务", W("this_year"), "今年年底前"),
    ("年底之前有哪些任务", W("this_year"), "年底之前"),
    ("到年底还有多少任务", W("this_year"), "到年底"),
    ("明年到期的任务", W("next_year"), "明年"),
    ("下一年的任务", W("next_year"), "下一年"),
    ("明年3月前的任务", W("by_date", month=3, year_offset=1), "明年3月前"),
    # years counted from today's, with a month, a quarter or their end
    ("去年12月底到期的有哪几项", W("in_month", month=12, year_offset=-1), "去年12月底"),
    ("去年年底到期的", W("in_month", month=12, year_offset=-1), "去年年底"),
    ("去年底前完成的", W("by_date", month=12, year_offset=-1), "去年底前"),
    ("去年到期的任务", W("in_year", year_offset=-1), "去年"),
    ("前年的数据", W("in_year", year_offset=-2), "前年"),
    ("明年1月底到期", W("in_month", month=1, year_offset=1), "明年1月底"),
    ("明年底前要完成的", W("by_date", month=12, year_offset=1), "明年底前"),
    ("去年四季度到期的", W("in_quarter", quarter=4, year_offset=-1), "去年四季度"),
    # within_days
    ("30天内到期的任务", W("within_days", days=30), "30天内"),
    ("未来30天有哪些任务到期", W("within_days", days=30), "未来30天"),
    ("近30天到期的任务", W("within_days", days=30), "近30天"),
    ("三十天内到期的任务", W("within_days", days=30), "三十天内"),
    ("10日内要完成的", W("within_days", days=10), "10日内"),
    ("两周内到期的任务", W("within_days", days=14), "两周内"),
    ("一个月内到期的任务", W("within_days", days=30), "一个月内"),
    ("未来两周要完成什么", W("within_days", days=14), "未来两周"),
    ("半年内到期的任务", W("within_days", days=182), "半年内"),
    ("十五天以内", W("within_days", days=15), "十五天以内"),
    # by_date
    ("请问2025年8月底前要完成哪些任务", W("by_date", year=2025, month=8), "2025年8月底前"),
    ("2025年8月前完成的任务", W("by_date", year=2025, month=8), "2025年8月前"),
    ("2025年8月底之前有哪些", W("by_date", year=2025, month=8), "2025年8月底之前"),
    ("2025年8月以前要做的", W("by_date", year=2025, month=8), "2025年8月以前"),
    ("截至2025年8月底的任务", W("by_date", year=2025, month=8), "截至2025年8月底"),
    ("2025.8前完成的任务", W("by_date", year=2025, month=8), "2025.8前"),
    ("2025年8月15日前要完成什么", W("by_date", year=2025, month=8, day=15), "2025年8月15日前"),
    ("8月底前要完成的任务", W("by_date", month=8), "8月底前"),
    ("10月前完成的任务", W("by_date", month=10), "10月前"),
    ("八月底前要完成什么", W("by_date", month=8), "八月底前"),
    ("十二月三十一日前", W("by_date", month=12, day=31), "十二月三十一日前"),
    ("二〇二五年八月底前", W("by_date", year=2025, month=8), "二〇二五年八月底前"),
    ("2024年2月29日前到期的", W("by_date", year=2024, month=2, day=29), "2024年2月29日前"),
    ("2025年底前要完成的", W("by_date", year=2025, month=12), "2025年底前"),
    ("截至三季度末的任务", W("by_date", month=9), "截至三季度末"),
    ("2025-08-15前到期", W("by_date", year=2025, month=8, day=15), "2025-08-15前"),
    ("8月15日到期的任务", W("by_date", month=8, day=15), "8月15日"),
    # in_month
    ("2025年8月到期的任务", W("in_month", year=2025, month=8), "2025年8月"),
    ("8月份到期的任务", W("in_month", month=8), "8月份"),
    ("2025年8月的任务", W("in_month", year=2025, month=8), "2025年8月"),
    ("8月到期的任务", W("in_month", month=8), "8月"),
    ("十月份到期的有哪些", W("in_month", month=10), "十月份"),
    ("今年8月到期的任务", W("in_month", month=8), "今年8月"),
    ("2025年底到期的任务", W("in_month", year=2025, month=12), "2025年底"),
    # in_quarter
    ("第三季度到期的任务", W("in_quarter", quarter=3), "第三季度"),
    ("三季度有哪些任务", W("in_quarter", quarter=3), "三季度"),
    ("2025年第四季度的任务", W("in_quarter", year=2025, quarter=4), "2025年第四季度"),
    ("Q3到期的任务", W("in_quarter", quarter=3), "q3"),
    ("2025 Q3 到期的任务", W("in_quarter", year=2025, quarter=3), "2025 q3"),
    ("今年第一季度的任务", W("in_quarter", quarter=1), "今年第一季度"),
    # in_year
    ("2025年到期的任务", W("in_year", year=2025), "2025年"),
    ("2025年内要完成的", W("in_year", year=2025), "2025年内"),
    ("2026年的任务", W("in_year", year=2026), "2026年"),
]

NOT_TIME: list[str] = [
    "任务18是什么",
    "鼓楼专利授权量进度",
    "3500件",
    "专利申请量达到3500件",
    "第十八项任务",
    "任务8进展如何",
    "2025年13月到期的任务",  # impossible month
    "2025年2月30日前",  # impossible day
    "2025年4月31日前",
    "2025年第五季度",
    "以下周期性任务",  # 以下 + 周期, not 下周
    "查一下月报",
    "统一月度报告",  # 一月 inside 统一月度
    "过去30天内",  # the past is not a deadline window
    "延期30天",  # a count of days without 内/未来/近
    "上个月底前",  # last month is not supported
    "2025.8万元",  # a decimal, not a date
    "3500年",  # not a plausible year
    "一二月",  # not a standard-form month
]


@pytest.mark.parametrize(("sentence", "window", "words"), FOUND)
def test_find_window(sentence: str, window: Window, words: str) -> None:
    text = normalize(sentence)
    match = find_window(text)
    assert match is not None
    assert match.window == window
    assert text[match.start : match.end] == words


@pytest.mark.parametrize("sentence", NOT_TIME)
def test_no_window(sentence: str) -> None:
    assert find_window(normalize(sentence)) is None


def test_first_window_wins() -> None:
    text = "本月和下个月到期的任务"
    match = find_window(text)
    assert match == find_window(text[:2])
    assert match is not None and match.window == W("this_month")


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (W("in_month", month=13), "month=13"),
        (W("by_date", year=2025, month=4, day=31), "only 30 days"),
        (W("by_date", year=2025, month=2, day=29), "month 2 of 2025 has only 28 days"),
        (W("in_quarter", quarter=0), "quarter=0"),
        (W("within_days"), "needs days"),
        (W("within_days", days=-1), "days=-1"),
        (W("in_year"), "needs year"),
        (W("by_date", day=3), "needs month"),
        (W("this_month", day=3), "without a month"),
        (W("someday"), "unknown window kind"),  # type: ignore[arg-type]
    ],
)
def test_window_error(window: Window, message: str) -> None:
    error = window_error(window)
    assert error is not None and message in error


def test_window_error_allows_29_february_without_a_year() -> None:
    assert window_error(W("by_date", month=2, day=29)) is None


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("今年上半年到期的任务", Window("in_half", half=1)),
        ("下半年到期的", Window("in_half", half=2)),
        ("去年下半年", Window("in_half", half=2, year_offset=-1)),
        ("2025年上半年底前", Window("by_date", year=2025, month=6)),
    ],
)
def test_halves_of_a_year(text: str, window: Window) -> None:
    found = find_window(normalize(text))
    assert found is not None and found.window == window
