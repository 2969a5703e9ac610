"""What a chat user can send that once crashed the bot or was recorded other than shown (issue 15, 13-14).

Every test runs on SQLite and on PostgreSQL (the `db` fixture), through the platform-neutral core: each
message gets a Chinese reply, and what is recorded is exactly what the preview showed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from desk import Desk, count_rows, stored_notes, stored_values

from bot.conversation import texts
from bot.conversation.messages import EARLIEST_DAY, LATEST_DAY, LOCAL_TZ, Inbound
from store.db import Database
from store.members import create_invite, find_member


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db)


def previewed_and_confirmed(desk: Desk, user: str, text: str) -> str:
    reply, intent = desk.say(user, text)
    assert intent == "preview", reply
    assert desk.say(user, "确认")[1] == "recorded"
    return reply


# ---- crashes (item 13) -------------------------------------------------------------------------------------


def test_a_huge_percentage_after_an_earlier_value_is_refused(desk: Desk) -> None:
    previewed_and_confirmed(desk, "fayuan", "结案率97%")
    reply, intent = desk.say("fayuan", "结案率1000000000000000000000000000000%")
    assert intent == "refused" and "0% 至 100%" in reply
    assert [v.value for v in stored_values(desk.db)] == [Decimal(97)]


@pytest.mark.parametrize("data", ["confirm:2147483648", "cancel:2147483648", "confirm:999999999999999999"])
def test_a_preview_button_beyond_any_row_id_is_nothing_pending(desk: Desk, data: str) -> None:
    assert desk.say("fayuan", data) == (texts.NOTHING_PENDING, "nothing_pending")


@pytest.mark.parametrize("data", ["ack:2147483648", "ack:999999999999999999"])
def test_an_ack_button_beyond_any_row_id_is_an_unknown_reminder(desk: Desk, data: str) -> None:
    assert desk.say("fayuan", data) == (texts.ACK_PROBLEMS["unknown"], "ack")


def test_a_value_too_large_to_store_is_refused_at_the_preview(desk: Desk) -> None:
    reply, intent = desk.say("ip", "鼓楼专利授权量1000000000000000000件")
    assert (reply, intent) == (texts.value_too_large("1000000000000000000 件"), "refused")
    assert count_rows(desk.db) == 0


def test_nul_and_lone_surrogates_are_dropped_and_the_note_is_stored_as_shown(desk: Desk) -> None:
    reply = previewed_and_confirmed(desk, "fayuan", "任务18进展：已\x00上线\ud800试运行")
    assert "进展：已上线试运行" in reply
    assert stored_notes(desk.db) == [("已上线试运行", reply)]


def test_an_id_with_a_nul_is_no_crash(desk: Desk) -> None:
    reply, intent = desk.say("fay\x00uan\udc00", "任务18")
    assert intent == "not_bound" and reply == texts.NOT_BOUND


def test_binding_with_a_name_longer_than_the_database_keeps(desk: Desk) -> None:
    """Telegram's full name is up to 129 characters (64 + space + 64); the member's name keeps 100."""
    at = desk.clock + timedelta(minutes=1)
    code = create_invite(
        desk.db, unit="中院", role="staff", expires_at=at + timedelta(days=1), at=at, actor="test"
    ).code
    name = "名" * 64 + " " + "姓" * 64
    inbound = Inbound("telegram", "42", "42", f"绑定 {code}", at, "42:1", display_name=name)
    [reply] = desk.core.handle(inbound)
    assert reply.intent == "bind" and "名" * 10 in reply.text
    member = find_member(desk.db, platform="telegram", user_id="42")
    assert member is not None and member.display_name == name[:100]


@pytest.mark.parametrize(
    "at",
    [datetime(1, 1, 1, tzinfo=LOCAL_TZ), datetime(9999, 12, 31, 23, 59, tzinfo=LOCAL_TZ)],
    ids=["year-1", "9999-12-31"],
)
def test_a_message_from_outside_the_supported_days_is_answered_as_such(desk: Desk, at: datetime) -> None:
    for text in ("结案率97%", "30天内到期的任务", "确认"):
        assert desk.say("fayuan", text, at=at) == (
            texts.day_out_of_range(EARLIEST_DAY, LATEST_DAY),
            "invalid_input",
        )
    assert count_rows(desk.db) == 0


# ---- values recorded wrongly (item 14) ---------------------------------------------------------------------


def test_more_decimals_than_both_databases_keep_are_refused(desk: Desk) -> None:
    reply, intent = desk.say("duban", "质押融资总金额0.0000001亿元")
    assert (reply, intent) == (texts.value_too_precise("0.0000001 亿元", 6), "refused")
    assert count_rows(desk.db) == 0


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("质押融资总金额0.000001亿元", "0.000001 亿元"),
        ("质押融资总金额1元", None),  # 0.00000001 亿元: refused
        ("鼓楼专利授权量999999999999999999.999999件", "999999999999999999.999999 件"),
        ("有效注册商标382001件", "38.2001 万件"),
    ],
)
def test_values_at_the_limits_are_stored_exactly_as_previewed(
    desk: Desk, text: str, shown: str | None
) -> None:
    user = "ip" if text.startswith("鼓楼") else "duban"
    if shown is None:
        assert desk.say(user, text)[1] == "refused"
        return
    reply = previewed_and_confirmed(desk, user, text)
    assert f"：{shown}（截至" in reply
    [stored] = stored_values(desk.db)
    assert texts.quantity(stored.value, stored.unit_of_measure) == shown


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("有效注册商标截至2025年13月40日38万件", "2025年13月40日"),
        ("有效注册商标截至2100年38万件", "2100年"),
        ("有效注册商标截至2月30日38万件", "2月30日"),
        ("有效注册商标二〇二五年十三月38万件", "二〇二五年十三月"),
    ],
)
def test_an_impossible_as_of_date_is_refused_not_read_as_today(desk: Desk, text: str, typed: str) -> None:
    assert desk.say("duban", text) == (texts.unreadable_as_of(typed), "need_date")
    assert count_rows(desk.db) == 0


@pytest.mark.parametrize("text", ["有效注册商标截至2100年底38万件", "有效注册商标截至2025年12月31日38万件"])
def test_an_as_of_date_after_today_is_refused(desk: Desk, text: str) -> None:
    reply, intent = desk.say("duban", text)
    assert intent == "refused" and "晚于今天" in reply
    assert count_rows(desk.db) == 0


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("鼓楼专利授权量1e400件", "1e400件"),
        ("鼓楼专利授权量1_000件", "1_000件"),
        ("鼓楼专利授权量1 000件", "1 000件"),
        ("鼓楼专利授权量0x10件", "0x10件"),
        ("鼓楼专利授权量3,12件", "3,12件"),
    ],
)
def test_a_number_glued_to_letters_or_digits_is_refused(desk: Desk, text: str, typed: str) -> None:
    assert desk.say("ip", text) == (texts.value_unclear(typed), "need_value")
    assert count_rows(desk.db) == 0


def test_separators_that_belong_to_the_sentence_are_still_fine(desk: Desk) -> None:
    for text, shown in [("鼓楼专利授权量，3120件", "3120 件"), ("鼓楼专利授权量3,120件", "3120 件")]:
        reply, intent = desk.say("ip", text)
        assert intent == "preview" and f"年专利授权量：{shown}（截至" in reply


@pytest.mark.parametrize(("text", "intent"), [("结案率100%", "preview"), ("结案率100.5%", "refused")])
def test_a_share_stays_within_0_and_100_percent(desk: Desk, text: str, intent: str) -> None:
    reply, got = desk.say("fayuan", text)
    assert got == intent
    if intent == "refused":
        assert reply == texts.share_out_of_range("100.5%")


def test_a_growth_rate_may_exceed_100_percent(desk: Desk) -> None:
    reply = previewed_and_confirmed(desk, "duban", "裁决结案增幅150%")
    assert "：150%（截至" in reply
    assert [v.value for v in stored_values(desk.db)] == [Decimal(150)]
