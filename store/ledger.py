"""The append-only ledgers read as current state: latest indicator values and task completion.

Reports and task events are never updated or deleted; a retraction is a later row that points at the one it
withdraws. Everything here folds those rows into plain views, so callers never reason about retractions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Table, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from store.catalog_queries import _UnitDirectory
from store.db import Database
from store.errors import StoreError
from store.models import (
    CollectiveMember,
    Indicator,
    IndicatorReport,
    IndicatorUnit,
    Member,
    MemberEvent,
    Plan,
    Task,
    TaskEvent,
    TaskUnit,
    Unit,
)
from store.querying import keyed

COMPLETED = "completed"  # one responsible unit reports its part done (unit_id says which)
COMPLETED_ALL = "completed_all"  # an admin marks the whole task done
PROGRESS = "progress"
RETRACTION = "retraction"
DELAY_REQUESTED = "delay_requested"
DELAY_APPROVED = "delay_approved"
DELAY_REJECTED = "delay_rejected"
# 办结审核: the supervising office's verdict on one unit's completion report (refers_to_id names it); a part
# counts as done only once approved, so reminders go on while it waits or after it is returned.
COMPLETION_APPROVED = "completion_approved"
COMPLETION_RETURNED = "completion_returned"
REVIEW_VERDICTS = (COMPLETION_APPROVED, COMPLETION_RETURNED)


_indicator: Table = Indicator.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_report: Table = IndicatorReport.__table__  # type: ignore[attr-defined]
_member: Table = Member.__table__  # type: ignore[attr-defined]
_unit: Table = Unit.__table__  # type: ignore[attr-defined]
_indicator_unit: Table = IndicatorUnit.__table__  # type: ignore[attr-defined]
_collective_member: Table = CollectiveMember.__table__  # type: ignore[attr-defined]

_VERSION_QUERY = core_select(
    core_select(func.max(IndicatorReport.id)).scalar_subquery(),
    core_select(func.max(TaskEvent.id)).scalar_subquery(),
    core_select(func.max(MemberEvent.id)).scalar_subquery(),
)


@dataclass(frozen=True)
class ReportView:
    """An indicator's standing value. Where it is held by a collective (各县（市）区人民政府), each member's
    own latest report is a part; the standing value is then the lead's (or a named unit's) report, else the
    parts summed for a count or an amount (reporter None, unit None, as of the oldest part)."""

    plan: str
    code: str
    value: Decimal
    as_of: date
    reporter: str | None  # member display name
    unit: str | None
    recorded_at: datetime
    parts: tuple[ReportView, ...] = ()  # members of a collective, each its latest own report
    summed: bool = False  # the value is the parts added up
    missing: tuple[str, ...] = ()  # members of the collectives holding it that have not reported
    # False: only parts of a rate or ratio, which do not add up; there is no standing value (value is 0)
    standing: bool = True


@dataclass(frozen=True)
class DelayView:
    """A delay request still waiting for an admin's decision."""

    request_id: int
    new_deadline: date
    reason: str | None
    unit: str | None
    requested_at: datetime


ReviewState = Literal["pending", "returned", "approved"]


@dataclass(frozen=True)
class ReviewView:
    """One unit's standing completion report and the supervising office's verdict on it."""

    completion_id: int  # the 审核号 an admin answers with 通过 N / 退回 N
    unit: str
    reported_at: datetime
    reporter: str | None
    state: ReviewState
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None  # why it was returned


@dataclass(frozen=True)
class TaskStatusView:
    plan: str
    number: int
    done_units: tuple[str, ...]
    done: bool
    done_by_admin: bool
    last_progress: str | None
    last_progress_at: datetime | None
    deadline: date | None = None  # an approved delay's date; None keeps the plan's deadline
    delay_request: DelayView | None = None
    done_at: datetime | None = None  # when the task became done: the admin's word or the last unit's part
    # each responsible unit that reported its part, in the order reported: waiting, returned or approved
    reviews: tuple[ReviewView, ...] = ()
    approved_by: str | None = None  # who approved the last part, when the parts' approvals made it done

    def in_review(self) -> tuple[ReviewView, ...]:
        return tuple(r for r in self.reviews if r.state == "pending")

    def returned(self) -> tuple[ReviewView, ...]:
        return tuple(r for r in self.reviews if r.state == "returned")


