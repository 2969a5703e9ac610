"""All tables.

Catalog tables (plans, units, indicators, tasks) are upserted from seeds; reports and events are append-only
ledgers (database triggers refuse UPDATE and DELETE on them).

No `from __future__ import annotations` here: with it every field's annotation is a string that pydantic
and SQLAlchemy evaluate again for each of the tables, a measurable share of `duban ask`'s start-up."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from store.types import ExactDecimal, UTCDateTime


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target), nullable=nullable, index=index)


class _Table(SQLModel):
    """The base of every table. Rows are read from and written to the database, never validated from input
    (seeds are validated by their own specs), so pydantic's validator for each table is built only if
    something asks for it instead of at import: about a third of `store.models`' import time."""

    model_config = SQLModel.model_config | {"defer_build": True}


class Unit(_Table, table=True):
    """A responsible unit (责任单位); kind "collective" marks a group such as 各县（市）区人民政府."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=20)
    region: str = Field(max_length=40)
    source_doc: str = Field(max_length=200)
    source_section: str = Field(max_length=200)


class UnitAlias(_Table, table=True):
    """Another name for a unit; `key` is the normalised form that lookups compare."""

    __tablename__ = "unit_alias"
    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(max_length=100)
    key: str = Field(max_length=100, unique=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))


class CollectiveMember(_Table, table=True):
    """Membership of a collective unit, in the order the group is usually listed."""

    __tablename__ = "collective_member"
    collective_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), primary_key=True))
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("unit.id"), primary_key=True))
    position: int


class Plan(_Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    title: str = Field(max_length=200)
    region: str = Field(max_length=40)
    issuer: str | None = Field(default=None, max_length=100)
    doc_number: str | None = Field(default=None, max_length=60)
    status: str = Field(max_length=20)
    issued_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    supervising_unit_id: int = Field(sa_column=_fk("unit.id"))
    # The seed's reminder settings for this plan as JSON (lead times, overdue interval); null: the defaults.
    reminder_policy: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # What people call the plan and its schedule (五、进度安排), as JSON lists from the seed.
    short_names: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    schedule: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    # Where the document assigns no unit per item: how the transcription did (said with every answer).
    assignment_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    validity_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source_doc: str = Field(max_length=200)
    source_section: str = Field(max_length=200)


class PlanPassage(_Table, table=True):
    """One paragraph of a plan's document with the section it stands in: quoted in answers."""

    __tablename__ = "plan_passage"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    seq: int  # order in the document
    path: str = Field(max_length=60)  # 三（六）2 · 附件1 序号7
    heading: str = Field(max_length=100)
    text: str = Field(sa_column=Column(Text, nullable=False))
    line: int  # line in the source document (the plan's source_doc)


class Indicator(_Table, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    code: str = Field(max_length=20)
    name: str = Field(max_length=120)
    region: str = Field(max_length=40, index=True)  # 鼓楼的指标 (migration 0014)
    unit_of_measure: str = Field(max_length=20)
    target: Decimal = Field(sa_column=Column(ExactDecimal, nullable=False))
    comparator: str = Field(max_length=2)
    period_kind: str = Field(max_length=20)
    baseline: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    baseline_year: int | None = None
    baseline_unit: str | None = Field(default=None, max_length=20)
    due: date | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    aliases: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )  # JSON list
    source_doc: str = Field(max_length=200)
    source_section: str = Field(max_length=200)
    # How often its data is asked for (monthly / quarterly / half-yearly / yearly); None: after each quarter
    report_rule: str | None = Field(default=None, max_length=20)
    # as Task.withdrawn: a revised plan no longer holds it; never asked for data or listed again
    withdrawn: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class IndicatorUnit(_Table, table=True):
    """Responsible units of an indicator in written order (position 0 is the lead)."""

    __tablename__ = "indicator_unit"
    indicator_id: int = Field(sa_column=Column(Integer, ForeignKey("indicator.id"), primary_key=True))
    position: int = Field(primary_key=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))


