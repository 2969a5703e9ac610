"""Staff report by message: permissions, preview and confirm, undo, delays, history, redelivery, expiry.

Every test runs on SQLite and on PostgreSQL (the `db` fixture), through the platform-neutral core.
"""

from __future__ import annotations

import io
import json
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from bot.cli.main import main
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from store.db import Database
from store.members import add_member, remove_member
from store.models import IndicatorReport, PendingOutcome, PendingWrite, TaskEvent
from store.reporting import Author, DuplicateMessage, WriteRequest, create_pending, latest_pending

DAY = date(2025, 9, 20)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PEOPLE = {  # user id: (name, unit, role)
    "fayuan": ("李法官", "中院", "staff"),
    "gulou": ("王五", "鼓楼区人民政府", "staff"),
    "cangshan": ("赵六", "仓山区人民政府", "staff"),
    "ip": ("张三", "鼓楼区市场监督管理局", "staff"),
    "guest": ("钱七", "市检察院", "viewer"),
    "duban": ("陈督办", "市监局", "admin"),
}


class Office:
    """The people above talking to one core; each message gets its own id and a controllable time."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.core = Core(Knowledge(db))
        self.clock = datetime.combine(DAY, time(9), LOCAL_TZ)
        self.count = 0
        joined = datetime(2025, 1, 1, tzinfo=UTC)
        for user, (name, unit, role) in PEOPLE.items():
            add_member(db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=joined)

    def send(
        self, user: str, text: str, *, after: timedelta = timedelta(minutes=1), mid: str | None = None
    ) -> Outbound:
        self.clock += after
        self.count += 1
        inbound = Inbound("test", user, user, text, self.clock, mid or f"m{self.count}")
        replies = self.core.handle(inbound)
        assert len(replies) == 1
        return replies[0]

    def say(self, user: str, text: str, **kwargs: object) -> tuple[str, str | None]:
        reply = self.send(user, text, **kwargs)  # type: ignore[arg-type]
        return reply.text, reply.intent

    def restart(self) -> None:
        """A new process: nothing of the old one's memory survives but the database."""
        self.core = Core(Knowledge(self.db))


@pytest.fixture
def office(db: Database) -> Office:
    return Office(db)


def review_number(submitted: str) -> int:
    """The 审核号 a unit's confirmed completion report is given (待审核（审核号 N）)."""
    found = re.search(r"审核号 (\d+)", submitted)
    assert found is not None, submitted
    return int(found.group(1))


def rows(
    db: Database,
    table: type[TaskEvent] | type[IndicatorReport] | type[PendingOutcome] | type[PendingWrite],
) -> list[object]:
    with Session(db.engine) as session:
        return list(session.exec(select(table)).all())


def test_cross_unit_report_is_refused_in_one_sentence(office: Office) -> None:
    reply, intent = office.say("fayuan", "任务41已完成")
    assert intent == "refused"
    assert reply == "任务41的责任单位是鼓楼区人民政府，您所在的市中级人民法院无权报送。"
    reply, _ = office.say("fayuan", "鼓楼区专利授权量截至9月底3120件")
    assert "鼓楼区市场监督管理局（知识产权局），您所在的市中级人民法院无权报送" in reply
    assert rows(office.db, TaskEvent) == [] and rows(office.db, IndicatorReport) == []


def test_viewer_may_ask_but_not_report(office: Office) -> None:
    assert office.say("guest", "任务18已完成") == (
        "您的角色是查询员，只能查询，不能报送；如需报送请联系督办办公室调整角色。",
        "refused",
    )
    assert office.say("guest", "任务18")[1] == "task_detail"


