"""The weekly 通报 (issue 17 item 9): figures from the ledger as it stood, the service's once-a-week queueing,
and `duban report weekly`, on SQLite and PostgreSQL with the clock in the test's hands.

The scenario, on the 示范区 plan, compared on Monday 2025-09-22 09:00 with the week before (2025-09-15 09:00):
- before the week: 市政府办公厅's part of 任务1 and 马尾区's of 任务11 approved on time; 鼓楼区's part of 任务6 and
  台江区's of 任务4 approved on time (both withdrawn during the week); 任务41 (鼓楼区) delayed to 2025-09-19;
  仓山区 (任务42) and 市检察院 (任务26) report completion;
- during the week: 仓山区's report approved (late); 市检察院's returned; 市中级人民法院 reports 任务18 (待审核);
  an admin marks 任务3 done (闽侯县 and 市市场监管局, late); the approval of 鼓楼区's 任务6 and 台江区's report of
  任务4 are retracted; 任务41's new deadline passes;
- after 09:00 on the Monday (not counted): 任务18 approved, 晋安区 reports 任务12.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select

from bot.cli.main import main
from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ
from bot.conversation.reminders import ReminderTexts
from schedules.calendar import WorkCalendar
from schedules.delivery import Deliverer
from schedules.limits import TransportLimits
from schedules.port import Outgoing, SendResult
from schedules.service import ReminderService
from schedules.weekly import (
    UnitFigures,
    WeeklyReport,
    first_workday_of_week,
    iso_week,
    weekly_due,
)
from schedules.weekly_notice import queue_weekly_reports, weekly_reports
from store.db import Database
from store.members import add_member
from store.models import ReminderMessage
from store.reporting import Author, WriteRequest, record
from store.weekly import weekly_plans

PLAN = "fuzhou-protection"
MONDAY = date(2025, 9, 22)
NOW = datetime.combine(MONDAY, time(9), LOCAL_TZ)
ADMIN = "admin-1"
SUPERVISOR = "市市场监管局（知识产权局）"


def at(day: date, clock: time = time(10)) -> datetime:
    return datetime.combine(day, clock, LOCAL_TZ)


class Ledger:
    """Writes the scenario's task events at the times given."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.count = 0

    def write(self, when: datetime, kind: str, number: int, **fields: object) -> int:
        self.count += 1
        request = WriteRequest(kind, PLAN, number=number, **fields)  # type: ignore[arg-type]
        return record(self.db, request, Author("test", "someone", None, when, message_id=f"m{self.count}"))

    def completed(self, number: int, unit: str, when: datetime) -> int:
        return self.write(when, "task_completed", number, unit=unit)

    def approved(self, completion: int, number: int, when: datetime) -> int:
        return self.write(when, "completion_approved", number, refers_to=completion)

    def returned(self, completion: int, number: int, when: datetime, reason: str) -> int:
        return self.write(when, "completion_returned", number, refers_to=completion, detail=reason)

    def retracted(self, row: int, number: int, when: datetime) -> int:
        return self.write(when, "task_retraction", number, refers_to=row)


