"""Reminder delivery end to end through the outbox: sweeps, claims, retries, catch-up, acknowledgement.

Every test runs on SQLite and on PostgreSQL (the `db` fixture) with the clock in the test's hands; the
transport is a recording port, so what reached each chat is exactly what the assertions see.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from bot.conversation.reminders import ReminderTexts
from schedules.calendar import WorkCalendar
from schedules.delivery import Deliverer, DeliveryPolicy
from schedules.limits import TransportLimits
from schedules.port import Outgoing, SendResult
from schedules.service import SWEEP_JOB_ID, ReminderService, install_sweep_job
from schedules.sweep import run_sweep
from store.catalog_queries import list_units
from store.db import Database
from store.errors import StoreError
from store.members import add_member
from store.models import ReminderItem
from store.plan_status import set_plan_status
from store.reminder_chats import Target, bind_unit_chat, unit_chats
from store.reporting import Author, WriteRequest, record

GULOU = "鼓楼区人民政府"
SUPERVISOR = "市市场监管局（知识产权局）"
ADMIN_CHAT = "admin-1"


class RecordingPort:
    """A transport that records what it delivered and can be scripted to answer 429, errors or blocks."""

    limits = TransportLimits()

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.script: dict[str, list[SendResult]] = {}
        self.lock = threading.Lock()

    async def send(self, message: Outgoing) -> SendResult:
        with self.lock:
            queued = self.script.get(message.target.chat_id)
            result = queued.pop(0) if queued else SendResult.sent(str(len(self.sent) + 1))
            if result.status == "sent":
                self.sent.append(message)
        return result

    def to(self, chat: str) -> list[str]:
        """What was sent to the chat, each item reduced to its label (任务41), as the checks below compare."""
        return [_labels_only(m.text) for m in self.sent if m.target.chat_id == chat]

    def named(self, chat: str) -> list[str]:
        return [m.text for m in self.sent if m.target.chat_id == chat]


def _labels_only(text: str) -> str:
    """【示范区】任务41「建设军门社区…」 → 任务41 (a long digest names the plan once, above its lines): the plan
    and the task's words are checked on their own."""
    return re.sub(r"(?:【[^】]*】)?((?:任务|[^\s「]{1,6}第)\d+项?)「[^」]*」", r"\1", text)


class Office:
    """Units with reminder chats (chat id = unit name), one admin, a clock and a port."""

    def __init__(self, db: Database, *, unbound: tuple[str, ...] = ()) -> None:
        self.db = db
        self.port = RecordingPort()
        self.now = datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)
        joined = datetime(2025, 1, 1, tzinfo=UTC)
        add_member(
            db,
            platform="telegram",
            user_id=ADMIN_CHAT,
            display_name="陈督办",
            unit="市监局",
            role="admin",
            at=joined,
        )
        add_member(
            db,
            platform="telegram",
            user_id="gulou-1",
            display_name="王五",
            unit=GULOU,
            role="staff",
            at=joined,
        )
        for unit in list_units(db):
            if unit.kind != "collective" and unit.name not in unbound:
                bind_unit_chat(
                    db,
                    unit=unit.name,
                    target=Target("telegram", unit.name),
                    member_id=None,
                    actor="test",
                    at=joined,
                )

    def at(self, day: date, clock: time = time(9, 5)) -> Office:
        self.now = datetime.combine(day, clock, LOCAL_TZ)
        return self

    def deliverer(self, calendar: WorkCalendar, worker: str = "w1") -> Deliverer:
        async def no_wait(_seconds: float) -> None:
            return None

        return Deliverer(
            self.db, {"telegram": self.port}, ReminderTexts(), calendar, clock=lambda: self.now, worker=worker,
            policy=DeliveryPolicy(batch=7), monotonic=lambda: 0.0, sleep=no_wait,
        )  # fmt: skip

    def tick(self, instance: str = "i1") -> None:
        service = ReminderService(self.db, self.deliverer, clock=lambda: self.now, instance=instance)
        asyncio.run(service.tick())

    def complete(self, number: int, unit: str, at: datetime) -> None:
        """The unit's completion report and the supervising office's 通过 (办结审核) a minute later."""
        reported = record(
            self.db,
            WriteRequest("task_completed", "fuzhou-protection", number=number, unit=unit),
            Author("telegram", "gulou-1", None, at, message_id=f"done-{number}-{unit}"),
        )
        record(
            self.db,
            WriteRequest("completion_approved", "fuzhou-protection", number=number, refers_to=reported),
            Author("telegram", ADMIN_CHAT, None, at + timedelta(minutes=1), message_id=f"ok-{number}-{unit}"),
        )

    def notices(self) -> list[str]:
        """What the admin was told, apart from the regular messages: the Monday overdue summary, the weekly
        通报 and the one closing request of a plan past its validity (the 鼓楼 plan, to 2025-06-30)."""
        regular = ("【逾期周报】", "【督办周通报】", "【方案到期】", "【方案归档】", "【长期逾期月报】")
        return [t for t in self.port.to(ADMIN_CHAT) if not t.startswith(regular)]

    def events(self, chat: str) -> list[str]:
        """The delivery events of the messages that went (or were tried) to chat, in order."""
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT kind FROM delivery_event WHERE kind <> 'claimed' AND message_id IN "
                    "(SELECT message_id FROM delivery_event WHERE target = :target) ORDER BY id"
                ),
                {"target": f"telegram:{chat}"},
            )
            return [row[0] for row in rows]