def ledger_version(db: Database) -> tuple[int, int, int]:
    """Highest row ids of reports, task events and the member log: changes whenever anything is recorded.

    Asked before every answer, so it is one Core statement on a pooled connection, not an ORM session.
    """
    with db.engine.connect() as connection:
        row = connection.execute(_VERSION_QUERY).one()
    return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def latest_reports(db: Database) -> dict[tuple[str, str], ReportView]:
    """The standing value of every reported indicator: the newest as-of date, then the newest report."""
    with db.session() as session:
        rows = session.exec(select(IndicatorReport).order_by(col(IndicatorReport.id))).all()
        names = Names(session)
    retracted = {row.retracts_id for row in rows if row.kind == RETRACTION}
    latest: dict[tuple[str, str], ReportView] = {}
    for row in rows:
        if row.kind == RETRACTION or row.id in retracted or row.value is None or row.as_of is None:
            continue
        view = names.report(row)
        key = (view.plan, view.code)
        if key not in latest or (view.as_of, view.recorded_at) >= (
            latest[key].as_of,
            latest[key].recorded_at,
        ):
            latest[key] = view
    return latest


def reports_for(db: Database, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ReportView]:
    """The standing value of these indicators (plan, code), read from their own reports only."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    with db.engine.connect() as connection:
        ids = {
            int(i): (str(p), str(c))
            for i, p, c in connection.execute(
                core_select(_indicator.c.id, _plan.c.code, _indicator.c.code)
                .join(_plan, _plan.c.id == _indicator.c.plan_id)
                .where(keyed(_plan.c.code, _indicator.c.code, wanted))
            )
        }
        if not ids:
            return {}
        rows = connection.execute(
            core_select(_report).where(_report.c.indicator_id.in_(list(ids))).order_by(_report.c.id)
        ).all()
        people = {r.member_id for r in rows if r.member_id} or {0}
        members = dict(
            connection.execute(
                core_select(_member.c.id, _member.c.display_name).where(_member.c.id.in_(people))
            ).all()
        )
        unit_ids = {r.unit_id for r in rows if r.unit_id} or {0}
        units = dict(
            connection.execute(core_select(_unit.c.id, _unit.c.name).where(_unit.c.id.in_(unit_ids))).all()
        )
        holders = _holders(connection, list(ids))
    retracted = {row.retracts_id for row in rows if row.kind == RETRACTION}
    whole: dict[int, ReportView] = {}
    parts: dict[int, dict[int, ReportView]] = defaultdict(dict)
    for row in rows:
        if row.kind == RETRACTION or row.id in retracted or row.value is None or row.as_of is None:
            continue
        plan, code = ids[row.indicator_id]
        view = ReportView(
            plan, code, row.value, row.as_of, members.get(row.member_id) if row.member_id else None,
            units.get(row.unit_id) if row.unit_id else None, row.recorded_at,
        )  # fmt: skip
        held = holders.get(row.indicator_id)
        # 仓山 staff's 我区先行所已建成2个 is 仓山's part of the city's 26, not the city's figure
        by_territory = held is not None and row.unit_id in held.territories
        slot = parts[row.indicator_id] if by_territory else whole
        key = (row.unit_id or 0) if by_territory else row.indicator_id
        if key not in slot or _newer(view, slot[key]):
            slot[key] = view
    latest: dict[tuple[str, str], ReportView] = {}
    for indicator_id, key in ids.items():
        own = sorted(parts.get(indicator_id, {}).values(), key=lambda v: v.unit or "")
        held = holders.get(indicator_id)
        missing = tuple(n for n in (held.territory_names if held else ()) if n not in {v.unit for v in own})
        standing = whole.get(indicator_id)
        if standing is not None:
            latest[key] = replace(standing, parts=tuple(own), missing=missing if own else ())
        elif own and held is not None and held.additive:
            if held.yearly:  # 件/年: only parts of the same (latest) year add up; older years are shown apart
                year = max(v.as_of.year for v in own)
                own = [v for v in own if v.as_of.year == year] + [v for v in own if v.as_of.year != year]
                counted = [v for v in own if v.as_of.year == year]
            else:
                counted = own
            total = sum((v.value for v in counted), Decimal(0))
            latest[key] = ReportView(
                key[0], key[1], total, min(v.as_of for v in counted), None, None,
                max(v.recorded_at for v in counted), parts=tuple(own), summed=True, missing=missing,
            )  # fmt: skip
        elif own:  # 年增幅 of two districts: shown each, never added up
            first, last = min(v.as_of for v in own), max(v.recorded_at for v in own)
            latest[key] = ReportView(
                key[0], key[1], Decimal(0), first, None, None, last, parts=tuple(own), missing=missing,
                standing=False,
            )  # fmt: skip
    return latest


def _newer(view: ReportView, than: ReportView) -> bool:
    """The newest as-of date wins, then the newest report."""
    return (view.as_of, view.recorded_at) >= (than.as_of, than.recorded_at)


@dataclass(frozen=True)
class _Holders:
    """Who holds an indicator. Its row lists the leads first, then the territories: a collective
    (各县（市）区人民政府) and units beside it (高新区管委会). Each territory's report is its own part."""

    territories: frozenset[int]  # the collectives' members and the units listed after the first collective
    territory_names: tuple[str, ...]  # in the row's and the collectives' own order
    additive: bool  # a count or an amount, which parts add up to; never a rate or a ratio
    yearly: bool = False  # counted per year (件/年): parts of different years do not add up