def test_confirm_records_and_the_answer_shows_it(office: Office) -> None:
    preview = office.send("fayuan", "任务18已完成")
    assert preview.intent == "preview"
    assert "内容：市中级人民法院报告本任务已完成" in preview.text
    assert [b.label for b in preview.buttons] == ["确认", "取消"]
    assert rows(office.db, TaskEvent) == []  # nothing before 确认
    submitted, intent = office.say("fayuan", "确认")
    assert intent == "recorded" and "待审核（审核号" in submitted
    reply, _ = office.say("fayuan", "任务18")
    assert "状态：待审核（市中级人民法院）" in reply  # 办结审核: a unit's word is not yet done
    assert len(rows(office.db, TaskEvent)) == 1
    assert office.say("duban", f"通过 {review_number(submitted)}")[1] == "reviewed"
    assert "状态：已办结（审核：陈督办" in office.say("fayuan", "任务18")[0]


def test_cancel_records_nothing(office: Office) -> None:
    reply, intent = office.say("gulou", "军门社区服务驿站已建成")
    assert intent == "preview" and "任务41" in reply
    assert office.say("gulou", "取消") == ("已取消，未记录任何内容。", "cancelled")
    assert rows(office.db, TaskEvent) == []
    assert office.say("gulou", "确认")[1] == "nothing_pending"


def test_completion_by_fragment_and_chinese_task_number(office: Office) -> None:
    assert "任务18" in office.say("fayuan", "我们的审判信息化建设已经完成")[0]
    assert "任务18" in office.say("fayuan", "第十八项办结了")[0]


def test_shared_task_is_done_unit_by_unit_or_by_an_admin(office: Office) -> None:
    task = "任务6"  # 市市场监管局, then 各县(市)区人民政府 (13) and 高新区管委会: 15 units
    numbers = []
    for user in ("gulou", "cangshan"):
        preview, intent = office.say(user, f"{task}已完成")
        assert intent == "preview", preview
        numbers.append(review_number(office.say(user, "确认")[0]))
    detail, _ = office.say("duban", task)
    assert "状态：待审核（鼓楼区人民政府、仓山区人民政府）" in detail, detail
    assert office.say("gulou", f"{task}已完成")[1] == "already"  # waiting for review: not reported twice
    for number in numbers:
        office.say("duban", f"通过 {number}")
    detail, _ = office.say("duban", task)
    assert "状态：部分完成（已完成 2/15 单位）" in detail, detail
    assert office.say("gulou", f"{task}已完成")[1] == "already"
    preview, _ = office.say("duban", f"{task}已完成")
    assert "标记整项任务已完成（管理员）" in preview
    office.say("duban", "确认")
    assert "状态：已完成" in office.say("duban", task)[0]


def test_progress_note_shows_in_the_task_answer(office: Office) -> None:
    preview, intent = office.say("duban", "任务6进展：已建成先行所18个")
    assert intent == "preview" and "进展：已建成先行所18个" in preview
    office.say("duban", "确认")
    assert "最新进展：已建成先行所18个（2025-09-20 09:02）" in office.say("fayuan", "任务6")[0]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("有效注册商标38.2万件", "38.2 万件"),
        ("有效注册商标382000件", "38.2 万件"),
        ("质押融资总金额达到一百二十八亿元", "128 亿元"),
        ("结案率97%", "97%"),
        ("知识产权诉讼案件审限内结案率百分之九十七", "97%"),
    ],
)
def test_values_are_converted_to_the_indicators_unit(office: Office, text: str, shown: str) -> None:
    preview, intent = office.say("duban", text)
    assert intent == "preview", preview
    assert f"：{shown}（截至 2025-09-20）" in preview


def test_value_in_chinese_numerals_changes_the_progress_answer(office: Office) -> None:
    assert "尚无上报数据" in office.say("ip", "鼓楼专利授权量进度")[0]
    preview, _ = office.say("ip", "鼓楼区专利授权量截至8月底三千一百二十件")
    assert "3120 件（截至 2025-08-31）" in preview
    office.say("ip", "确认")
    answer, _ = office.say("fayuan", "鼓楼专利授权量进度")
    assert "最新数据：3120 件（截至 2025-08-31，张三·鼓楼区市场监督管理局（知识产权局）上报）" in answer
    report = rows(office.db, IndicatorReport)[0]
    assert isinstance(report, IndicatorReport)
    assert report.message_text == "鼓楼区专利授权量截至8月底三千一百二十件" and report.platform == "test"