@pytest.fixture
def office(db: Database) -> Office:
    return Office(db)


def test_restart_on_the_same_day_sends_nothing_twice(office: Office) -> None:
    office.at(date(2025, 9, 1)).tick()
    first = list(office.port.sent)
    assert len(office.port.to(GULOU)) == 1 and "任务41已逾期 1 个工作日" in office.port.to(GULOU)[0]
    office.at(date(2025, 9, 1), time(11, 0)).tick(instance="after-restart")
    assert office.port.sent == first
    chats = Counter(m.target.chat_id for m in office.port.sent if m.target.chat_id != ADMIN_CHAT)
    assert max(chats.values()) == 1  # one message per unit per day


def test_a_sweep_for_a_day_an_earlier_catch_up_covered_adds_no_reminder_twice(office: Office) -> None:
    """`duban reminders sweep --today` for a past day: a catch-up on 4 September already covered
    1 September, so what that day gives is in the outbox already; the sweep leaves it out (on PostgreSQL
    adding it again would abort the sweep on the unique key). 1 September: the first working day of a month
    and of a week, when tasks long overdue are chased too."""
    office.at(date(2025, 8, 29)).tick()
    office.at(date(2025, 9, 4)).tick()  # down Monday to Wednesday: covers 1–3 September
    before = _item_count(office.db)
    report = run_sweep(office.db, now=datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ), calendar=WorkCalendar(),
                       instance="by-hand")  # fmt: skip
    assert report is not None and report.digests > 0
    assert (report.created.messages, report.created.items) == (0, 0) and _item_count(office.db) == before


