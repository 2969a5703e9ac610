"""Tests for nlu.numerals: whole-string parsing and number spotting in sentences."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.numerals import NumberMatch, find_numbers, parse_number

PARSE_CASES: list[tuple[str, str]] = [
    # Arabic digits, decimals, thousands separators, full-width digits
    ("3120", "3120"),
    ("3,120", "3120"),
    ("1,234,567", "1234567"),
    ("1,234.5", "1234.5"),
    ("38.2", "38.2"),
    ("0.2", "0.2"),
    ("0", "0"),
    ("１２３", "123"),
    ("  42 ", "42"),
    # Chinese numerals
    ("十八", "18"),
    ("十", "10"),
    ("二十", "20"),
    ("一百零五", "105"),
    ("一百二十八", "128"),
    ("三千五百", "3500"),
    ("三千零五", "3005"),
    ("一千零五十", "1050"),
    ("两", "2"),
    ("两千", "2000"),
    ("〇", "0"),
    ("零", "0"),
    ("一万零三百", "10300"),
    ("一万零三", "10003"),
    ("十万", "100000"),
    ("二十万零五", "200005"),
    ("一亿二千万", "120000000"),
    ("一亿零五百万", "105000000"),
    ("三万亿", "3000000000000"),
    # colloquial trailing digit: the next lower order
    ("三千五", "3500"),
    ("两万三", "23000"),
    ("一百二", "120"),
    ("一万一", "11000"),
    ("一亿五", "150000000"),
    ("3万5", "35000"),
    # large units with digits or Chinese
    ("38.2万", "382000"),
    ("一百二十八亿", "12800000000"),
    ("1.5亿", "150000000"),
    ("3万5千", "35000"),
    ("3万5000", "35000"),
    ("3千", "3000"),
    ("2.5千", "2500"),
    ("1,000万", "10000000"),
    # 大写 and traditional forms
    ("壹佰贰拾叁", "123"),
    ("贰拾", "20"),
    ("叁仟伍佰", "3500"),
    ("壹萬貳仟", "12000"),
    ("兩億", "200000000"),
    # digit by digit
    ("二〇二五", "2025"),
    ("一九九八", "1998"),
    # Chinese decimals: 点 and the digits after it, read one by one
    ("九十七点五", "97.5"),
    ("零点八五", "0.85"),
    ("三十八点二万", "382000"),
    ("一点五亿", "150000000"),
    ("二点零五", "2.05"),
    ("十二点三四五", "12.345"),
    ("97点五", "97.5"),
]

NOT_NUMBERS = [
    "",
    "万",
    "亿",
    "万元",
    "百分之九十七",
    "97%",
    "1,2",
    "1,2345",
    "1.",
    ".5",
    "五百三千",
    "三十十",
    "一万零",
    "三千2.5",
    "12千",
    "两三",
    "abc",
    "3120件",
    "点五",
    "九十七点",
    "2.5点五",
    "九十七点五点五",
    "一万点五",
    "三点两",
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_number(text: str, expected: str) -> None:
    value = parse_number(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_scaled_values_have_no_fractional_zeros() -> None:
    assert str(parse_number("38.2万")) == "382000"
    assert str(parse_number("1.50亿")) == "150000000"


def _found(text: str) -> list[tuple[str, Decimal, bool]]:
    return [(m.text, m.value, m.percent) for m in find_numbers(text)]


FIND_CASES: list[tuple[str, list[tuple[str, str, bool]]]] = [
    ("鼓楼区专利授权量截至9月底3120件", [("9", "9", False), ("3120", "3120", False)]),
    ("质押融资总金额达到一百二十八亿元", [("一百二十八亿", "12800000000", False)]),
    ("结案率97%", [("97%", "97", True)]),
    ("结案率97.5％", [("97.5％", "97.5", True)]),
    ("结案率百分之九十七", [("百分之九十七", "97", True)]),
    ("占比百分之十", [("百分之十", "10", True)]),
    ("完成率百分之百", [("百分之百", "100", True)]),
    ("培育百余家企业", [("百", "100", False)]),
    ("有效注册商标38.2万件", [("38.2万", "382000", False)]),
    ("每万人口高价值发明专利拥有量达到12.5件", [("12.5", "12.5", False)]),
    ("单位：万元", []),
    ("统一推进知识产权一体化，唯一入口", []),
    ("这项工作十分重要", []),
    ("一一对应", []),
    ("零售额万一下降", []),
    ("第一季度完成一个项目", [("一", "1", False), ("一", "1", False)]),
    ("任务十已完成", [("十", "10", False)]),
    ("任务一进展", [("一", "1", False)]),
    ("新增十家企业", [("十", "10", False)]),
    ("新增三家企业", [("三", "3", False)]),
    ("2024年1月至9月", [("2024", "2024", False), ("1", "1", False), ("9", "9", False)]),
    ("二〇二五年底前", [("二〇二五", "2025", False)]),
    ("装机容量120万千瓦", [("120万", "1200000", False)]),
    ("累计3,120件，同比增长1,2项", [("3,120", "3120", False), ("1", "1", False), ("2", "2", False)]),
    ("增长两万三千余人", [("两万三千", "23000", False)]),
    ("提高2个百分点", [("2", "2", False)]),
    ("结案率百分之九十七点五", [("百分之九十七点五", "97.5", True)]),
    ("结案率九十七点五", [("九十七点五", "97.5", False)]),
    ("有效注册商标三十八点二万件", [("三十八点二万", "382000", False)]),
    ("贷款额度零点八五亿元", [("零点八五亿", "85000000", False)]),
    ("开展试点一家，重点三项", [("一", "1", False), ("三", "3", False)]),  # 点 after 试/重 is no decimal
    ("九十七点", [("九十七", "97", False)]),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES)
def test_find_numbers(text: str, expected: list[tuple[str, str, bool]]) -> None:
    assert _found(text) == [(span, Decimal(value), pct) for span, value, pct in expected]


def test_find_numbers_spans_index_the_original_text() -> None:
    text = "鼓楼区专利授权量截至9月底3120件"
    assert find_numbers(text) == [
        NumberMatch(10, 11, "9", Decimal(9), False),
        NumberMatch(13, 17, "3120", Decimal(3120), False),
    ]


@settings(database=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_integers_round_trip(number: int) -> None:
    assert parse_number(str(number)) == number
    assert parse_number(f"{number:,}") == number


@settings(database=None)
@given(st.text(max_size=60))
def test_find_numbers_spans_are_consistent(text: str) -> None:
    matches = find_numbers(text)
    for match in matches:
        assert text[match.start : match.end] == match.text
    ends = [m.end for m in matches]
    assert all(end <= nxt.start for end, nxt in zip(ends, matches[1:], strict=False))