def test_implausible_values_get_a_note_not_a_refusal(office: Office) -> None:
    preview, intent = office.say("duban", "有效注册商标30万件")
    assert intent == "preview" and "⚠ 请核对：低于2023基线 37.66 万件" in preview
    office.say("duban", "确认")
    preview, _ = office.say("duban", "有效注册商标50万件")
    assert "⚠ 请核对：较上次上报 30 万件（截至 2025-09-20）变化 +67%" in preview


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("结案率97件", "单位不符：该指标以“%”计，收到的是“件”"),
        ("有效注册商标截至12月底38万件", "截至日期 2025-12-31 晚于今天"),
        ("任务10申请延期到2025年12月底", "并不更晚，无需延期"),
        ("任务41申请延期到2025年9月10日", "已经过去，请写一个今天以后的日期"),
        ("任务41申请延期", "请写明申请延期到哪一天"),
        ("任务13申请延期到2026年3月底", "长期推进任务，没有时限"),
        ("批准延期 41", "任务41没有待审批的延期申请"),
        ("有效注册商标-5万件", "上报的数值不能为负数"),
        ("任务999已完成", "没有第 999 项任务（共 42 项）"),
    ],
)
def test_bad_reports_say_why_and_write_nothing(office: Office, text: str, problem: str) -> None:
    reply, _ = office.say("duban", text)
    assert problem in reply
    assert rows(office.db, PendingOutcome) == [] and rows(office.db, TaskEvent) == []


def test_undo_within_30_minutes_only_the_senders_own(office: Office) -> None:
    office.say("fayuan", "结案率97%")
    office.say("fayuan", "确认")
    assert office.say("gulou", "撤销")[1] == "nothing_to_undo"  # nothing of theirs to undo
    reply, intent = office.say("fayuan", "撤销", after=timedelta(minutes=20))
    assert intent == "undone" and "97%" in reply
    assert office.say("fayuan", "撤销")[1] == "already"
    assert "尚无上报数据" in office.say("fayuan", "结案率进度")[0]
    office.say("fayuan", "结案率96%")
    office.say("fayuan", "确认")
    assert office.say("fayuan", "撤销", after=timedelta(minutes=31))[1] == "nothing_to_undo"
    assert len(rows(office.db, IndicatorReport)) == 3  # report, retraction, report: nothing deleted


