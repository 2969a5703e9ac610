"""A few bound members talking to one core at a controlled time, and what the ledgers then hold.

Shared by the tests of hostile input (`test_hostile_input.py`) and the property test of reporting
(`test_report_properties.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound
from store.db import Database
from store.members import add_member
from store.models import Indicator, IndicatorReport, PendingWrite, TaskEvent

DAY = date(2025, 9, 20)
PEOPLE = {  # user id: (name, unit, role)
    "fayuan": ("李法官", "中院", "staff"),
    "ip": ("张三", "鼓楼区市场监督管理局", "staff"),
    "duban": ("陈督办", "市监局", "admin"),
}


class Desk:
    """The people above on platform "test"; every message gets its own id, one minute after the last."""

    def __init__(self, db: Database, knowledge: Knowledge | None = None) -> None:
        self.db = db
        self.core = Core(knowledge or Knowledge(db))
        self.clock = datetime.combine(DAY, time(9), LOCAL_TZ)
        self.count = 0
        joined = datetime(2025, 1, 1, tzinfo=UTC)
        for user, (name, unit, role) in PEOPLE.items():
            add_member(db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=joined)

    def send(self, user: str, text: str, *, at: datetime | None = None) -> Outbound:
        self.clock += timedelta(minutes=1)
        self.count += 1
        inbound = Inbound("test", user, user, text, at or self.clock, f"m{self.count}")
        [reply] = self.core.handle(inbound)
        return reply

    def say(self, user: str, text: str, **kwargs: datetime) -> tuple[str, str | None]:
        reply = self.send(user, text, **kwargs)
        return reply.text, reply.intent


@dataclass(frozen=True)
class StoredValue:
    """A recorded indicator value as the database gives it back, with the preview its sender confirmed."""

    value: Decimal
    as_of: date
    unit_of_measure: str
    preview: str

    @property
    def shown(self) -> str:
        """How the preview words this value, had it been the value previewed."""
        return f"{texts.quantity(self.value, self.unit_of_measure)}（截至 {texts.day(self.as_of)}）"


def stored_values(db: Database) -> list[StoredValue]:
    """Every recorded value (not retractions), each with the preview of the message it came from."""
    with Session(db.engine) as session:
        found = session.exec(
            select(IndicatorReport, Indicator.unit_of_measure, PendingWrite.preview)
            .join(Indicator, col(Indicator.id) == IndicatorReport.indicator_id)
            .join(
                PendingWrite,
                (col(PendingWrite.platform) == IndicatorReport.platform)
                & (col(PendingWrite.message_id) == IndicatorReport.message_id),
            )
            .where(IndicatorReport.kind == "report")
        ).all()
        return [
            StoredValue(report.value or Decimal(0), report.as_of or DAY, unit, preview)
            for report, unit, preview in found
        ]


def stored_notes(db: Database) -> list[tuple[str | None, str]]:
    """Every recorded task event's detail, with the preview of the message it came from."""
    with Session(db.engine) as session:
        found = session.exec(
            select(TaskEvent.detail, PendingWrite.preview).join(
                PendingWrite,
                (col(PendingWrite.platform) == TaskEvent.platform)
                & (col(PendingWrite.message_id) == TaskEvent.message_id),
            )
        ).all()
        return [(detail, preview) for detail, preview in found]


def count_rows(db: Database) -> int:
    """Ledger rows written so far (values, task events and pending writes)."""
    with Session(db.engine) as session:
        return sum(len(session.exec(select(t)).all()) for t in (IndicatorReport, TaskEvent, PendingWrite))


def completed(db: Database, plan: str, number: int, unit: str, at: datetime, key: str) -> int:
    """A unit's part of a task done as the ledger has it since 办结审核: its completion report and the
    supervising office's 通过 at the same moment (by the local operator). The 审核号."""
    from store.reporting import Author, WriteRequest, record

    reported = record(
        db,
        WriteRequest("task_completed", plan, number=number, unit=unit),
        Author("test", f"reporter-{key}", None, at, message_id=key),
    )
    record(
        db,
        WriteRequest("completion_approved", plan, number=number, refers_to=reported),
        Author("test", f"reviewer-{key}", None, at, message_id=f"{key}-approved"),
    )
    return reported