def scenario(db: Database) -> Ledger:
    ledger = Ledger(db)
    # before the previous 通报 (2025-09-15 09:00)
    office = ledger.completed(1, "市政府办公厅", at(date(2024, 12, 20)))
    ledger.approved(office, 1, at(date(2024, 12, 28)))
    mawei = ledger.completed(11, "马尾区人民政府", at(date(2025, 8, 20)))
    ledger.approved(mawei, 11, at(date(2025, 8, 30)))
    gulou = ledger.completed(6, "鼓楼区人民政府", at(date(2025, 6, 1)))
    gulou_ok = ledger.approved(gulou, 6, at(date(2025, 6, 10)))
    taijiang = ledger.completed(4, "台江区人民政府", at(date(2024, 12, 1)))
    ledger.approved(taijiang, 4, at(date(2024, 12, 5)))
    request = ledger.write(
        at(date(2025, 8, 27)), "delay_requested", 41, unit="鼓楼区人民政府", new_deadline=date(2025, 9, 19)
    )
    ledger.write(
        at(date(2025, 8, 28)), "delay_approved", 41, refers_to=request, new_deadline=date(2025, 9, 19)
    )
    cangshan = ledger.completed(42, "仓山区人民政府", at(date(2025, 9, 10)))
    procuratorate = ledger.completed(26, "市检察院", at(date(2025, 9, 10)))
    # during the week
    ledger.approved(cangshan, 42, at(date(2025, 9, 16)))
    ledger.returned(procuratorate, 26, at(date(2025, 9, 17)), "缺少佐证材料")
    court = ledger.completed(18, "市中级人民法院", at(date(2025, 9, 16)))
    ledger.write(at(date(2025, 9, 18)), "task_completed_all", 3)
    ledger.retracted(gulou_ok, 6, at(date(2025, 9, 17)))
    ledger.retracted(taijiang, 4, at(date(2025, 9, 19)))
    # after the 通报's moment: not counted on the Monday
    ledger.approved(court, 18, at(MONDAY, time(10)))
    ledger.completed(12, "晋安区人民政府", at(MONDAY, time(11)))
    return ledger


def fuzhou_report(db: Database, now: datetime = NOW) -> WeeklyReport:
    [report] = weekly_reports(db, WorkCalendar(), now=now, plans=weekly_plans(db, [PLAN]))
    return report


def unit(report: WeeklyReport, name: str) -> tuple[int, int, int, int, int]:
    [found] = [u for u in report.units if u.unit == name]
    return (found.parts, found.done, found.pending, found.returned, found.overdue)


# ---- figures ------------------------------------------------------------------------------------------------


def test_the_figures_count_each_units_parts_as_the_ledger_stood_at_nine(db: Database) -> None:
    scenario(db)
    report = fuzhou_report(db)
    assert (report.parts, report.ongoing) == (204, 58)
    assert (report.done, report.pending, report.returned, report.overdue) == (5, 2, 1, 63)
    assert report.unreported == 204 - 5 - 2 - 1
    # 68 parts were due by then (任务1, 3, 4, 6, 11, 12 with their units, 18, 26, 41 delayed to 09-19, 42)
    assert (report.due, report.on_time, report.done_late) == (68, 2, 3)
    assert report.since == date(2025, 9, 15)
    # (parts, 已办结, 待审核, 已退回, 逾期)
    assert unit(report, SUPERVISOR) == (19, 1, 0, 0, 5)  # 任务3 marked done; 1, 4, 6, 11, 12 late
    assert unit(report, "鼓楼区人民政府") == (11, 0, 1, 0, 5)  # 任务6 waits again; 任务41 past 09-19
    assert unit(report, "仓山区人民政府") == (10, 1, 0, 0, 4)
    assert unit(report, "台江区人民政府") == (9, 0, 0, 0, 4)  # its report of 任务4 withdrawn
    assert unit(report, "马尾区人民政府") == (9, 1, 0, 0, 3)
    assert unit(report, "闽侯县人民政府") == (10, 1, 0, 0, 4)
    assert unit(report, "市中级人民法院") == (9, 0, 1, 0, 1)  # the approval at 10:00 is after the moment
    assert unit(report, "市检察院") == (3, 0, 0, 1, 1)
    assert unit(report, "市政府办公厅") == (1, 1, 0, 0, 0)
    assert unit(report, "晋安区人民政府") == (9, 0, 0, 0, 4)  # its 11:00 report is not counted
    assert [(u.unit, u.overdue) for u in report.top_overdue] == [
        (SUPERVISOR, 5),
        ("鼓楼区人民政府", 5),
        ("闽侯县人民政府", 4),
        ("台江区人民政府", 4),
        ("仓山区人民政府", 4),
    ]
    changes = report.changes
    # 新办结: 仓山区 (42), 闽侯县 and 市监局 (3); 新逾期: 41 (deadline passed), 鼓楼区's 6 and 台江区's 4 (withdrawn)
    assert (changes.reported, changes.done, changes.returned, changes.overdue) == (1, 3, 1, 3)
    assert (changes.overdue_before, changes.pending_before) == (63, 2)