def test_admin_retracts_anyones_completion_after_confirming(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    office.say("fayuan", "确认")
    preview, intent = office.say("duban", "撤销任务18的完成报告", after=timedelta(hours=3))
    assert intent == "preview" and "撤销：任务18 报告完成" in preview
    office.say("duban", "确认")
    assert "状态：未完成" in office.say("duban", "任务18")[0]
    assert office.say("fayuan", "撤销任务41的完成报告")[1] in ("refused", "nothing_to_undo")


def test_delay_request_approved_moves_the_deadline(office: Office) -> None:
    preview, _ = office.say("gulou", "任务41申请延期到2025年10月底，原因：社区服务驿站场地调整")
    assert "申请延期：2025-08-31 → 2025-10-31" in preview
    assert office.say("gulou", "确认")[0] == "已提交任务41的延期申请，待管理员审批。"
    assert "延期申请待批：至 2025-10-31" in office.say("gulou", "任务41")[0]
    assert office.say("gulou", "批准延期 41") == ("只有管理员可以审批延期申请。", "refused")
    reply, intent = office.say("duban", "批准延期 41")
    assert intent == "delay_decided" and "原定 2025-08-31" in reply
    detail, _ = office.say("gulou", "任务41")
    assert "时限：2025-10-31（剩 41 天）" in detail and "原定时限 2025-08-31，已批准延期" in detail
    assert "任务41" not in office.say("duban", "逾期任务")[0]


def test_delay_request_rejected_keeps_the_deadline(office: Office) -> None:
    office.say("gulou", "任务41申请延期到2025年10月底")
    office.say("gulou", "确认")
    assert "已驳回任务41延期" in office.say("duban", "驳回延期 41")[0]
    assert "时限：2025-08-31" in office.say("gulou", "任务41")[0]


def test_history_names_who_when_and_what(office: Office) -> None:
    office.say("gulou", "任务41申请延期到2025年10月底，原因：场地调整")
    office.say("gulou", "确认")
    office.say("duban", "批准延期 41")
    history, intent = office.say("fayuan", "任务41的办理记录")
    assert intent == "history"
    assert history.splitlines() == [
        "任务41的办理记录（共 2 条）：",
        "2025-09-20 09:02 王五·鼓楼区人民政府 申请延期：至 2025-10-31，原因：场地调整",
        "2025-09-20 09:03 陈督办·市市场监管局（知识产权局） 批准延期：至 2025-10-31",
    ]
    office.say("ip", "鼓楼区专利授权量3120件")
    office.say("ip", "确认")
    office.say("ip", "撤销")
    history, _ = office.say("duban", "鼓楼专利授权量上报历史")
    assert "张三·鼓楼区市场监督管理局（知识产权局） 上报：3120 件（截至 2025-09-20）〔已撤销〕" in history
    assert "撤销：撤回 2025-09-20 09:06 的上报" in history


def test_a_redelivered_message_is_recorded_once(office: Office) -> None:
    first = office.send("fayuan", "任务18已完成", mid="slack-1")
    again = office.send("fayuan", "任务18已完成", mid="slack-1")
    assert first.text == again.text  # the same preview, not a second pending write
    office.send("fayuan", "确认", mid="slack-2")
    assert office.send("fayuan", "确认", mid="slack-2").intent == "nothing_pending"
    office.send("fayuan", "撤销", mid="slack-3")
    assert office.send("fayuan", "撤销", mid="slack-3").intent == "already"
    assert [getattr(r, "kind", None) for r in rows(office.db, TaskEvent)] == ["completed", "retraction"]


def test_buttons_carry_the_pending_id_and_are_checked(office: Office) -> None:
    preview = office.send("fayuan", "任务18已完成")
    confirm, cancel = (b.data for b in preview.buttons)
    assert office.say("gulou", confirm) == ("这条待确认的上报不是您提交的，无法由您确认或取消。", "refused")
    assert office.say("fayuan", confirm)[1] == "recorded"
    assert office.say("fayuan", confirm)[0] == "这条上报已确认并记录，无需再次操作。"
    assert office.say("fayuan", cancel)[1] == "already"
    assert office.say("fayuan", "confirm:999999")[1] == "nothing_pending"


def test_pending_confirmations_expire_after_ten_minutes(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    reply, intent = office.say("fayuan", "确认", after=timedelta(minutes=11))
    assert intent == "expired" and "已超过 10 分钟，已失效，未记录" in reply
    assert rows(office.db, TaskEvent) == []
    assert office.say("fayuan", "确认")[1] == "nothing_pending"


def test_a_newer_report_supersedes_the_unconfirmed_one(office: Office) -> None:
    office.say("duban", "结案率97%")
    office.say("duban", "结案率98%")
    office.say("duban", "确认")
    assert "98%" in office.say("duban", "结案率进度")[0]
    assert len(rows(office.db, IndicatorReport)) == 1


def test_a_pending_confirmation_survives_a_restart(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    office.restart()
    assert office.say("fayuan", "确认")[1] == "recorded"


def test_ambiguous_completion_asks_which_and_the_choice_reports(office: Office) -> None:
    reply, intent = office.say("duban", "专利导航已完成")
    assert intent == "choose" and "2 鼓楼第6项" in reply
    preview, intent = office.say("duban", "2")
    assert intent == "preview" and preview.splitlines()[1].startswith("鼓楼第6项·重点工作（二）：")
    assert rows(office.db, TaskEvent) == []


def test_a_completion_without_a_task_asks_which(office: Office) -> None:
    assert office.say("fayuan", "已经全部完成了")[1] == "need_subject"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "任务18",
                "任务41",
                "已完成",
                "进展：",
                "截至9月底",
                "3120件",
                "百分之九十七",
                "撤销",
                "确认",
                "取消",
                "申请延期到2025年10月底",
                "批准延期",
                "驳回",
                "办理记录",
                "结案率",
                "鼓楼",
                "专利授权量",
                "，",
                "吗",
                "2",
                "confirm:1",
            ]
        ),
        max_size=6,
    ).map("".join)
)
def test_any_mix_of_report_words_gets_a_reply_and_writes_only_on_confirm(office: Office, text: str) -> None:
    before = len(rows(office.db, TaskEvent)) + len(rows(office.db, IndicatorReport))
    reply, intent = office.say("fayuan", text)
    assert reply and intent
    after = len(rows(office.db, TaskEvent)) + len(rows(office.db, IndicatorReport))
    assert after == before or intent in ("recorded", "undone", "delay_decided")


