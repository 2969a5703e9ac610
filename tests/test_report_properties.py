"""Generated reports and button presses through the core, on SQLite and PostgreSQL (issue 15).

Whatever a member sends (values huge, tiny or garbled, dates impossible, button data with any number, text
with NUL or lone surrogates, messages dated anywhere from year 1 to 9999), no exception escapes the core, and
nothing is recorded that differs from the preview its sender confirmed.

Examples per test: DUBAN_PROPERTY_EXAMPLES (default 50; raise it for a longer hunt, e.g. 2000).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from desk import PEOPLE, Desk, stored_notes, stored_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation.messages import LOCAL_TZ
from store.db import Database
from store.types import decimal_problem

EXAMPLES = int(os.environ.get("DUBAN_PROPERTY_EXAMPLES", "50"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character at all: NUL, other controls, lone surrogates, astral planes.
ANY_CHAR = st.characters(codec=None, categories=None)
ANY_TEXT = st.text(ANY_CHAR, max_size=40)
HOSTILE = st.sampled_from(
    ["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "𠀀", "\n", " ", "，", "%", "e", "_"]
)

# Each indicator with the measures it is reported in, so that many reports reach a preview.
MEASURED = {
    "结案率": ["%"],
    "鼓楼专利授权量": ["件", ""],
    "有效注册商标": ["件", "万件"],
    "质押融资总金额": ["亿元", "万元", "元"],
    "裁决结案增幅": ["%"],
    "职务发明占比": ["%"],
    "专项资金占比": ["%"],
}
SUBJECTS = st.sampled_from(sorted(MEASURED))
MEASURES = st.sampled_from(["", "件", "万件", "亿元", "元", "万元", "%", "家", "个", "万", "亿"])


def _numbers() -> st.SearchStrategy[str]:
    """Numbers as typed, from the ordinary to the hostile."""
    decimal = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30)
    near_the_limits = st.integers(0, 8).flatmap(
        lambda places: st.decimals(min_value=0, max_value=Decimal(10) ** 19, places=places)
    )
    return st.one_of(
        near_the_limits.map(lambda d: format(d, "f")),
        near_the_limits.map(lambda d: format(d, "f")),
        st.integers(0, 10**40).map(str),
        decimal.map(lambda d: format(d, "f")),
        decimal.map(str),  # exponents: 1E+3, 1E-7
        st.builds(lambda m, e: f"{m}e{e}", st.integers(0, 99), st.integers(-500, 500)),
        st.builds(lambda a, b: f"{a}_{b:03d}", st.integers(0, 999), st.integers(0, 999)),
        st.builds(lambda a, b: f"{a} {b:03d}", st.integers(0, 999), st.integers(0, 999)),
        st.builds(lambda d: "0." + "0" * d + "1", st.integers(0, 30)),
        st.sampled_from(["一百二十八", "九十七点五", "三千五百", "两万三", "百分之九十七", "一亿亿亿"]),
    )


def _dates() -> st.SearchStrategy[str]:
    """As-of words: real, impossible, far off, or none."""
    ints = st.integers(0, 10000)
    return st.one_of(
        st.just(""),
        st.just(""),
        st.builds(lambda y, m, d: f"截至{y}年{m}月{d}日", ints, st.integers(0, 99), st.integers(0, 99)),
        st.builds(lambda m: f"截至{m}月底", st.integers(0, 20)),
        st.builds(lambda y: f"截至{y}年", ints),
        st.builds(lambda y: f"截至{y}年底", ints),
        st.builds(lambda y, m, d: f"截至{y}.{m}.{d}", ints, st.integers(0, 99), st.integers(0, 99)),
        st.sampled_from(["截至9月底", "截至二〇二五年十三月", "截至昨天", "今年", "下个月"]),
    )


NOISE = st.one_of(st.just(""), st.just(""), HOSTILE, ANY_TEXT)
SEPARATOR = st.sampled_from(["", "，", " "])
MATCHED = SUBJECTS.flatmap(
    lambda subject: st.builds(
        lambda date, separator, number, measure, noise: f"{subject}{date}{separator}{number}{measure}{noise}",
        _dates(),
        SEPARATOR,
        _numbers(),
        st.sampled_from(MEASURED[subject]),
        NOISE,
    )
)
GARBLED = st.builds(
    lambda subject, date, number, measure, noise: f"{subject}{date}{number}{measure}{noise}",
    SUBJECTS,
    _dates(),
    _numbers(),
    MEASURES,
    NOISE,
)
REPORTS = st.one_of(MATCHED, MATCHED, GARBLED)
TASK_WRITES = st.builds(
    lambda number, kind, text: kind.format(number, text),
    st.integers(0, 10**12),
    st.sampled_from(
        ["任务{}进展：{}", "任务{}已完成{}", "任务{}申请延期到2025年12月底，原因：{}", "撤销任务{}{}"]
    ),
    st.one_of(ANY_TEXT, HOSTILE),
)
BUTTONS = st.builds(
    lambda action, number: f"{action}:{number}",
    st.sampled_from(["confirm", "cancel", "ack"]),
    st.one_of(st.integers(0, 10), st.integers(0, 2**64), st.integers(2**31 - 2, 2**31 + 2)),
)
REPLIES = st.sampled_from(["确认", "取消", "撤销", "收到", "1", "2"])
MESSAGES = st.one_of(REPORTS, REPORTS, TASK_WRITES, BUTTONS, REPLIES, REPLIES, ANY_TEXT)
# Mostly the desk's own clock; one message in ten at a moment anywhere in datetime's range.
ODD_MOMENTS = st.one_of(
    st.datetimes(timezones=st.just(LOCAL_TZ)),
    st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59), datetime(2199, 12, 31, 23, 59)]).map(
        lambda moment: moment.replace(tzinfo=LOCAL_TZ)
    ),
)
MOMENTS = st.integers(0, 9).flatmap(lambda n: ODD_MOMENTS if n == 0 else st.none())


@dataclass(frozen=True)
class Step:
    user: str
    text: str
    at: datetime | None


STEPS = st.lists(st.builds(Step, st.sampled_from(sorted(PEOPLE)), MESSAGES, MOMENTS), min_size=1, max_size=6)


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db)


def _run(desk: Desk, steps: list[Step]) -> None:
    for step in steps:
        reply, intent = desk.say(step.user, step.text, **({"at": step.at} if step.at else {}))
        assert reply.strip() and intent, (step, reply, intent)


def _assert_stored_as_shown(desk: Desk) -> None:
    for stored in stored_values(desk.db):
        assert decimal_problem(stored.value) is None, stored
        assert stored.shown in stored.preview, (stored.shown, stored.preview)
    for detail, preview in stored_notes(desk.db):
        if detail is not None:
            assert detail in preview, (detail, preview)


@PROPERTY
@given(steps=STEPS)
def test_generated_messages_never_escape_the_core_and_are_stored_as_shown(
    desk: Desk, steps: list[Step]
) -> None:
    _run(desk, steps)
    _assert_stored_as_shown(desk)


@PROPERTY
@given(report=REPORTS, user=st.sampled_from(sorted(PEOPLE)))
def test_a_generated_report_confirmed_is_stored_exactly_as_previewed(
    desk: Desk, report: str, user: str
) -> None:
    """The straight path, preview then 确认, which random steps reach only now and then."""
    before = len(stored_values(desk.db))
    _, intent = desk.say(user, report)
    if intent == "preview":
        assert desk.say(user, "确认")[1] == "recorded"
        assert len(stored_values(desk.db)) == before + 1
    _assert_stored_as_shown(desk)