def test_the_text_gives_the_rate_with_its_denominator_and_the_weeks_changes(db: Database) -> None:
    scenario(db)
    body = texts.weekly_report(fuzhou_report(db))
    lines = body.splitlines()
    assert lines[0] == "【督办周通报】示范区 2025年第39周（2025-09-22）"
    assert lines[2] == f"致：{SUPERVISOR}（督办单位）"
    assert "共 204 项，其中长期推进 58 项不设时限、不计逾期" in lines[3]
    assert lines[4] == "一、总体：已办结 5 项，待审核 2 项，已退回 1 项，尚未上报 196 项；逾期 63 项。"
    assert lines[5].startswith(
        "二、按期完成率 2.9%（2/68）：已到时限的 68 项中，按期办结 2 项，逾期后办结 3 项，逾期未办结 63 项。"
    )
    assert "按期完成率 = 按期办结项数 ÷ 已到时限项数" in lines[5]
    assert lines[6] == (
        f"三、逾期最多的单位：{SUPERVISOR} 5 项、鼓楼区人民政府 5 项、闽侯县人民政府 4 项、"
        "台江区人民政府 4 项、仓山区人民政府 4 项"
    )
    assert lines[7] == (
        "四、自上次通报（2025-09-15）以来：新上报办结 1 项，新办结 3 项，新退回 1 项，新逾期 3 项；"
        "逾期 63 → 63 项，待审核 2 → 2 项。"
    )
    assert lines[8] == "五、各单位情况（逾期多的在前）："
    assert lines[9] == "1. 鼓楼区人民政府：共 11 项，已办结 0，待审核 1，已退回 0，逾期 5"
    assert "市检察院：共 3 项，已办结 0，待审核 0，已退回 1，逾期 1" in body
    assert len(body) <= texts.WEEKLY_LIMIT


def test_a_plan_of_many_units_fits_one_message_and_counts_the_rest(db: Database) -> None:
    base = fuzhou_report(db)
    many = tuple(
        UnitFigures(f"第{n:05d}号某某市某某区某某某某某某管理委员会", 3, 1, 1, 0, 1 if n < 40 else 0, (n, 0))
        for n in range(400)
    )
    body = texts.weekly_report(replace(base, units=many))
    assert len(body) <= texts.WEEKLY_LIMIT
    shown = [line for line in body.splitlines() if "某某管理委员会：共 3 项" in line]
    assert 40 < len(shown) < 400
    rest = 400 - len(shown)
    assert body.splitlines()[-1] == (
        f"……另有 {rest} 个单位未列出（共 {3 * rest} 项，已办结 {rest}，待审核 {rest}，已退回 0，逾期 0）"
    )


def test_one_plans_report_is_two_statements_whatever_its_size(db: Database) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fuzhou_report(db)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    touching = [s for s in statements if "task_event" in s or "task_unit" in s]
    assert len(touching) == 2, statements


# ---- the week's first working day -----------------------------------------------------------------------------


def test_the_first_working_day_of_a_week_is_monday_or_after_a_holiday() -> None:
    calendar = WorkCalendar()
    assert first_workday_of_week(date(2025, 9, 24), calendar) == MONDAY
    # 国庆: Monday 6 October to Wednesday the 8th are holidays; Thursday the 9th opens the week
    assert first_workday_of_week(date(2025, 10, 6), calendar) == date(2025, 10, 9)
    assert [weekly_due(date(2025, 10, d), calendar) for d in (6, 7, 8, 9, 10, 11)] == [
        False, False, False, True, False, False,
    ]  # fmt: skip
    assert iso_week(date(2025, 10, 9)) == "2025-W41"
    # an admin's override moves it: Monday made a day off
    assert weekly_due(date(2025, 9, 23), WorkCalendar({MONDAY: False}))


class Port:
    limits = TransportLimits()

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.lock = threading.Lock()

    async def send(self, message: Outgoing) -> SendResult:
        with self.lock:
            self.sent.append(message)
            return SendResult.sent(str(len(self.sent)))

    def weekly(self) -> list[str]:
        return [m.text for m in self.sent if m.text.startswith("【督办周通报】")]


