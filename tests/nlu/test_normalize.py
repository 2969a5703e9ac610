"""Tests for nlu.normalize: width, case, script, spacing, brackets and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import normalize, normalize_name

CASES: list[tuple[str, str]] = [
    # traditional → simplified
    ("鼓樓專利授權量進度", "鼓楼专利授权量进度"),
    ("任務18已完成", "任务18已完成"),
    ("乾 隆", "乾隆"),  # phrase-aware: spaces go first, so 乾隆 is not turned into 干隆
    # full-width → half-width, ASCII lower-cased
    ("ＡＢＣ１２３", "abc123"),
    ("Q3 Report", "q3 report"),
    ("完成９５％！", "完成95%!"),
    # spaces that PDFs and people insert around Chinese
    ("市市场监管局 (知识产权局)", "市市场监管局(知识产权局)"),
    ("先行所 26 个", "先行所26个"),
    ("鼓 楼 区", "鼓楼区"),
    ("  多个   空格\u3000全角 ", "多个空格全角"),
    ("a  b\tc", "a b c"),
    # brackets and quotes
    ("（知识产权局）", "(知识产权局)"),
    ("【通知】", "[通知]"),
    ("闽政〔2024〕5号", "闽政[2024]5号"),
    ("“引号”", '"引号"'),
    ("「引号」", '"引号"'),
    ("‘单引号’", "'单引号'"),
    # control and format characters
    ("第一行\n第二行", "第一行第二行"),
    ("line one\nline two", "line one line two"),
    ("零\u200b宽\ufeff字符", "零宽字符"),
    ("a\x00b\x07c", "abc"),
    ("a\ud800b", "ab"),
    # symbols and emoji survive
    ("完成了😀", "完成了😀"),
    ("√ 已办结", "√已办结"),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 福州市 市场监管局 ", "福州市市场监管局"),
        ("Gulou District  Bureau", "guloudistrictbureau"),
        ("鼓樓區（知識產權局）", "鼓楼区(知识产权局)"),
    ],
)
def test_normalize_name(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_does_not_truncate() -> None:
    text = "督办" * 3000
    assert normalize(text) == text


# The first call builds the OpenCC converter, which can exceed Hypothesis' default deadline.
@settings(database=None, deadline=None)
@given(st.text())
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(database=None, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("鼓樓專利 （）【】“”\n\u3000")))
def test_normalize_idempotent_on_chinese_heavy_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert normalize_name(once) == normalize_name(text)