class Task(_Table, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    number: int
    title: str | None = Field(default=None, max_length=200)
    section: str | None = Field(default=None, max_length=100)
    content: str = Field(sa_column=Column(Text, nullable=False))
    featured: bool = False
    deadline: date | None = Field(default=None, index=True)  # the sweep looks tasks up by deadline
    ongoing: bool = False
    # As the document words the deadline (全年, 每季度, 2025年6月起) and its kind (seeds.schema.DeadlineKind);
    # None for the seeds' plain forms (a date, 2025.8, 长期推进), which the deadline says itself.
    deadline_text: str | None = Field(default=None, max_length=100)
    deadline_kind: str | None = Field(default=None, max_length=20)
    # A recurring task's rule (monthly / quarterly / half-yearly / yearly): its check-ins follow it.
    deadline_rule: str | None = Field(default=None, max_length=20)
    leader: str | None = Field(default=None, max_length=200)  # 责任领导
    lead_units: int = 1  # the first so many units lead (牵头); the rest cooperate (配合)
    source_doc: str = Field(max_length=200)
    source_section: str = Field(max_length=200)
    # A revised plan no longer holds it (store/catalog.py records when, in catalog_event): kept for its
    # history and reports, never chased, listed or counted again unless a later revision restores it.
    withdrawn: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class TaskUnit(_Table, table=True):
    """Responsible units of a task in written order (position 0 is the lead)."""

    __tablename__ = "task_unit"
    task_id: int = Field(sa_column=Column(Integer, ForeignKey("task.id"), primary_key=True))
    position: int = Field(primary_key=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))


class TaskState(_Table, table=True):
    """Derived, kept in step with task_event (store/task_state.py): a task's standing in its ledger, so
    that lists over every task (逾期, 未完成, 已完成) are one indexed query. Rebuildable from the ledger."""

    __tablename__ = "task_state"
    __table_args__ = (
        Index("ix_task_state_open", "done", "deadline", "plan_id", "number"),
        Index("ix_task_state_by_plan", "done", "plan_id", "deadline"),
        Index("ix_task_state_deadline", "deadline", "plan_id", "number"),
        Index("ix_task_state_plan", "plan_id", "number"),
        Index("ix_task_state_featured", "featured", "plan_id", "number"),
        Index("ix_task_state_ongoing", "ongoing", "plan_id", "number"),
    )
    task_id: int = Field(sa_column=Column(Integer, ForeignKey("task.id"), primary_key=True))
    # The task's own plan, number and flags, copied so that a list is read from this table's indexes alone.
    plan_id: int
    number: int
    featured: bool
    ongoing: bool
    deadline: date | None = None  # in force: an approved delay's, else the plan's; None when ongoing
    done: bool = False
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class NameTerm(_Table, table=True):
    """Derived from the catalog (store/name_index.py): a name as the parser matches it, and what it names."""

    __tablename__ = "name_term"
    id: int = Field(primary_key=True)  # derivation order: the order a term's entries are listed in
    term: str = Field(sa_column=Column(Text, nullable=False))
    head: str = Field(max_length=8, index=True)
    kind: str = Field(max_length=10)
    key: str = Field(sa_column=Column(Text, nullable=False))


class NameCore(_Table, table=True):
    """Derived: an indicator's name without the field's word (知识产权), for names that add or drop it."""

    __tablename__ = "name_core"
    id: int = Field(primary_key=True)  # derivation order
    core: str = Field(sa_column=Column(Text, nullable=False))
    head: str = Field(max_length=8, index=True)
    key: str = Field(sa_column=Column(Text, nullable=False))  # the indicator


class NameMask(_Table, table=True):
    """Derived: a name under a one-character mask (市检?院), for typos."""

    __tablename__ = "name_mask"
    id: int = Field(primary_key=True)
    mask: str = Field(sa_column=Column(Text, nullable=False, index=True))
    term: str = Field(sa_column=Column(Text, nullable=False))