class Office:
    """Two admins on Telegram, a clock and a recording port; the service as the bot runs it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.port = Port()
        self.now = NOW
        joined = datetime(2025, 1, 1, tzinfo=UTC)
        for user, name in ((ADMIN, "陈督办"), ("admin-2", "林科长")):
            add_member(db, platform="telegram", user_id=user, display_name=name, unit="市监局", role="admin",
                       at=joined)  # fmt: skip

    def at(self, day: date, clock: time = time(9, 5)) -> Office:
        self.now = datetime.combine(day, clock, LOCAL_TZ)
        return self

    def service(self, db: Database | None = None, instance: str = "i1") -> ReminderService:
        own = db or self.db

        async def no_wait(_seconds: float) -> None:
            return None

        def deliverer(calendar: WorkCalendar) -> Deliverer:
            return Deliverer(
                own, {"telegram": self.port}, ReminderTexts(), calendar, clock=lambda: self.now,
                worker=instance, monotonic=lambda: 0.0, sleep=no_wait,
            )  # fmt: skip

        return ReminderService(own, deliverer, clock=lambda: self.now, instance=instance)

    def tick(self) -> None:
        asyncio.run(self.service().tick())

    def queued(self) -> list[tuple[str, date]]:
        with self.db.engine.connect() as connection:
            rows = connection.execute(
                select(ReminderMessage.key, ReminderMessage.day)  # type: ignore[call-overload]
                .where(ReminderMessage.key.like("notice:weekly:%"))  # type: ignore[attr-defined]
                .order_by(ReminderMessage.key)
            )
            return [(str(key), day) for key, day in rows]


@pytest.fixture
def office(db: Database) -> Iterator[Office]:
    yield Office(db)


def test_the_service_queues_each_plans_report_once_on_the_first_working_day(
    office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario(office.db)
    office.at(date(2025, 9, 19)).tick()  # a Friday
    office.at(MONDAY).tick()
    office.at(MONDAY, time(15)).tick()  # the same day again: nothing more
    office.at(date(2025, 9, 23)).tick()  # Tuesday: nothing
    keys = [key for key, _ in office.queued()]
    # the plan in force, to each of the two admins; the 鼓楼 plan expired on 2025-06-30 (its office was asked
    # for the closing report instead)
    assert [key.rsplit(":", 1)[0] for key in keys] == ["notice:weekly:fuzhou-protection:2025-W39"] * 2
    fuzhou = office.port.weekly()
    assert len(fuzhou) == 2 and fuzhou[0] == fuzhou[1]
    assert fuzhou[0].startswith("【督办周通报】示范区 2025年第39周（2025-09-22）")
    # the console prints the very same text
    code = main(["report", "weekly", "--plan", PLAN, "--today", "2025-09-22", "--db", office.db.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == fuzhou[0] + "\n"
    assert "新上报办结 1 项，新办结 3 项，新退回 1 项，新逾期 3 项" in out


def test_a_week_whose_monday_is_a_holiday_gets_it_on_thursday_once(office: Office) -> None:
    for day in (6, 7, 8):  # 国庆 holidays: the service sleeps
        office.at(date(2025, 10, day)).tick()
    assert office.queued() == []
    office.at(date(2025, 10, 9)).tick()
    office.at(date(2025, 10, 9), time(17, 55)).tick()
    office.at(date(2025, 10, 10)).tick()
    office.at(date(2025, 10, 11)).tick()  # a make-up working Saturday, not the first of its week
    assert office.queued() == [
        ("notice:weekly:fuzhou-protection:2025-W41:1", date(2025, 10, 9)),
        ("notice:weekly:fuzhou-protection:2025-W41:2", date(2025, 10, 9)),
    ]


def at_once(db: Database, work: Callable[[Database, str], object]) -> None:
    """work run by two threads at the same moment, each with its own engine as a second process has."""
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def instance(name: str) -> None:
        own = Database(db.url)
        try:
            start.wait()
            work(own, name)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=instance, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_two_processes_queueing_at_once_add_it_once(office: Office) -> None:
    at_once(
        office.db, lambda own, _name: queue_weekly_reports(own, ReminderTexts(), WorkCalendar(), office.now)
    )
    assert len(office.queued()) == 2


# Two whole ticks at once: on SQLite the day's sweep itself cannot run beside another (database is locked; the
# outbox's own test of two sweepers is PostgreSQL's too), so the service's run is tried where it can be.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_services_ticking_at_once_queue_and_send_it_once(office: Office) -> None:
    at_once(office.db, lambda own, name: asyncio.run(office.service(own, instance=name).tick()))
    assert len(office.queued()) == 2
    assert len(office.port.weekly()) == 2


def test_nothing_is_queued_without_an_admin_or_twice_when_called_again(db: Database) -> None:
    renderer = ReminderTexts()
    assert queue_weekly_reports(db, renderer, WorkCalendar(), NOW) == 0  # no admin yet: nothing to read
    Office(db)
    assert queue_weekly_reports(db, renderer, WorkCalendar(), NOW) == 2  # the plan in force, two admins
    assert queue_weekly_reports(db, renderer, WorkCalendar(), NOW + timedelta(hours=3)) == 0
    assert queue_weekly_reports(db, renderer, WorkCalendar(), NOW + timedelta(days=1)) == 0


def test_next_weeks_report_counts_from_the_last_one_in_the_outbox(office: Office) -> None:
    ledger = scenario(office.db)
    office.at(MONDAY).tick()  # 09:05: the 10:00 approval and 11:00 report come after it
    cangshan = ledger.completed(12, "仓山区人民政府", at(date(2025, 9, 24)))
    ledger.returned(cangshan, 12, at(date(2025, 9, 25)), "请补充材料")
    office.at(date(2025, 9, 29)).tick()
    [body] = {t for t in office.port.weekly() if "2025年第40周" in t and "示范区" in t}
    # since 2025-09-22 09:05: 任务18 approved (新办结), 晋安区 and 仓山区 reported 任务12, 仓山区's returned
    assert (
        "四、自上次通报（2025-09-22）以来：新上报办结 2 项，新办结 1 项，新退回 1 项，新逾期 0 项；"
        "逾期 63 → 62 项，待审核 2 → 2 项。"
    ) in body
    report = fuzhou_report(office.db, datetime.combine(date(2025, 9, 29), time(9), LOCAL_TZ))
    assert unit(report, "仓山区人民政府") == (10, 1, 0, 1, 4)
    assert unit(report, "晋安区人民政府") == (9, 0, 1, 0, 4)


# ---- the command line ------------------------------------------------------------------------------------------


def test_report_weekly_refuses_a_bad_plan_or_day_in_chinese(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["report", "weekly", *argv, "--db", db.url])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("--plan", "火星方案", "--today", "2025-09-22")
    assert code == 2 and out == ""
    assert err.startswith("错误：未找到计划“火星方案”")
    code, out, err = run("--plan", PLAN, "--today", "2025-13-01")
    assert (code, out) == (2, "")
    assert err.strip() == "错误：--today 应为 YYYY-MM-DD 格式的日期，如 2025-09-22"
    code, _, err = run("--today", "1800-01-01")
    assert code == 2 and err.strip() == "错误：--today 应在 1900-01-01 至 2199-12-31 之间"
    code, out, _ = run("--plan", "鼓楼", "--today", "2025-09-22")
    assert code == 0 and out.startswith("【督办周通报】鼓楼方案 2025年第39周（2025-09-22）")
    code, out, _ = run("--today", "2025-09-22")  # every plan, one after the other
    assert code == 0 and out.count("【督办周通报】") == 2


def test_the_plan_is_named_as_reminders_name_it(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """Found as a newcomer: `--plan 示范区` (the name every digest and 通报 uses) was not a plan name."""
    for name in ("示范区", "fuzhou-protection", "福州"):
        assert main(["report", "weekly", "--plan", name, "--today", "2025-09-22", "--db", db.url]) == 0
        assert capsys.readouterr().out.startswith("【督办周通报】示范区 2025年第39周")