# 结案率 · 年增幅 · 每万人口…拥有量: rates and ratios, which parts do not add up to
_NOT_ADDITIVE = ("率", "增幅", "每万", "人均", "占比", "比例", "比重")


def additive(name: str, unit_of_measure: str) -> bool:
    """Whether units' parts of the indicator add up to the whole: counts and amounts do, rates do not."""
    return "%" not in unit_of_measure and not any(word in name for word in _NOT_ADDITIVE)


def _holders(connection: Any, indicator_ids: list[int]) -> dict[int, _Holders]:
    """The indicators among these that a collective holds, with their territories."""
    rows: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for indicator_id, position, unit, name in connection.execute(
        core_select(
            _indicator_unit.c.indicator_id, _indicator_unit.c.position, _indicator_unit.c.unit_id,
            _unit.c.name,
        )
        .join(_unit, _unit.c.id == _indicator_unit.c.unit_id)
        .where(_indicator_unit.c.indicator_id.in_(indicator_ids))
    ):  # fmt: skip
        rows[int(indicator_id)].append((int(position), int(unit), str(name)))
    listed = {u for units in rows.values() for _, u, _ in units}
    groups: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for collective, member, position, name in connection.execute(
        core_select(
            _collective_member.c.collective_id, _collective_member.c.member_id, _collective_member.c.position,
            _unit.c.name,
        )
        .join(_unit, _unit.c.id == _collective_member.c.member_id)
        .where(_collective_member.c.collective_id.in_(listed or {0}))
    ):  # fmt: skip
        groups[int(collective)].append((int(position), int(member), str(name)))
    kinds = {
        int(i): (str(name), str(measure), str(period))
        for i, name, measure, period in connection.execute(
            core_select(
                _indicator.c.id, _indicator.c.name, _indicator.c.unit_of_measure, _indicator.c.period_kind
            ).where(_indicator.c.id.in_(indicator_ids))
        )
    }
    found: dict[int, _Holders] = {}
    for indicator_id, units in rows.items():
        units.sort()
        first = next((i for i, (_, unit, _) in enumerate(units) if unit in groups), None)
        if first is None:
            continue  # no collective: every unit named reports the whole figure
        territories: list[tuple[int, str]] = []
        for _, unit, name in units[first:]:
            territories += [(m, n) for _, m, n in sorted(groups[unit])] if unit in groups else [(unit, name)]
        name, measure, period = kinds.get(indicator_id, ("", "", ""))
        found[indicator_id] = _Holders(
            frozenset(u for u, _ in territories),
            tuple(dict.fromkeys(n for _, n in territories)),
            additive(name, measure),
            yearly=period == "per_year" or "/年" in measure,
        )
    return found