class Wording(_Table, table=True):
    """Derived: one distinct task wording (title and content, compact), shared by every task that uses it."""

    __tablename__ = "wording"
    id: int = Field(primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class TaskWording(_Table, table=True):
    """Derived: the wording of a task, and the task's place in catalog order."""

    __tablename__ = "task_wording"
    __table_args__ = (Index("ix_task_wording_wording_seq", "wording_id", "seq"),)
    task_id: int = Field(sa_column=Column(Integer, ForeignKey("task.id"), primary_key=True))
    wording_id: int = Field(sa_column=Column(Integer, ForeignKey("wording.id"), nullable=False))
    seq: int


class WordingPair(_Table, table=True):
    """Derived: a character pair of a wording (the postings a quoted fragment is looked up by)."""

    __tablename__ = "wording_pair"
    pair: str = Field(max_length=8, primary_key=True)
    wording_id: int = Field(sa_column=Column(Integer, ForeignKey("wording.id"), primary_key=True))


class WordingPairCount(_Table, table=True):
    """Derived: how many wordings hold a character pair (the rarest pairs are looked up first)."""

    __tablename__ = "wording_pair_count"
    pair: str = Field(max_length=8, primary_key=True)
    wordings: int


class IndexVersion(_Table, table=True):
    """Which catalog version the derived indexes were built from (catalog: bumped by every seed change)."""

    __tablename__ = "index_version"
    name: str = Field(max_length=20, primary_key=True)
    version: int
    meta: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Member(_Table, table=True):
    """A chat user bound to a unit with a role (admin / staff / viewer)."""

    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    platform_user_id: str = Field(max_length=100)
    display_name: str = Field(max_length=100)
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    role: str = Field(max_length=10)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # A removed member keeps the row, so reports they made still name them.
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class MemberEvent(_Table, table=True):
    """Append-only: who added, bound, changed or removed a member, when, and through what."""

    __tablename__ = "member_event"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=_fk("member.id"))
    kind: str = Field(max_length=20)  # added / bound / changed / removed
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    role: str | None = Field(default=None, max_length=10)
    actor: str = Field(max_length=200)  # "cli:<os user>", or the member who invited
    invite_id: int | None = Field(default=None, sa_column=_fk("invite.id", nullable=True))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    platform: str = Field(max_length=20)
    message_id: str | None = Field(default=None, max_length=100)


class Invite(_Table, table=True):
    """A one-time code that binds whoever sends it to a unit with a role."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))
    role: str = Field(max_length=10)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    used_by_member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))


class BindAttempt(_Table, table=True):
    """Append-only: an invite code sent in chat and what came of it (bound, unknown, used, expired, locked).

    The wrong ones lock their sender out of binding for a while, and many from everyone pause binding for all
    (store/invite_guard.py). Kept in the database, so every process sees the same lock."""

    __tablename__ = "bind_attempt"
    __table_args__ = (Index("ix_bind_attempt_sender", "platform", "platform_user_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    platform_user_id: str = Field(max_length=100)
    outcome: str = Field(max_length=10)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    message_id: str | None = Field(default=None, max_length=100)


class IndicatorReport(_Table, table=True):
    """Append-only: a reported value, or (kind "retraction") the withdrawal of an earlier report."""

    __tablename__ = "indicator_report"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(sa_column=_fk("indicator.id"))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    kind: str = Field(max_length=20)
    value: Decimal | None = Field(default=None, sa_column=Column(ExactDecimal, nullable=True))
    as_of: date | None = None
    retracts_id: int | None = Field(default=None, sa_column=_fk("indicator_report.id", nullable=True))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    platform: str = Field(max_length=20)
    message_id: str | None = Field(default=None, max_length=100)
    message_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class TaskEvent(_Table, table=True):
    """Append-only: completion, progress, retraction and delay events of a task."""

    __tablename__ = "task_event"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        # 办结审核: one verdict per completion report (migration 0017)
        Index(
            "uq_task_event_one_verdict",
            "refers_to_id",
            unique=True,
            sqlite_where=text("kind IN ('completion_approved', 'completion_returned')"),
            postgresql_where=text("kind IN ('completion_approved', 'completion_returned')"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=_fk("task.id"))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    kind: str = Field(max_length=30)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_deadline: date | None = None
    refers_to_id: int | None = Field(default=None, sa_column=_fk("task_event.id", nullable=True))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    platform: str = Field(max_length=20)
    message_id: str | None = Field(default=None, max_length=100)
    message_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PendingWrite(_Table, table=True):
    """Append-only: a report previewed to its sender and waiting for 确认 or 取消.

    Kept in the database, not in process memory, so a restart loses nothing and a confirm button pressed on
    another instance still finds it. Its fate is a separate PendingOutcome row.
    """

    __tablename__ = "pending_write"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        Index("ix_pending_write_sender", "platform", "platform_user_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    platform_user_id: str = Field(max_length=100)
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    kind: str = Field(max_length=30)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the write, as JSON
    preview: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    message_id: str | None = Field(default=None, max_length=100)
    message_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PendingOutcome(_Table, table=True):
    """Append-only: how a pending write ended; unique per pending write, so it is decided exactly once."""

    __tablename__ = "pending_outcome"
    id: int | None = Field(default=None, primary_key=True)
    pending_id: int = Field(
        sa_column=Column(Integer, ForeignKey("pending_write.id"), nullable=False, unique=True)
    )
    outcome: str = Field(max_length=20)  # confirmed / cancelled / superseded / expired / refused
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    platform: str = Field(max_length=20)
    message_id: str | None = Field(default=None, max_length=100)


class UnitChat(_Table, table=True):
    """Append-only: a unit's reminder chat was bound or unbound; the newest row per unit is in force."""

    __tablename__ = "unit_chat"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))
    action: str = Field(max_length=10)  # bound / unbound
    platform: str = Field(max_length=20)
    chat_id: str = Field(max_length=100)
    is_group: bool = False
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    actor: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    message_id: str | None = Field(default=None, max_length=100)