def test_pending_writes_are_append_only(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    office.say("fayuan", "取消")
    for table in ("pending_write", "pending_outcome"):
        with Session(office.db.engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.connection().exec_driver_sql(f"DELETE FROM {table}")
    with Session(office.db.engine) as session:
        assert len(session.exec(select(PendingWrite)).all()) == 1


# ---- the scripted walkthrough of examples/reporting.jsonl through `duban ask --jsonl` ----------------

WALKTHROUGH = [  # (intent, facts the reply must contain), one per line of examples/reporting.jsonl
    ("refused", "任务41的责任单位是鼓楼区人民政府，您所在的市中级人民法院无权报送。"),
    ("preview", "内容：市中级人民法院报告本任务已完成"),
    ("recorded", "已提交：任务18"),
    ("task_detail", "状态：待审核（市中级人民法院）"),
    ("review_list", "审核号 1：任务18「推进知识产权审判信息化建设"),
    ("reviewed", "已审核通过：市中级人民法院承担的任务18已办结"),
    ("task_detail", "状态：已办结（审核：陈督办，2025-09-20 09:06）"),
    ("preview", "任务41：建设军门社区知识产权服务驿站"),
    ("cancelled", "已取消，未记录任何内容。"),
    ("task_detail", "状态：未完成"),
    ("indicator_progress", "尚无上报数据"),
    ("preview", "知识产权诉讼案件审限内结案率：97%（截至 2025-08-31）"),
    ("recorded", "已记录"),
    ("indicator_progress", "最新数据：97%（截至 2025-08-31，李法官·市中级人民法院上报）"),
    ("undone", "已撤销：【福州市】知识产权诉讼案件审限内结案率 97%"),
    ("indicator_progress", "尚无上报数据"),
    ("preview", "申请延期：2025-08-31 → 2025-10-31"),
    ("recorded", "已提交任务41的延期申请，待管理员审批。"),
    ("delay_decided", "已批准任务41延期至 2025-10-31（原定 2025-08-31）"),
    ("task_detail", "原定时限 2025-08-31，已批准延期"),
    ("history", "王五·鼓楼区人民政府 申请延期：至 2025-10-31，原因：社区服务驿站场地调整"),
    ("history", "李法官·市中级人民法院 上报：97%（截至 2025-08-31）〔已撤销〕"),
]


def test_walkthrough_through_duban_ask_jsonl(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["init", "--db", db_url]) == 0
    for user, (name, unit, role) in PEOPLE.items():
        assert (
            main(["users", "add", user, "--name", name, "--unit", unit, "--role", role, "--db", db_url]) == 0
        )
    capsys.readouterr()
    script = (EXAMPLES / "reporting.jsonl").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main(["ask", "--jsonl", "--db", db_url]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(replies) == len(WALKTHROUGH)
    for number, (reply, (intent, fact)) in enumerate(zip(replies, WALKTHROUGH, strict=True), 1):
        assert (reply["intent"], fact in reply["reply"]) == (intent, True), (number, reply)


def test_two_senders_messages_with_one_id_never_share_a_pending_write(db: Database) -> None:
    """Should two people's messages ever carry the same id, the second is refused as a duplicate; it is
    never shown the first one's preview and buttons."""
    at = datetime(2025, 9, 20, 9, tzinfo=LOCAL_TZ)
    first = create_pending(
        db, WriteRequest("task_completed", "fuzhou-protection", number=18, unit="市中级人民法院"), "预览甲",
        Author("slack", "U0A", None, at, message_id="1758506400.000007"), timedelta(minutes=10),
    )  # fmt: skip
    with pytest.raises(DuplicateMessage):
        create_pending(
            db, WriteRequest("task_completed", "fuzhou-protection", number=41, unit="鼓楼区人民政府"), "预览乙",
            Author("slack", "U0B", None, at, message_id="1758506400.000007"), timedelta(minutes=10),
        )  # fmt: skip
    assert latest_pending(db, "slack", "U0B") is None
    assert latest_pending(db, "slack", "U0A") == first


def test_jsonl_message_ids_are_each_senders_own(
    db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`duban ask --jsonl` message ids are like a chat's: the same id from two people is two messages."""
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    for user in ("fayuan", "gulou"):
        name, unit, role = PEOPLE[user]
        add_member(db, platform="local", user_id=user, display_name=name, unit=unit, role=role, at=joined)
    lines = [
        {"text": "任务18已完成", "user": "fayuan", "message_id": "m1", "today": "2025-09-20"},
        {"text": "任务41已完成", "user": "gulou", "message_id": "m1", "today": "2025-09-20"},
        {"text": "任务18已完成", "user": "fayuan", "message_id": "m1", "today": "2025-09-20"},  # redelivered
    ]
    script = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main(["ask", "--jsonl", "--db", db.url]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["intent"] for r in replies] == ["preview", "preview", "preview"]
    assert "任务18" in replies[0]["reply"] and "任务41" in replies[1]["reply"]
    assert replies[2] == replies[0]
    assert len(rows(db, PendingWrite)) == 2


# ---- the permission is checked again at 确认, against the member as they are then ---------------------------


def _move(office: Office, user: str, unit: str, role: str = "staff") -> None:
    """`duban users add` again: the same person now in another unit or role."""
    name = PEOPLE[user][0]
    add_member(
        office.db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=office.clock
    )


def test_a_preview_made_for_one_unit_is_not_confirmed_after_a_move_to_another(office: Office) -> None:
    preview = office.send("fayuan", "任务18已完成")  # as 中院 staff, the unit responsible for task 18
    _move(office, "fayuan", "鼓楼区人民政府")
    assert office.say("fayuan", "确认") == (texts.preview_void("鼓楼区人民政府", "staff"), "refused")
    assert office.say("fayuan", preview.buttons[0].data)[1] == "already"  # closed, not left to confirm later
    assert office.say("fayuan", "确认")[1] == "nothing_pending"
    assert rows(office.db, TaskEvent) == []


def test_a_preview_for_a_shared_task_speaks_for_the_unit_it_was_made_as(office: Office) -> None:
    """Task 6 is also 仓山's: but the preview says 鼓楼 reports its part, so after the move it is void."""
    preview = office.send("gulou", "任务6已完成")
    assert "鼓楼区人民政府报告本单位承担部分已完成" in preview.text
    _move(office, "gulou", "仓山区人民政府")
    assert office.say("gulou", preview.buttons[0].data) == (
        texts.preview_void("仓山区人民政府", "staff"),
        "refused",
    )
    assert rows(office.db, TaskEvent) == []


def test_a_preview_confirmed_by_button_after_becoming_a_viewer_is_refused(office: Office) -> None:
    preview = office.send("fayuan", "任务18已完成")
    _move(office, "fayuan", "中院", role="viewer")
    assert office.say("fayuan", preview.buttons[0].data) == (texts.VIEWER_CANNOT_WRITE, "refused")
    assert rows(office.db, TaskEvent) == []


def test_an_admins_preview_is_void_once_they_are_no_longer_admin(office: Office) -> None:
    preview = office.send("duban", "任务6已完成")
    assert "标记整项任务已完成（管理员）" in preview.text
    _move(office, "duban", "市监局", role="staff")  # 市监局 is one of task 6's units, but not for the whole
    assert office.say("duban", "确认") == (
        texts.preview_void("市市场监管局（知识产权局）", "staff"),
        "refused",
    )
    assert rows(office.db, TaskEvent) == []


def test_a_removed_members_preview_is_not_confirmed_even_where_anyone_may_ask(db: Database) -> None:
    office = Office(db)
    office.core = Core(Knowledge(db), public_read=True)  # strangers are answered, so the button reaches 确认
    preview = office.send("fayuan", "任务18已完成")
    remove_member(db, platform="test", user_id="fayuan", at=office.clock, actor="test")
    assert office.say("fayuan", preview.buttons[0].data) == (texts.NOT_BOUND, "not_bound")
    assert rows(db, TaskEvent) == []


def test_a_district_plans_item_is_reported_by_its_own_numbering(office: Office) -> None:
    """Issue 17, defect 1: 鼓楼第3项 is the 鼓楼 plan's third item, not the city's 任务3."""
    for text in ("鼓楼第3项已完成", "鼓楼方案第3项已完成"):
        preview = office.send("ip", text)
        assert preview.intent == "preview", preview.text
        assert "鼓楼第3项" in preview.text and "任务3" not in preview.text
        assert office.say("ip", "取消")[1] == "cancelled"
    office.say("ip", "鼓楼第3项已完成")
    assert office.say("ip", "确认")[1] == "recorded"
    reply, _ = office.say("ip", "鼓楼第3项")
    assert "待审核（鼓楼区市场监督管理局（知识产权局））" in reply, reply
    assert "已完成" not in office.say("duban", "任务3")[0].split("状态：")[-1]  # the city's 任务3 untouched
    reply, intent = office.say(
        "gulou", "鼓楼第41项已完成"
    )  # no such item: said, not taken as the city's 任务41
    assert intent == "need_subject" and "没有第 41 项" in reply


def test_an_admins_retraction_is_recorded_under_the_admins_own_unit(office: Office) -> None:
    """Issue 17, defect 3: the audit row names who withdrew the report and that person's unit."""
    office.say("fayuan", "任务18已完成")
    office.say("fayuan", "确认")
    office.say("duban", "撤销任务18")
    assert office.say("duban", "确认")[1] == "recorded"
    history, _ = office.say("duban", "任务18办理记录")
    assert "陈督办·市市场监管局（知识产权局） 撤销" in history
    assert "陈督办·市中级人民法院" not in history


@pytest.mark.parametrize("text", ["军门社区知识产权服务驿站已经建好了", "驿站建设已完成"])
def test_everyday_completion_wording_is_a_report(office: Office, text: str) -> None:
    """Issue 17: only one task mentions 驿站; 建好了 and 驿站建设 say it is done."""
    preview = office.send("gulou", text)
    assert preview.intent == "preview" and "任务41" in preview.text
    assert rows(office.db, TaskEvent) == []


def test_a_districts_figure_is_its_part_and_never_replaces_the_citys(office: Office) -> None:
    """Issue 17, defect 2 and per-district figures: 仓山's 2 先行所 are 仓山's part of the city's 26."""
    preview, _ = office.say("cangshan", "我区先行所已建成2个")
    assert "计入全市合计，不替代全市数" in preview and "低于2023基线" not in preview
    office.say("cangshan", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert (
        "最新数据：合计 2 个" in reply
        and "仓山区人民政府 2 个" in reply
        and "尚未上报：鼓楼区人民政府" in reply
    )
    office.say("gulou", "我区先行所已建成3个")
    office.say("gulou", "确认")
    assert "最新数据：合计 5 个" in office.say("duban", "先行所进度")[0]
    office.say("duban", "先行所已建成20个")  # the lead's own city-wide figure stands
    office.say("duban", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert "最新数据：20 个" in reply and "陈督办" in reply
    assert "分单位上报：仓山区人民政府 2 个" in reply and "鼓楼区人民政府 3 个" in reply
    office.say("cangshan", "我区先行所已建成4个")  # a district's update changes its part, not the city's
    office.say("cangshan", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert (
        "最新数据：20 个" in reply and "仓山区人民政府 4 个" in reply and "仓山区人民政府 2 个" not in reply
    )


def test_rates_reported_by_districts_are_never_summed(office: Office) -> None:
    for user, value in (("cangshan", "12%"), ("gulou", "8%")):
        preview, _ = office.say(user, f"以裁决结案的专利纠纷办理量年增幅{value}")
        assert "比率不相加" in preview
        office.say(user, "确认")
    reply, _ = office.say("duban", "年增幅进度")
    assert "最新数据：尚无上报数据" in reply and "20%" not in reply
    assert "仓山区人民政府 12%" in reply and "鼓楼区人民政府 8%" in reply


# ---- found by the adversarial run on reporting (issue 17): retraction, moves, territories ---------------------


def test_a_retraction_is_not_undone_by_another_undo(office: Office) -> None:
    """撤销 after 撤销 would reach past the retraction and withdraw an older report."""
    office.say("fayuan", "结案率97%")
    office.say("fayuan", "确认")
    office.say("fayuan", "结案率96%", after=timedelta(minutes=2))
    office.say("fayuan", "确认")
    assert office.say("fayuan", "撤销")[1] == "undone"  # 96% withdrawn
    reply, intent = office.say("fayuan", "撤销")
    assert intent in ("refused", "already"), reply
    assert "97%" in office.say("fayuan", "结案率进度")[0]  # the older report still stands


def test_an_admins_retraction_reply_offers_no_undo(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    office.say("fayuan", "确认")
    office.say("duban", "撤销任务18")
    reply, intent = office.say("duban", "确认")
    assert intent == "recorded" and texts.UNDO_HINT not in reply and "重新上报" in reply
    assert office.say("duban", "撤销") == (texts.LAST_WAS_RETRACTION, "refused")
    assert "状态：未完成" in office.say("duban", "任务18")[0]


def test_a_moved_member_cannot_undo_the_old_units_report(office: Office) -> None:
    office.say("fayuan", "任务18已完成")
    office.say("fayuan", "确认")
    _move(office, "fayuan", "鼓楼区人民政府")
    assert office.say("fayuan", "撤销") == (texts.NOT_YOUR_UNITS_ANY_MORE, "refused")
    assert "状态：待审核（市中级人民法院）" in office.say("duban", "任务18")[0]  # the report stands


def test_an_admin_naming_a_district_enters_that_districts_part(office: Office) -> None:
    preview, _ = office.say("duban", "仓山区先行所已建成4个")
    assert texts.on_behalf("仓山区人民政府") in preview and "计入全市合计" in preview
    office.say("duban", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert "仓山区人民政府 4 个" in reply and "合计 4 个" in reply


def test_staff_may_not_report_another_districts_part(office: Office) -> None:
    reply, intent = office.say("cangshan", "鼓楼区先行所已建成4个")
    assert intent == "refused" and reply == texts.territory_refused("鼓楼区人民政府", "仓山区人民政府")
    assert rows(office.db, PendingOutcome) == []


def test_an_incomplete_sum_is_not_rated_as_the_citys_standing(office: Office) -> None:
    office.say("cangshan", "我区先行所已建成2个")
    office.say("cangshan", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert texts.INCOMPLETE_SUM in reply and "🔴" not in reply


def test_the_admin_retracts_the_named_districts_part_and_sees_whose(office: Office) -> None:
    office.say("cangshan", "我区先行所已建成2个")
    office.say("cangshan", "确认")
    office.say("gulou", "我区先行所已建成3个")
    office.say("gulou", "确认")
    preview, intent = office.say("duban", "撤销仓山区的先行所上报")
    assert intent == "preview" and "赵六" in preview and "2 个" in preview and "3 个" not in preview
    office.say("duban", "确认")
    reply, _ = office.say("duban", "先行所进度")
    assert "合计 3 个" in reply and "仓山区人民政府 2 个" not in reply