def task_statuses(db: Database) -> dict[tuple[str, int], TaskStatusView]:
    """Completion per task: done when an admin says so or every responsible unit has reported its part."""
    with db.session() as session:
        events = session.exec(select(TaskEvent).order_by(col(TaskEvent.id))).all()
        names = Names(session)
        units_of = _task_units(session.exec(select(TaskUnit)), _UnitDirectory(session))
    retracted = {e.refers_to_id for e in events if e.kind == RETRACTION}
    live = [e for e in events if e.id not in retracted and e.kind != RETRACTION]
    by_task: dict[int, list[TaskEvent]] = defaultdict(list)
    for event in live:
        by_task[event.task_id].append(event)
    return {
        names.task_key(task_id): _status(names, task_id, rows, units_of[task_id])
        for task_id, rows in by_task.items()
    }


def record_indicator_report(
    db: Database,
    *,
    plan: str,
    code: str,
    value: Decimal,
    as_of: date,
    recorded_at: datetime,
    platform: str,
    member_id: int | None = None,
    unit: str | None = None,
    message_id: str | None = None,
    message_text: str | None = None,
) -> int:
    """Append one reported value; returns the new row's id."""
    with db.session() as session:
        indicator = session.exec(
            select(Indicator).join(Plan).where(Plan.code == plan, Indicator.code == code)
        ).first()
        if indicator is None:
            raise StoreError(f"no indicator {plan}:{code}")
        row = IndicatorReport(
            indicator_id=indicator.id or 0,
            unit_id=unit_id(session, unit),
            kind="report",
            value=value,
            as_of=as_of,
            member_id=member_id,
            recorded_at=recorded_at,
            platform=platform,
            message_id=message_id,
            message_text=message_text,
        )
        session.add(row)
        session.commit()
        return row.id or 0


def unit_id(session: Session, unit: str | None) -> int | None:
    """The id of a unit by canonical name (store-internal; callers resolve aliases first)."""
    if unit is None:
        return None
    row = session.exec(select(Unit).where(Unit.name == unit)).first()
    if row is None:
        raise StoreError(f"no unit {unit}")
    return row.id


def _task_units(rows: Iterable[TaskUnit], directory: _UnitDirectory) -> dict[int, set[int]]:
    """Each task's responsible units with collectives expanded: 各县(市)区人民政府 is thirteen parts."""
    found: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        found[row.task_id].update(directory.expand([row.unit_id]))
    return found


def _status(names: Names, task_id: int, events: list[TaskEvent], assigned: set[int]) -> TaskStatusView:
    parts = standing_parts(events)
    done_ids = {unit for unit, (_, verdict) in parts.items() if _approved(verdict)}
    progress = [e for e in events if e.kind == PROGRESS]
    plan, number = names.task_key(task_id)
    by_admin = any(e.kind == COMPLETED_ALL for e in events)
    done = by_admin or (bool(assigned) and assigned <= done_ids)
    approved = [e.new_deadline for e in events if e.kind == DELAY_APPROVED and e.new_deadline]
    done_at, approver = _done_at(events, parts, assigned) if done else (None, None)
    return TaskStatusView(
        plan=plan,
        number=number,
        done_units=tuple(sorted(names.units[i] for i in done_ids & assigned)),
        done=done,
        done_by_admin=by_admin,
        last_progress=progress[-1].detail if progress else None,
        last_progress_at=progress[-1].recorded_at if progress else None,
        deadline=approved[-1] if approved else None,
        delay_request=_open_delay(names, events),
        done_at=done_at,
        reviews=tuple(_review(names, part, verdict) for part, verdict in parts.values()),
        approved_by=None if by_admin else names.member(approver),
    )