class PlanStatusEvent(_Table, table=True):
    """Append-only: an admin archives a plan (or puts it back in force); the newest row per plan is in force.
    Draft, in force and expired come from the validity dates alone; archived is the office's own word."""

    __tablename__ = "plan_status_event"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    status: str = Field(max_length=20)  # archived / in_force
    effective_on: date  # from this day (Asia/Shanghai) the status holds
    note: str = Field(default="", max_length=200)
    actor: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class CatalogEvent(_Table, table=True):
    """Append-only: a change the catalog made to a plan's item when a revised plan was applied (a deadline,
    the unit list, the leader), with the old and new value, from which file and by whom."""

    __tablename__ = "catalog_event"
    id: int | None = Field(default=None, primary_key=True)
    plan_code: str = Field(max_length=100, index=True)
    item: str = Field(max_length=40)  # 任务12 / 指标3
    field: str = Field(max_length=40)  # deadline / units / leader
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source: str = Field(max_length=300)
    actor: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class CalendarOverride(_Table, table=True):
    """Append-only: an admin says a day is (or is not) a working day; the newest row per day is in force."""

    __tablename__ = "calendar_override"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    workday: bool
    note: str = Field(default="", max_length=200)
    actor: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ReminderSweep(_Table, table=True):
    """Append-only: one sweep, the working days it planned and which process ran it."""

    __tablename__ = "reminder_sweep"
    id: int | None = Field(default=None, primary_key=True)
    day: date
    covered_from: date
    covered_to: date = Field(index=True)
    instance: str = Field(max_length=100)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    messages: int = 0  # digests it planned (already-planned ones are not added again)
    items: int = 0  # reminders it planned