def _item_count(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM reminder_item")).scalar_one())


def test_three_days_down_gives_one_catch_up_digest_without_completed_items(office: Office) -> None:
    office.at(date(2025, 8, 29)).tick()  # Friday: task 41 due today
    assert "任务41今天到期" in office.port.to(GULOU)[0]
    office.complete(41, GULOU, datetime(2025, 9, 2, 10, 0, tzinfo=LOCAL_TZ))  # done while the bot was down
    before = len(office.port.sent)
    office.at(date(2025, 9, 4)).tick()  # down Monday to Wednesday
    new = office.port.sent[before:]
    assert Counter(m.target.chat_id for m in new).most_common(1)[0][1] == 1
    gulou = office.port.to(GULOU)[-1]
    assert gulou.startswith("【督办提醒·补发】鼓楼区人民政府（2025-09-04）")
    assert "系统自 2025-09-01 起未能按时发送提醒" in gulou
    assert "任务41" not in gulou  # completed meanwhile
    assert gulou.count("任务11已逾期") == 1  # restated once, as of today, not once per missed day
    assert "任务11已逾期 4 个工作日" in gulou
    supervisor = office.port.to(SUPERVISOR)[-1]
    assert f"任务41（{GULOU}）" not in supervisor


def test_a_completed_task_gets_no_reminder(office: Office) -> None:
    office.complete(41, GULOU, datetime(2025, 8, 27, 10, 0, tzinfo=LOCAL_TZ))
    office.at(date(2025, 8, 29)).tick()
    assert "任务41" not in office.port.to(GULOU)[0]
    office.at(date(2025, 9, 1)).tick()
    assert all("任务41" not in text for text in office.port.to(GULOU))
    assert all(f"任务41（{GULOU}）" not in text for text in office.port.to(SUPERVISOR))


def test_the_supervisor_hears_of_a_late_task_once_naming_its_late_units(office: Office) -> None:
    """Task 11 is the city office's with the 13 county-level governments and 高新区管委会: its overdue notice
    reaches the office as one line naming the 14 late units, not 14 lines, and not the office itself."""
    office.at(date(2025, 9, 1)).tick()
    supervisor = office.port.to(SUPERVISOR)[0]
    expected = f"任务11（{GULOU}、台江区人民政府、仓山区人民政府等 14 个单位）已逾期 1 个工作日，时限 2025-08-31，请督促"
    assert supervisor.count("任务11（") == 1 and expected in supervisor
    assert f"任务41（{GULOU}）已逾期 1 个工作日" in supervisor
    assert "任务11已逾期 1 个工作日（时限 2025-08-31），请尽快办结并报送" in supervisor  # its own part


def test_a_429_is_honoured_then_the_message_goes(office: Office) -> None:
    office.port.script[GULOU] = [SendResult("throttled", retry_after=3, detail="Too Many Requests")]
    office.at(date(2025, 9, 1)).tick()
    assert office.port.to(GULOU) == [] and len(office.port.sent) > 10
    office.at(date(2025, 9, 1), time(9, 5, 2)).tick()
    assert office.port.to(GULOU) == []  # retry_after not over yet
    office.at(date(2025, 9, 1), time(9, 5, 4)).tick()
    assert len(office.port.to(GULOU)) == 1
    assert office.events(GULOU) == ["throttled", "sent"]


def test_errors_back_off_up_to_a_cap_and_are_never_given_up(office: Office) -> None:
    """Issue 15 changed this: after 5 errors a digest used to fail for good (a 25-minute outage lost 538 of
    668). Now transient errors back off 30 s doubled, at most 10 minutes apart, and the digest goes out once
    the platform answers again."""
    office.port.script[GULOU] = [SendResult("error", detail="HTTP 502")] * 8
    moment = datetime(2025, 9, 1, 9, 5, tzinfo=LOCAL_TZ)
    for wait in (0, 30, 60, 120, 240, 480, 600, 600, 600):  # doubled, then capped at 10 minutes
        moment += timedelta(seconds=wait)
        office.now = moment
        office.tick()
    assert office.events(GULOU) == ["retry"] * 8 + ["sent"]
    assert len(office.port.to(GULOU)) == 1
    assert not any(n.startswith("【送达失败】") for n in office.notices())


def test_a_blocked_chat_fails_at_once_is_unbound_and_the_admins_are_told(office: Office) -> None:
    office.port.script[GULOU] = [SendResult("blocked", detail="Forbidden: bot was blocked by the user")]
    office.at(date(2025, 9, 1)).tick()
    assert office.events(GULOU) == ["failed"]
    notice = office.notices()[0]
    assert notice.startswith("【聊天不可达】telegram:鼓楼区人民政府 拒绝了机器人的消息")
    assert "bot was blocked" in notice and "鼓楼区人民政府的督办提醒已停止发往该聊天" in notice
    assert GULOU not in unit_chats(office.db)  # the chat refused us; later digests must not go there
    assert SUPERVISOR in unit_chats(office.db)
    office.at(date(2025, 9, 1), time(10)).tick()
    assert len(office.notices()) == 1  # told once
    office.at(date(2025, 9, 8)).tick()  # the next digest (任务41 chased again) is reported, not sent
    assert office.port.to(GULOU) == []
    assert any(n.startswith("【未绑定，无法送达】鼓楼区人民政府") for n in office.notices())


def test_a_unit_without_a_chat_is_reported_to_the_admins(db: Database) -> None:
    office = Office(db, unbound=(GULOU,))
    office.at(date(2025, 9, 1)).tick()
    notices = office.notices()
    assert len(notices) == 1
    assert notices[0].startswith("【未绑定，无法送达】鼓楼区人民政府尚未绑定接收提醒的聊天")


def test_acknowledged_digests_rest_and_unacknowledged_ones_come_once_more(office: Office) -> None:
    # re-sending is what is tested: the 示范区 plan chases late tasks every 5 working days however late they
    # are (its own policy), so that each of these days has reminders of its own
    with office.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE plan SET reminder_policy = :policy WHERE code = 'fuzhou-protection'"),
            {"policy": '{"weekly_after_months": 1200, "monthly_after_months": 1200}'},
        )
    office.at(date(2025, 9, 1)).tick()
    core = Core(Knowledge(office.db))
    acked = core.handle(Inbound("telegram", "gulou-1", "gulou-1", "收到", office.now, "ack-1"))
    assert acked[0].text == texts.ACKED
    again = core.handle(Inbound("telegram", "gulou-1", "gulou-1", "收到", office.now, "ack-2"))
    assert again[0].text == texts.NOTHING_TO_ACK
    office.at(date(2025, 9, 2)).tick()
    assert all(texts.RESENT_MARK not in t for t in office.port.to(GULOU))  # acknowledged: nothing re-sent
    supervisor = office.port.to(SUPERVISOR)
    assert len(supervisor) == 2 and texts.RESENT_MARK in supervisor[1]
    office.at(date(2025, 9, 3)).tick()
    second_new, second_resent = _lines(supervisor[1])
    _, third_resent = _lines(office.port.to(SUPERVISOR)[2])
    assert third_resent and third_resent <= second_new  # 9-02's own reminders come once more ...
    assert not (second_resent - second_new) & third_resent  # ... but what 9-02 re-sent is not re-sent again