def standing_parts(events: Iterable[Any]) -> dict[int, tuple[Any, Any | None]]:
    """Each unit's standing completion report with the verdict on it (None: not yet reviewed), from live
    events (retracted ones and retractions left out): the first approved report once one is approved,
    else the newest. A verdict on a report that is no longer live counts for nothing."""
    rows = list(events)
    verdicts = {e.refers_to_id: e for e in rows if e.kind in REVIEW_VERDICTS}
    found: dict[int, tuple[Any, Any | None]] = {}
    for event in rows:
        if event.kind != COMPLETED or event.unit_id is None:
            continue
        held = found.get(event.unit_id)
        if held is not None and _approved(held[1]):
            continue  # a part once approved stays done; a later report of it changes nothing
        found[event.unit_id] = (event, verdicts.get(event.id))
    return found


def _approved(verdict: Any | None) -> bool:
    return verdict is not None and verdict.kind == COMPLETION_APPROVED


def _review(names: Names, part: TaskEvent, verdict: TaskEvent | None) -> ReviewView:
    state: ReviewState = "pending" if verdict is None else "approved" if _approved(verdict) else "returned"
    return ReviewView(
        completion_id=int(part.id or 0),
        unit=names.unit(part.unit_id) or "",
        reported_at=part.recorded_at,
        reporter=names.member(part.member_id),
        state=state,
        decided_by=names.member(verdict.member_id) if verdict is not None else None,
        decided_at=verdict.recorded_at if verdict is not None else None,
        reason=verdict.detail if verdict is not None and not _approved(verdict) else None,
    )


def _done_at(
    events: list[TaskEvent], parts: dict[int, tuple[Any, Any | None]], assigned: set[int]
) -> tuple[datetime | None, int | None]:
    """The admin's first completion, else the moment the last responsible unit's part was approved (and by
    whom; the approver's member id, named by the caller)."""
    by_admin = [e.recorded_at for e in events if e.kind == COMPLETED_ALL]
    if by_admin:
        return by_admin[0], None
    verdicts = [v for unit, (_, v) in parts.items() if unit in assigned and v is not None and _approved(v)]
    last = max(verdicts, key=lambda v: v.recorded_at, default=None)
    return (last.recorded_at, last.member_id) if last is not None else (None, None)


def _open_delay(names: Names, events: list[TaskEvent]) -> DelayView | None:
    """The newest delay request no admin has decided."""
    decided = {e.refers_to_id for e in events if e.kind in (DELAY_APPROVED, DELAY_REJECTED)}
    open_requests = [
        e for e in events if e.kind == DELAY_REQUESTED and e.id not in decided and e.new_deadline
    ]
    if not open_requests:
        return None
    request = open_requests[-1]
    return DelayView(
        request_id=int(request.id or 0),
        new_deadline=request.new_deadline or date.min,
        reason=request.detail,
        unit=names.unit(request.unit_id),
        requested_at=request.recorded_at,
    )


class Names:
    """Ids to names for the rows of one session (store-internal)."""

    def __init__(self, session: Session) -> None:
        self.units = {u.id: u.name for u in session.exec(select(Unit))}
        self.members = {m.id: m.display_name for m in session.exec(select(Member))}
        plans = {p.id: p.code for p in session.exec(select(Plan))}
        self.indicators = {i.id: (plans[i.plan_id], i.code) for i in session.exec(select(Indicator))}
        self.tasks = {t.id: (plans[t.plan_id], t.number) for t in session.exec(select(Task))}

    def task_key(self, task_id: int) -> tuple[str, int]:
        return self.tasks[task_id]

    def member(self, member_id: int | None) -> str | None:
        return self.members.get(member_id) if member_id else None

    def unit(self, unit_id: int | None) -> str | None:
        return self.units.get(unit_id) if unit_id else None

    def report(self, row: IndicatorReport) -> ReportView:
        plan, code = self.indicators[row.indicator_id]
        return ReportView(
            plan=plan,
            code=code,
            value=row.value or Decimal(0),
            as_of=row.as_of or row.recorded_at.date(),
            reporter=self.members.get(row.member_id) if row.member_id else None,
            unit=self.units.get(row.unit_id) if row.unit_id else None,
            recorded_at=row.recorded_at,
        )