class ReminderMessage(_Table, table=True):
    """Append-only outbox row: one message to send. `key` makes it unique: one digest per unit per day,
    one notice per admin per event; its delivery is told by DeliveryEvent rows."""

    __tablename__ = "reminder_message"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    day: date = Field(index=True)
    kind: str = Field(max_length=20)  # digest / notice / summary
    # unit_id and sweep_id are not foreign keys: a sweep writes tens of thousands of digests in one statement,
    # each taking both ids from the rows it names, which are never deleted (migration 0007). A unit's digests
    # are found by their keys, which lead with the day (digest:<day>:unit:<id>), not by a unit index (0008).
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))  # found by key (0008)
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    catch_up: bool = False
    about_message_id: int | None = Field(
        default=None, sa_column=_fk("reminder_message.id", nullable=True, index=False)
    )  # a notice: the message that failed or could not be delivered
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sweep_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ReminderItem(_Table, table=True):
    """Append-only: one reminder inside a message, unique per (unit, item, kind, planned day)."""

    __tablename__ = "reminder_item"
    # The key leads with the day: a sweep adds a day's reminders side by side at the end of the index.
    __table_args__ = (
        UniqueConstraint("day", "unit_id", "item", "kind", name="uq_reminder_item_day_unit_item_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # Only message_id is looked up, so the other references go unindexed, and none is a foreign key: a
    # national-scale sweep writes tens of thousands of items in one statement and pays for each index and
    # check on each one. Every id is taken in that statement from the row it names, and none of those rows is
    # ever deleted: the outbox refuses DELETE and the catalog only upserts (migrations 0005 and 0007).
    message_id: int = Field(sa_column=Column(Integer, nullable=False, index=True))
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))  # the recipient
    item: str = Field(max_length=160)  # "<plan>:task:<n>", "<plan>:indicator:<code>", "…@<late unit>"
    kind: str = Field(max_length=20)
    day: date  # the working day the reminder was planned for (earlier than the message's day when caught up)
    plan_id: int = Field(sa_column=Column(Integer, nullable=False))
    task_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    indicator_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    deadline: date | None = None
    workdays: int | None = None
    about_unit_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    resent_from_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class DeliveryEvent(_Table, table=True):
    """Append-only: what happened to a message (claimed, sent, retry, failed, unbound, acked).

    The unique (message_id, seq) is the claim: two senders that both saw seq n try to add n + 1, and the
    database lets exactly one of them."""

    __tablename__ = "delivery_event"
    __table_args__ = (UniqueConstraint("message_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=_fk("reminder_message.id"))
    seq: int
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    worker: str = Field(max_length=100)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    retry_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    target: str | None = Field(default=None, max_length=140)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    platform_message_id: str | None = Field(default=None, max_length=100)
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))  # who acked
    inbound_message_id: str | None = Field(default=None, max_length=100)  # the ack's chat message


class InboundEvent(_Table, table=True):
    """Append-only: a chat platform's delivery of one update or event, first seen at received_at.

    Platforms redeliver (Slack retries an event not acknowledged in 3 s, Telegram resends an update whose
    offset was not confirmed before a restart); the unique key lets a redelivery through exactly never."""

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    event_id: str = Field(max_length=200)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class SenderLease(_Table, table=True):
    """Which process sends on a chat platform until expires_at: one sender per platform, however many
    `duban run` instances there are, so the platform's rate limits are the bot's, not each process's."""

    __tablename__ = "sender_lease"
    platform: str = Field(max_length=20, primary_key=True)
    holder: str = Field(max_length=200)
    acquired_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Evidence(_Table, table=True):
    """Append-only: a photo or file sent as 佐证材料 (evidence) for a report: who sent it, when, through
    which message, what it is (detected from its bytes) and what it is attached to: a ledger row, or a
    pending write, whose ledger row after 确认 carries the same (platform, message_id). The bytes live
    under the data directory, named by their sha256 (store/evidence_files.py)."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size: int
    content_type: str = Field(max_length=100)  # detected from the bytes, never the name or declared type
    original_name: str = Field(max_length=120)  # sanitised: no path, no control or direction characters
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))  # the sender's, then
    platform: str = Field(max_length=20)
    platform_user_id: str = Field(max_length=100)
    chat_id: str = Field(max_length=100)
    message_id: str | None = Field(default=None, max_length=100)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    pending_id: int | None = Field(default=None, sa_column=_fk("pending_write.id", nullable=True))
    task_event_id: int | None = Field(default=None, sa_column=_fk("task_event.id", nullable=True))
    indicator_report_id: int | None = Field(default=None, sa_column=_fk("indicator_report.id", nullable=True))


APPEND_ONLY_TABLES = (
    "evidence",
    "indicator_report",
    "task_event",
    "member_event",
    "pending_write",
    "pending_outcome",
    "unit_chat",
    "calendar_override",
    "reminder_sweep",
    "reminder_message",
    "reminder_item",
    "delivery_event",
    "inbound_event",
    "bind_attempt",
    "plan_status_event",
    "catalog_event",
)
# What the bot process changes in place besides appending: members (the current roster; member_event is
# its log), invites (marked used), sender leases, and task_state (derived from the task ledger, refreshed with
# each event it records). The rest it only reads; the owner applies seeds and builds the name index.
MUTABLE_TABLES = ("member", "invite", "sender_lease", "task_state")