def _lines(digest: str) -> tuple[set[str], set[str]]:
    """A digest's reminder lines without their numbers: (new ones, re-sent ones without the mark)."""
    lines = [_uncoloured(line.split(". ", 1)[1]) for line in digest.splitlines() if ". " in line]
    return (
        {line for line in lines if not line.startswith(texts.RESENT_MARK)},
        {line.removeprefix(texts.RESENT_MARK) for line in lines if line.startswith(texts.RESENT_MARK)},
    )


def _uncoloured(line: str) -> str:
    """A digest line without its colour (🔵 due soon turns 🟡 when re-sent unacknowledged)."""
    return line.lstrip("".join(texts.COLOUR_MARKS.values()))


def test_the_ack_button_names_its_digest_and_checks_the_unit(office: Office) -> None:
    office.at(date(2025, 9, 1)).tick()
    message = next(m for m in office.port.sent if m.target.chat_id == GULOU)
    label, data = message.buttons[0]
    assert label == "收到" and data.startswith("ack:")
    other = next(m for m in office.port.sent if m.target.chat_id == SUPERVISOR)
    core = Core(Knowledge(office.db))
    wrong = core.handle(Inbound("telegram", "gulou-1", "gulou-1", other.buttons[0][1], office.now, "b1"))
    assert wrong[0].text == texts.ACK_PROBLEMS["not_yours"]
    right = core.handle(Inbound("telegram", "gulou-1", "gulou-1", data, office.now, "b2"))
    assert right[0].text == texts.ACKED
    twice = core.handle(Inbound("telegram", "gulou-1", "gulou-1", data, office.now, "b3"))
    assert twice[0].text == texts.ACK_PROBLEMS["already"]
    assert office.events(GULOU)[-1] == "acked"


def test_nothing_goes_out_of_hours_or_on_holidays(office: Office) -> None:
    office.at(date(2025, 9, 1), time(8, 59)).tick()
    office.at(date(2025, 9, 1), time(18, 0)).tick()
    office.at(date(2025, 10, 3)).tick()  # 国庆
    office.at(date(2025, 9, 6)).tick()  # Saturday
    assert office.port.sent == []
    office.at(date(2025, 9, 28)).tick()  # the Sunday worked for 国庆 (调休)
    assert office.port.sent


