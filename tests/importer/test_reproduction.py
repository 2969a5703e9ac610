"""Importing the two seed documents reproduces their hand transcription (the issue's done-when).

At least 98 % of the counted fields equal (every task and indicator present, units in order with the lead
first, deadline, target, comparator, baseline and unit of measure), and every difference — counted or not —
is listed below with why it is one. A new difference fails until it is fixed in the recogniser or explained.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from import_reproduction import Comparison, overall, run

_SENTENCE_NAME = (
    "鼓楼 states its targets in sentences; the import names each by the sentence's subject, the "
    "transcription by an editorial name written for chat (the name is a working label the reviewer edits)"
)
# (plan, record, field): why the import and the transcription differ there.
EXPLAINED: dict[tuple[str, str, str], str] = {
    ("gulou-strong-county", "指标1", "名称"): _SENTENCE_NAME + ": 支出 → the transcriber added 比例",
    ("gulou-strong-county", "指标3", "名称"): _SENTENCE_NAME + ": the transcriber shortened the subject",
    ("gulou-strong-county", "指标5", "名称"): _SENTENCE_NAME + ": the transcriber dropped 数量 after 专利",
    ("gulou-strong-county", "指标8", "名称"): _SENTENCE_NAME
    + ": （或等同）企业称号 dropped by the transcriber",
    ("gulou-strong-county", "指标9", "名称"): _SENTENCE_NAME
    + ": （或等同）企业称号 dropped by the transcriber",
    ("gulou-strong-county", "指标10", "名称"): _SENTENCE_NAME
    + ": （或等同）企业称号 dropped by the transcriber",
    ("gulou-strong-county", "指标14", "名称"): _SENTENCE_NAME
    + ": the sentence's verb (开展涉及) kept; 次数 added",
    ("gulou-strong-county", "指标15", "名称"): _SENTENCE_NAME + ": the sentence's verb kept; 人次 added",
}


@pytest.fixture(scope="module")
def comparisons() -> list[Comparison]:
    return run()


def test_at_least_98_percent_of_counted_fields_equal(comparisons: list[Comparison]) -> None:
    assert overall(comparisons) >= 0.98, [(c.plan, c.share) for c in comparisons]
    assert all(c.counted_total > 0 for c in comparisons)


def test_every_difference_is_explained(comparisons: list[Comparison]) -> None:
    found = {(d.plan, d.record, d.field): d for c in comparisons for d in c.differences}
    unexplained = [
        f"{d.plan} {d.record} {d.field}: {d.expected} | {d.got}"
        for k, d in found.items()
        if k not in EXPLAINED
    ]
    assert not unexplained
    stale = [key for key in EXPLAINED if key not in found]
    assert not stale, f"explained differences that no longer occur: {stale}"
    assert all(why.strip() for why in EXPLAINED.values())