def test_chat_binding_by_message_and_reminders_reach_that_chat(db: Database) -> None:
    office = Office(db, unbound=(GULOU,))
    core = Core(Knowledge(db))
    reply = core.handle(
        Inbound("telegram", "-100200", "gulou-1", "接收提醒", office.now, "sub-1", group=True)
    )
    assert reply[0].text == texts.chat_bound(GULOU)
    office.at(date(2025, 9, 1)).tick()
    assert len(office.port.to("-100200")) == 1 and office.notices() == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_sweepers_at_once_on_postgresql_never_send_twice(db: Database) -> None:
    office = Office(db)
    office.at(date(2025, 9, 1))
    start = threading.Barrier(2)

    def instance(name: str) -> None:
        own = Database(db.url)  # a second process has its own engine and connections
        try:
            start.wait()
            service = ReminderService(
                own, lambda calendar: _on(own, office.deliverer(calendar, worker=name)), clock=lambda: office.now,
                instance=name,
            )  # fmt: skip
            asyncio.run(service.tick())
        finally:
            own.dispose()

    threads = [threading.Thread(target=instance, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    chats = Counter(m.target.chat_id for m in office.port.sent if m.target.chat_id != ADMIN_CHAT)
    with db.engine.connect() as connection:
        messages = connection.execute(text("SELECT count(*) FROM reminder_message")).scalar_one()
    assert len(office.port.sent) == messages > 20
    assert max(chats.values()) == 1
    with db.engine.connect() as connection:
        workers = {row[0] for row in connection.execute(text("SELECT DISTINCT worker FROM delivery_event"))}
    assert workers <= {"a", "b"}


def _on(db: Database, deliverer: Deliverer) -> Deliverer:
    deliverer.db = db
    return deliverer


def test_outbox_tables_are_append_only(office: Office) -> None:
    office.at(date(2025, 9, 1)).tick()
    for table in ("reminder_message", "reminder_item", "delivery_event", "reminder_sweep", "unit_chat"):
        with pytest.raises(DBAPIError), office.db.engine.begin() as connection:
            connection.execute(text(f"DELETE FROM {table}"))
    with office.db.engine.connect() as connection:
        items = connection.execute(select(ReminderItem.kind)).all()  # type: ignore[call-overload]
    assert items


async def test_the_sweep_is_one_apscheduler_job_replaced_on_restart(db: Database) -> None:
    office = Office(db)
    service = ReminderService(db, office.deliverer, clock=lambda: office.now, instance="i")
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    scheduler.start(paused=True)
    try:
        install_sweep_job(scheduler, service)
        job = install_sweep_job(scheduler, service)  # a restart re-installs: still one job
        assert [j.id for j in scheduler.get_jobs()] == [SWEEP_JOB_ID]
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
        assert str(job.trigger.timezone) == "Asia/Shanghai"
        assert job.next_run_time == office.now
    finally:
        scheduler.shutdown(wait=False)


def test_admins_get_the_weekly_overdue_summary_once_on_the_first_working_day(office: Office) -> None:
    office.at(date(2025, 9, 2)).tick()  # a Tuesday: no summary (the expired 鼓楼 plan's closing request only)
    assert [t for t in office.port.to(ADMIN_CHAT) if not t.startswith("【方案到期】")] == []
    office.at(date(2025, 9, 8)).tick()  # Monday
    office.at(date(2025, 9, 8), time(15)).tick()
    summaries = [t for t in office.port.to(ADMIN_CHAT) if t.startswith("【逾期周报】")]
    assert len(summaries) == 1
    assert summaries[0].startswith("【逾期周报】截至 2025-09-08，共 ")
    # each late task named as the digests and chat name it: the plan's short name, the item, its words
    [named] = [t for t in office.port.named(ADMIN_CHAT) if t.startswith("【逾期周报】")]
    assert (
        "逾期最久的任务：\n1. 【示范区】任务" in named or "逾期最久的任务：\n1. 【鼓楼方案】鼓楼第" in named
    )
    assert "「" in named and "福州市任务" not in named and "鼓楼区任务" not in named
    assert "鼓楼区人民政府" in summaries[0]


def test_every_reminder_item_names_rows_that_exist(office: Office) -> None:
    """reminder_item's unit, plan, task, indicator and late-unit ids are not foreign keys (migration 0005, for
    sweep speed): the sweep must still only write ids it read from the store — on a day with escalations,
    a quarter's data requests, a catch-up and a re-send."""
    office.at(date(2025, 9, 1)).tick()
    office.at(date(2025, 9, 2)).tick()  # re-sends of 1 September's unacknowledged digests
    office.at(
        date(2025, 10, 14)
    ).tick()  # after 国庆: a catch-up, escalations and the quarter's data requests
    checks = {
        "unit_id": "unit",
        "about_unit_id": "unit",
        "plan_id": "plan",
        "task_id": "task",
        "indicator_id": "indicator",
    }
    with office.db.engine.connect() as connection:
        for column, parent in checks.items():
            used = connection.execute(text(f"SELECT count(*) FROM reminder_item WHERE {column} IS NOT NULL"))
            dangling = connection.execute(
                text(
                    f"SELECT count(*) FROM reminder_item i LEFT JOIN {parent} p ON p.id = i.{column} "
                    f"WHERE i.{column} IS NOT NULL AND p.id IS NULL"
                )
            )
            assert (column, dangling.scalar_one()) == (column, 0)
            assert used.scalar_one() > 0 or column == "indicator_id", column
        kinds = {row[0] for row in connection.execute(text("SELECT DISTINCT kind FROM reminder_item"))}
        resent = connection.execute(
            text("SELECT count(*) FROM reminder_item WHERE resent_from_id IS NOT NULL")
        )
        assert {"escalation", "overdue", "data_request"} <= kinds
        assert resent.scalar_one() > 0


def _notice_to_the_admins(db: Database) -> int:
    with db.engine.connect() as connection:
        found: int = connection.execute(
            text("SELECT id FROM reminder_message WHERE kind = 'notice' AND body LIKE :unbound"),
            {"unbound": "【未绑定，无法送达】%"},
        ).scalar_one()
    return found


def _say(db: Database, user: str, words: str, at: datetime, mid: str) -> str:
    return Core(Knowledge(db)).handle(Inbound("telegram", user, user, words, at, mid))[0].text


def test_staff_cannot_acknowledge_a_notice_to_the_admins(db: Database) -> None:
    """A notice to the admins names no unit: staff of any unit typing ack:<its id> must not acknowledge it."""
    office = Office(db, unbound=(SUPERVISOR,))
    office.at(date(2025, 9, 1)).tick()
    notice = _notice_to_the_admins(db)
    assert _say(db, "gulou-1", f"ack:{notice}", office.now, "s1") == texts.ACK_ADMINS_ONLY
    assert _say(db, ADMIN_CHAT, f"ack:{notice}", office.now, "a1") == texts.ACKED
    assert _say(db, "gulou-1", "收到", office.now, "s2") == texts.ACKED  # their own unit's digest: yes


def test_a_viewer_acknowledges_nothing(office: Office) -> None:
    """A viewer may only ask: not even their own unit's digest is theirs to acknowledge."""
    db = office.db
    add_member(
        db, platform="telegram", user_id="gulou-viewer", display_name="钱七", unit=GULOU, role="viewer",
        at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    office.at(date(2025, 9, 1)).tick()
    digest = next(m for m in office.port.sent if m.target.chat_id == GULOU).buttons[0][1]
    assert _say(db, "gulou-viewer", digest, office.now, "v1") == texts.ACK_VIEWER
    assert _say(db, "gulou-viewer", "收到", office.now, "v2") == texts.ACK_VIEWER
    assert office.events(GULOU)[-1] == "sent"  # nothing acknowledged


def test_a_digest_names_each_items_plan_and_task_in_a_few_words(office: Office) -> None:
    """Issue 17: not just 任务41 — 【示范区】任务41「建设军门社区…」, the same label as in chat for 鼓楼's items."""
    office.at(date(2025, 9, 1)).tick()
    text = office.port.named(GULOU)[0]
    assert "【示范区】任务41「建设军门社区知识产权服务驿站,设立…」已逾期 1 个工作日" in text


def test_a_completion_waiting_for_review_is_still_chased_until_approved(office: Office) -> None:
    """办结审核: reminders go on while a unit's report waits for 通过, and stop once it is approved."""
    reported = record(
        office.db,
        WriteRequest("task_completed", "fuzhou-protection", number=41, unit=GULOU),
        Author("telegram", "gulou-1", None, datetime(2025, 8, 29, 10, tzinfo=LOCAL_TZ), message_id="done-41"),
    )
    office.at(date(2025, 9, 1)).tick()
    assert "任务41已逾期 1 个工作日" in office.port.to(GULOU)[0]  # reported, not yet approved
    record(
        office.db,
        WriteRequest("completion_approved", "fuzhou-protection", number=41, refers_to=reported),
        Author("telegram", ADMIN_CHAT, None, datetime(2025, 9, 1, 15, tzinfo=LOCAL_TZ), message_id="ok-41"),
    )
    office.at(date(2025, 9, 8)).tick()  # the next chase day: 5 working days on
    assert not any("任务41" in text for text in office.port.to(GULOU)[1:])
    assert any("任务11" in text for text in office.port.to(SUPERVISOR)[-1:])  # a chase day indeed


def test_a_due_soon_reminder_left_unacknowledged_turns_the_task_yellow(office: Office) -> None:
    """督办 colours: 蓝 due within 5 working days, 黄 once its due-soon reminder went without 收到, 红 late."""
    office.at(date(2025, 8, 22)).tick()  # 5 working days before 任务41's deadline (Sunday 31 August)
    [digest] = office.port.to(GULOU)
    assert "🔵" in digest and "任务41还有" in digest
    core = Core(Knowledge(office.db))

    def ask(day: date, text: str) -> str:
        at = datetime.combine(day, time(10), LOCAL_TZ)
        return core.handle(Inbound("telegram", "gulou-1", "gulou-1", text, at, f"{day}-{text}"))[0].text

    assert "督办标识：🟡 黄（临期提醒未确认收到）" in ask(date(2025, 8, 25), "任务41")
    assert ask(date(2025, 8, 25), "收到") == texts.ACKED
    assert "督办标识：🔵 蓝（5 个工作日内到期）" in ask(date(2025, 8, 25), "任务41")
    assert "督办标识：🔴 红（已逾期）" in ask(date(2025, 9, 1), "任务41")
    assert "🔴 逾期" in ask(date(2025, 9, 1), "示范区总体情况")


def test_an_expired_plan_chases_no_more_and_asks_once_for_the_closing_report(office: Office) -> None:
    """The 鼓楼 plan is in force to 2025-06-30: its items are chased that day, never after; its office is
    asked once for the closing report."""
    gulou_ip = "鼓楼区市场监督管理局（知识产权局）"
    office.at(date(2025, 6, 30)).tick()
    [digest] = office.port.named(gulou_ip)
    # more than 8 items: grouped by plan, each with its count, the plan named once above its lines
    assert (
        "\n【鼓楼方案】11 项：\n1. 🔵鼓楼第1项·示范县建设重点思路（一）「以“知创福建”为重要载体" in digest
    ), digest
    assert digest.count("【鼓楼方案】") == 1
    assert not [t for t in office.port.to(ADMIN_CHAT) if t.startswith("【方案到期】")]
    sent = len(office.port.sent)
    for day in (date(2025, 7, 1), date(2025, 7, 2), date(2025, 8, 1), date(2025, 9, 1)):
        office.at(day).tick()
    assert not any("鼓楼第" in message.text for message in office.port.sent[sent:])
    [closing] = [t for t in office.port.to(ADMIN_CHAT) if t.startswith("【方案到期】")]
    assert "已于 2025-06-30 到期，督办提醒已停止发送" in closing and "请组织各责任单位报送总结" in closing


def test_an_archived_plan_chases_no_more_asks_once_and_chases_again_once_restored(office: Office) -> None:
    """The office archives 示范区 from 25 August (an admin's word, a ledger row): none of its items is chased
    from that day, its office is asked once for the closing report; restored, the chasing resumes."""
    office.at(date(2025, 8, 22)).tick()
    assert any("【示范区】" in m.text or "任务41" in m.text for m in office.port.sent)
    set_plan_status(
        office.db, plan="fuzhou-protection", status="archived", effective_on=date(2025, 8, 25),
        note="提前验收", actor="cli:test", at=datetime(2025, 8, 22, 18, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    sent = len(office.port.sent)
    for day in (date(2025, 8, 25), date(2025, 8, 29), date(2025, 9, 1), date(2025, 9, 8)):
        office.at(day).tick()
    after = office.port.sent[sent:]
    assert not [m.text for m in after if m.target.chat_id != ADMIN_CHAT], "no chaser to any unit"
    closings = [t for t in office.port.to(ADMIN_CHAT) if t.startswith("【方案归档】")]
    assert len(closings) == 1 and "2025-08-24 后督办提醒已停止发送" in closings[0], closings
    assert "请组织各责任单位报送总结" in closings[0]
    with pytest.raises(StoreError, match="已归档"):
        set_plan_status(
            office.db, plan="fuzhou-protection", status="archived", effective_on=date(2025, 9, 9), note="",
            actor="cli:test", at=datetime(2025, 9, 9, tzinfo=LOCAL_TZ),
        )  # fmt: skip
    set_plan_status(
        office.db, plan="fuzhou-protection", status="in_force", effective_on=date(2025, 9, 9), note="复核",
        actor="cli:test", at=datetime(2025, 9, 9, 8, tzinfo=LOCAL_TZ),
    )  # fmt: skip
    sent = len(office.port.sent)
    office.at(date(2025, 9, 15)).tick()  # the overdue cadence's next day after the restore
    assert [m for m in office.port.sent[sent:] if m.target.chat_id != ADMIN_CHAT], "chased again"
    assert len([t for t in office.port.to(ADMIN_CHAT) if t.startswith("【方案归档】")]) == 1


def test_tasks_three_months_late_reach_the_office_once_a_month(office: Office) -> None:
    """The cadence's last step: from three months late the unit is chased monthly and the office gets one
    summary of those tasks on the month's first working day, once however many sweeps run. The four 2024.12
    tasks are three months late on 2025-04-01; by 2025-12-01 the city's 2025.6 and 2025.8 ones too, while the
    鼓楼 plan's items are left out (the plan expired and had its closing request)."""

    def monthly() -> list[str]:
        return [t for t in office.port.named(ADMIN_CHAT) if t.startswith("【长期逾期月报】")]

    office.at(date(2025, 3, 31)).tick()
    assert not monthly()
    office.at(date(2025, 4, 1)).tick()
    office.at(date(2025, 4, 1), time(15, 0)).tick("i2")
    office.at(date(2025, 4, 2)).tick()
    [april] = monthly()
    assert "截至 2025-04-01，共 4 项任务逾期超过三个月仍未办结" in april, april
    assert april.count("时限 2024-12-31") == 4
    office.at(date(2025, 12, 1)).tick()
    december = monthly()[-1]
    assert "截至 2025-12-01" in december and "时限 2025-08-31" in december, december
    assert (
        "【鼓楼方案】" not in december and "【示范区】任务6「" in december and "（时限 2025-06-30" in december
    )


def test_a_task_a_month_late_is_told_once_to_the_offices_leaders(office: Office) -> None:
    """The cadence's step up: the 2025-08-31 tasks are a month late on 30 September; the first sweep after
    (the National Day break: 9 October) tells each leader once per task, naming the units still open."""
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    add_member(office.db, platform="telegram", user_id="leader-1", display_name="刘局长", unit="市监局",
               role="leader", at=joined)  # fmt: skip
    office.at(date(2025, 9, 29)).tick()
    assert office.port.to("leader-1") == []  # not yet a month
    office.at(date(2025, 10, 9)).tick()
    told = office.port.to("leader-1")
    assert len(told) == 5 and all(t.startswith("【请领导督办】任务") for t in told)
    assert all(t.startswith("【请领导督办】【示范区】任务") for t in office.port.named("leader-1"))
    assert any("任务41（时限 2025-08-31，鼓楼区人民政府）" in t for t in told)
    office.at(date(2025, 10, 10)).tick()
    assert len(office.port.to("leader-1")) == 5  # once
    core = Core(Knowledge(office.db))
    at = datetime(2025, 10, 10, 10, tzinfo=LOCAL_TZ)
    [reply] = core.handle(Inbound("telegram", "leader-1", "leader-1", "任务41已完成", at, "l-1"))
    assert reply.text == texts.cannot_write("leader")


def test_a_due_soon_line_sent_again_the_next_working_day_is_worded_as_of_that_day(office: Office) -> None:
    """示范区 task 6 is due 2025-06-30: the digest of the 23rd says 还有 5 个工作日; 鼓楼 leaves it
    unacknowledged, and on the 24th the line comes once more, counted from the 24th (not 5 again)."""
    office.at(date(2025, 6, 23)).tick()
    [first] = office.port.to(GULOU)
    assert any("还有 5 个工作日到期（时限 2025-06-30）" in line for line in first.splitlines()), first
    office.at(date(2025, 6, 24)).tick()
    again = office.port.to(GULOU)[1]
    resent = [line for line in again.splitlines() if texts.RESENT_MARK in line]
    assert resent and not any("还有 5 个工作日" in line for line in resent), again
    assert any("时限 2025-06-30（剩 6 天）" in line for line in resent), again
