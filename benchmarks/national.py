"""A national-scale database for benchmarks: thousands of plans, 150,000 tasks, 50,000 units and a ledger.

    .venv/bin/python benchmarks/national.py --db sqlite:////tmp/national.sqlite3 \\
        [--plans 3000] [--tasks-per-plan 50] [--units 50000] [--seed 1] [--today 2026-11-22]

The database must be new or empty: the schema is created by `db.upgrade()`, then rows are bulk-inserted with
Core `insert()` executemany, a few thousand rows per statement, in one transaction. Rows are generated plan by
plan and written whenever a chunk is full, so memory holds one chunk per table, not the database. Ids are
assigned here (events refer to earlier events without reading ids back); on PostgreSQL the id sequences are
moved past them afterwards, so the bot's own inserts keep working. Same seed, same database.

Shape: units "第00001号市市场监管局" (kind "unit") in regions of 100 ("省12市3"), every 200th a collective
("各县（市）区人民政府", 5–15 members from its region); plans "p0001"… (status "active"), each supervised by a
unit and carrying 5 indicators (1–2 units) and N tasks (1–3 units, now and then a collective) due between
2024-01-01 and 2027-12-31, about 10 % ongoing; about 20 % of tasks have "completed" events (a quarter of those
only from some of their units) and about 1 % an approved delay (a request, then an approval referring to it).
"""

from __future__ import annotations

import argparse
import calendar
import random
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select, text
from sqlmodel import SQLModel

from store.db import Database
from store.ledger import COMPLETED, DELAY_APPROVED, DELAY_REQUESTED
from store.names import name_key

CHUNK = 5_000  # rows per executemany
PLATFORM = "bench"
SOURCE_DOC = "bench-national"
REGION_SIZE = 100  # units per region
COLLECTIVE_EVERY = 200  # unit ids divisible by this are collectives
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
FIRST_MONTH = (2024, 1)  # deadlines spread over 48 months from here
MONTHS = 48
# Written in dependency order: a chunk of a table is inserted only after the rows it refers to.
TABLE_ORDER = (
    "unit",
    "unit_alias",
    "collective_member",
    "plan",
    "indicator",
    "indicator_unit",
    "task",
    "task_unit",
    "task_event",
)
ID_TABLES = ("unit", "unit_alias", "plan", "indicator", "task", "task_event")

DEPARTMENTS = (
    ("市市场监管局", "市监局"),
    ("市财政局", "财政局"),
    ("市发展改革委", "发改委"),
    ("市工业和信息化局", "工信局"),
    ("市科技局", "科技局"),
    ("市商务局", "商务局"),
    ("市人社局", "人社局"),
    ("市教育局", "教育局"),
    ("市司法局", "司法局"),
    ("市公安局", "公安局"),
    ("市住建局", "住建局"),
    ("市农业农村局", "农业农村局"),
    ("市生态环境局", "生态环境局"),
    ("市文旅局", "文旅局"),
    ("市卫健委", "卫健委"),
    ("市统计局", "统计局"),
    ("市中级人民法院", "中院"),
    ("市人民检察院", "市检察院"),
    ("区人民政府", "区政府"),
    ("县人民政府", "县政府"),
    ("海关", "海关"),
    ("高新区管委会", "高新区"),
)
COLLECTIVE_NAME = "各县（市）区人民政府"
TOPICS = (
    "知识产权保护",
    "营商环境优化",
    "数字经济发展",
    "乡村振兴",
    "生态环境治理",
    "科技创新",
    "民生保障",
    "安全生产",
)
SECTIONS = (
    "一、强化组织领导",
    "二、完善制度机制",
    "三、推进重点工程",
    "四、加强要素保障",
    "五、抓好督促落实",
)
ACTIONS = ("建立", "完善", "推进", "开展", "落实", "健全", "培育", "打造")
OBJECTS = (
    "工作联席会议制度",
    "快速维权平台",
    "专项执法行动",
    "信用监管体系",
    "数据共享机制",
    "示范项目建设",
    "人才培养计划",
    "考核评价办法",
)
INDICATORS = (
    ("高价值发明专利拥有量", "件", "level"),
    ("专利授权量", "件", "per_year"),
    ("专项资金占财政支出比例", "%", "share"),
    ("新增示范企业数量", "家", "yearly_average"),
    ("行政保护先行所数量", "个", "level"),
    ("商标注册量", "件", "per_year"),
)


@dataclass
class Writer:
    """Per-table row buffers, inserted in dependency order whenever the tasks fill a chunk."""

    connection: Connection
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLE_ORDER})
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_ORDER, 0))

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def flush_if_full(self) -> None:
        if any(len(rows) >= CHUNK for rows in self.rows.values()):
            self.flush()

    def flush(self) -> None:
        for table in TABLE_ORDER:
            rows = self.rows[table]
            statement = insert(SQLModel.metadata.tables[table])
            for start in range(0, len(rows), CHUNK):
                self.connection.execute(statement, rows[start : start + CHUNK])
            self.counts[table] += len(rows)
            rows.clear()


@dataclass
class Ids:
    task: int = 0
    indicator: int = 0
    event: int = 0

    def next_event(self) -> int:
        self.event += 1
        return self.event


class Units:
    """Unit ids laid out by region: ids 100k+1..100k+100 share a region; multiples of 200 are collectives."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.members: dict[int, list[int]] = {}

    @staticmethod
    def is_collective(unit_id: int) -> bool:
        return unit_id % COLLECTIVE_EVERY == 0

    @staticmethod
    def region_of(unit_id: int) -> int:
        return (unit_id - 1) // REGION_SIZE

    def region_name(self, region: int) -> str:
        return f"省{region // 16 + 1}市{region % 16 + 1}"

    def block(self, region: int) -> range:
        return range(region * REGION_SIZE + 1, min((region + 1) * REGION_SIZE, self.total) + 1)

    def regions(self) -> int:
        return (self.total - 1) // REGION_SIZE + 1

    def plain(self, rng: random.Random, region: int) -> int:
        """A random non-collective unit of the region."""
        block = self.block(region)
        while True:
            unit_id = rng.choice(block)
            if not self.is_collective(unit_id):
                return unit_id

    def collective_near(self, region: int) -> int | None:
        """The collective of this region pair, or the last one there is."""
        candidate = (region // 2 + 1) * COLLECTIVE_EVERY
        if candidate > self.total:
            candidate = self.total // COLLECTIVE_EVERY * COLLECTIVE_EVERY
        return candidate or None

    def expanded(self, unit_ids: list[int]) -> list[int]:
        """Collectives replaced by their members, first occurrence kept (what completion is counted over)."""
        seen: dict[int, None] = {}
        for unit_id in unit_ids:
            for part in self.members.get(unit_id, [unit_id]):
                seen.setdefault(part, None)
        return list(seen)


def generate(
    db: Database, *, plans: int, tasks_per_plan: int, units: int, seed: int, today: date
) -> dict[str, int]:
    """Create the schema on an empty database and fill it; returns rows per table and task shapes."""
    if units < REGION_SIZE:
        raise ValueError(f"need at least {REGION_SIZE} units (one region)")
    db.upgrade()
    rng = random.Random(seed)
    with db.engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(SQLModel.metadata.tables["unit"])).scalar():
            raise ValueError(f"{db.safe_url} already holds units; the generator needs an empty database")
        writer = Writer(connection)
        directory = Units(units)
        _write_units(writer, directory, rng)
        writer.flush()
        shapes = _write_plans(writer, directory, rng, plans, tasks_per_plan, today)
        writer.flush()
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    indexes = _build_indexes(db)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return {**writer.counts, **shapes, **indexes}


def _build_indexes(db: Database) -> dict[str, int]:
    """What `duban init` builds after seeds: the name index and every task's state row (timed)."""
    from bot.conversation.names import build_name_index
    from store.name_index import bump_catalog_version
    from store.task_state import rebuild_task_states

    started = time.perf_counter()
    with db.engine.begin() as connection:
        bump_catalog_version(connection)
    terms = build_name_index(db)
    names_done = time.perf_counter()
    states = rebuild_task_states(db)
    print(
        f"indexes: name index {names_done - started:.1f} s ({terms:,} terms), "
        f"task states {time.perf_counter() - names_done:.1f} s ({states:,} tasks)"
    )
    return {"name_terms": terms, "task_states": states}


def _write_units(writer: Writer, directory: Units, rng: random.Random) -> None:
    width = max(4, len(str(directory.total)))
    for unit_id in range(1, directory.total + 1):
        region = directory.region_of(unit_id)
        number = f"{unit_id:0{width}d}"
        if directory.is_collective(unit_id):
            name, kind = f"第{number}号{COLLECTIVE_NAME}", "collective"
        else:
            department, short = rng.choice(DEPARTMENTS)
            name, kind = f"第{number}号{department}", "unit"
            alias = f"{short}{number}号"
            writer.add(
                "unit_alias", {"id": unit_id, "alias": alias, "key": name_key(alias), "unit_id": unit_id}
            )
        writer.add(
            "unit",
            {
                "id": unit_id,
                "name": name,
                "kind": kind,
                "region": directory.region_name(region),
                "source_doc": SOURCE_DOC,
                "source_section": f"单位名录 {directory.region_name(region)}",
            },
        )
    for collective in range(COLLECTIVE_EVERY, directory.total + 1, COLLECTIVE_EVERY):
        candidates = [u for u in directory.block(directory.region_of(collective)) if u != collective]
        members = rng.sample(candidates, min(rng.randint(5, 15), len(candidates)))
        directory.members[collective] = members
        for position, member in enumerate(members):
            writer.add(
                "collective_member", {"collective_id": collective, "member_id": member, "position": position}
            )


def _write_plans(
    writer: Writer, directory: Units, rng: random.Random, plans: int, tasks_per_plan: int, today: date
) -> dict[str, int]:
    ids = Ids()
    shapes = {"tasks_completed": 0, "tasks_partly_completed": 0, "tasks_delayed": 0, "tasks_ongoing": 0}
    width = max(4, len(str(plans)))
    for plan_id in range(1, plans + 1):
        region = rng.randrange(directory.regions())
        supervisor = directory.plain(rng, region)
        region_name = directory.region_name(region)
        code = f"p{plan_id:0{width}d}"
        valid_from = date(2023, 7, 1) + timedelta(days=rng.randrange(184))
        topic = rng.choice(TOPICS)
        writer.add(
            "plan",
            {
                "id": plan_id,
                "code": code,
                "title": f"{region_name}{topic}三年行动方案（{code}）",
                "region": region_name,
                "issuer": f"{region_name}人民政府",
                "doc_number": f"{region_name}政〔{valid_from.year}〕{plan_id}号",
                "status": "active",
                "issued_on": valid_from,
                "valid_from": valid_from,
                "valid_to": date(2027, 12, 31),
                "supervising_unit_id": supervisor,
                "source_doc": f"{SOURCE_DOC}/{code}.txt",
                "source_section": "标题及文号; 附件1 任务清单及责任分工",
            },
        )
        plan = _PlanContext(plan_id, code, region, region_name, supervisor, valid_from, today, tasks_per_plan)
        _write_indicators(writer, directory, rng, ids, plan)
        for number in range(1, tasks_per_plan + 1):
            _write_task(writer, directory, rng, ids, plan, number, shapes)
        writer.flush_if_full()
    return shapes


@dataclass(frozen=True)
class _PlanContext:
    id: int
    code: str
    region: int
    region_name: str
    supervisor: int
    valid_from: date
    today: date
    tasks: int


def _write_indicators(
    writer: Writer, directory: Units, rng: random.Random, ids: Ids, plan: _PlanContext
) -> None:
    for code, (name, measure, period_kind) in enumerate(rng.sample(INDICATORS, 5), start=1):
        ids.indicator += 1
        baseline = Decimal(rng.randrange(10, 5000))
        writer.add(
            "indicator",
            {
                "id": ids.indicator,
                "plan_id": plan.id,
                "code": str(code),
                "name": name,
                "region": plan.region_name,
                "unit_of_measure": measure,
                "target": (baseline * Decimal("1.2")).quantize(Decimal(1)),
                "comparator": ">=",
                "period_kind": period_kind,
                "baseline": baseline,
                "baseline_year": 2023,
                "baseline_unit": None,
                "due": date(2027, 12, 31),
                "note": f"2023 年该指标数据为 {baseline}{measure}。",
                "source_doc": f"{SOURCE_DOC}/{plan.code}.txt",
                "source_section": f"二、建设目标 预期指标表 序号{code}",
            },
        )
        unit_ids = _distinct(
            [plan.supervisor] + [directory.plain(rng, plan.region) for _ in range(rng.randint(0, 1))]
        )
        for position, unit_id in enumerate(unit_ids):
            writer.add(
                "indicator_unit", {"indicator_id": ids.indicator, "position": position, "unit_id": unit_id}
            )


def _write_task(
    writer: Writer,
    directory: Units,
    rng: random.Random,
    ids: Ids,
    plan: _PlanContext,
    number: int,
    shapes: dict[str, int],
) -> None:
    ids.task += 1
    ongoing = rng.random() < 0.10
    deadline = None if ongoing else _deadline(rng)
    shapes["tasks_ongoing"] += ongoing
    writer.add(
        "task",
        {
            "id": ids.task,
            "plan_id": plan.id,
            "number": number,
            "title": None,
            "section": SECTIONS[(number - 1) * len(SECTIONS) // plan.tasks],
            "content": f"{rng.choice(ACTIONS)}{rng.choice(TOPICS)}{rng.choice(OBJECTS)}，确保按期见效。",
            "featured": rng.random() < 0.05,
            "deadline": deadline,
            "ongoing": ongoing,
            "source_doc": f"{SOURCE_DOC}/{plan.code}.txt",
            "source_section": f"附件1 任务清单及责任分工 序号{number}",
        },
    )
    unit_ids = _task_units(directory, rng, plan.region)
    for position, unit_id in enumerate(unit_ids):
        writer.add("task_unit", {"task_id": ids.task, "position": position, "unit_id": unit_id})
    start = datetime.combine(plan.valid_from, datetime.min.time(), LOCAL_TZ).astimezone(UTC) + timedelta(
        hours=9
    )
    cutoff = datetime.combine(plan.today, datetime.min.time(), LOCAL_TZ).astimezone(UTC)
    if rng.random() < 0.20:
        _write_completions(writer, directory, rng, ids, unit_ids, start, cutoff, shapes)
    elif deadline is not None and rng.random() < 0.014:  # of the 72 % left: about 1 % of all tasks
        _write_delay(writer, rng, ids, plan, unit_ids[0], deadline, start, cutoff)
        shapes["tasks_delayed"] += 1


def _task_units(directory: Units, rng: random.Random, region: int) -> list[int]:
    count = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    picked = []
    for _ in range(count):
        home = region if rng.random() < 0.9 else rng.randrange(directory.regions())
        picked.append(directory.plain(rng, home))
    if rng.random() < 0.03:
        collective = directory.collective_near(region)
        if collective is not None:
            picked[-1] = collective
    return _distinct(picked)


def _write_completions(
    writer: Writer,
    directory: Units,
    rng: random.Random,
    ids: Ids,
    unit_ids: list[int],
    start: datetime,
    cutoff: datetime,
    shapes: dict[str, int],
) -> None:
    """One "completed" event per responsible unit (collectives count by member); a quarter stop part-way."""
    parts = directory.expanded(unit_ids)
    if len(parts) > 1 and rng.random() < 0.25:
        parts = rng.sample(parts, rng.randrange(1, len(parts)))
        shapes["tasks_partly_completed"] += 1
    else:
        shapes["tasks_completed"] += 1
    at = _moment(rng, start, cutoff)
    for unit_id in parts:
        event_id = ids.next_event()
        writer.add("task_event", _event(event_id, ids.task, unit_id, COMPLETED, at, "已完成"))
        at = min(at + timedelta(minutes=rng.randrange(10, 4320)), cutoff)


def _write_delay(
    writer: Writer,
    rng: random.Random,
    ids: Ids,
    plan: _PlanContext,
    unit_id: int,
    deadline: date,
    start: datetime,
    cutoff: datetime,
) -> None:
    """A unit asks for a later deadline before the old one; the supervisor approves within days."""
    due = datetime.combine(deadline, datetime.min.time(), LOCAL_TZ).astimezone(UTC)
    asked_at = _moment(rng, start, min(due, cutoff - timedelta(days=3)))
    extra = rng.randint(1, 6)
    month = deadline.month - 1 + extra
    year, month = deadline.year + month // 12, month % 12 + 1
    new_deadline = date(year, month, calendar.monthrange(year, month)[1])
    request_id = ids.next_event()
    request = _event(request_id, ids.task, unit_id, DELAY_REQUESTED, asked_at, f"申请延期至{new_deadline}")
    writer.add("task_event", {**request, "detail": "配套资金尚未到位", "new_deadline": new_deadline})
    approval_id = ids.next_event()
    approved_at = asked_at + timedelta(hours=rng.randint(2, 60))
    approval = _event(approval_id, ids.task, plan.supervisor, DELAY_APPROVED, approved_at, "同意延期")
    writer.add("task_event", {**approval, "new_deadline": new_deadline, "refers_to_id": request_id})


def _event(
    event_id: int, task_id: int, unit_id: int, kind: str, at: datetime, message: str
) -> dict[str, Any]:
    return {
        "id": event_id,
        "task_id": task_id,
        "unit_id": unit_id,
        "kind": kind,
        "detail": None,
        "new_deadline": None,
        "refers_to_id": None,
        "member_id": None,
        "recorded_at": at,
        "platform": PLATFORM,
        "message_id": f"{PLATFORM}-{event_id}",
        "message_text": message,
    }


def _deadline(rng: random.Random) -> date:
    """Mostly month ends ("2025.8" in the documents), some exact days; 2024-01 .. 2027-12."""
    offset = rng.randrange(MONTHS)
    year, month = FIRST_MONTH[0] + offset // 12, FIRST_MONTH[1] + offset % 12
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if rng.random() < 0.7 else rng.randint(1, last))


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random moment in [start, end] (start itself when the span is empty)."""
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(span)) if span > 0 else start


def _distinct(unit_ids: list[int]) -> list[int]:
    return list(dict.fromkeys(unit_ids))


def _advance_sequences(connection: Connection) -> None:
    """Explicit ids leave PostgreSQL's serial sequences at 1; move each past the largest id written."""
    for table in ID_TABLES:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="database URL (sqlite:///… or postgresql://…), empty")
    parser.add_argument("--plans", type=int, default=3000)
    parser.add_argument("--tasks-per-plan", type=int, default=50)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date.today(), help="no event after this day"
    )
    args = parser.parse_args()
    db = Database(args.db)
    started = time.perf_counter()
    try:
        counts = generate(
            db, plans=args.plans, tasks_per_plan=args.tasks_per_plan, units=args.units, seed=args.seed,
            today=args.today,
        )  # fmt: skip
    except ValueError as exc:
        sys.exit(str(exc))
    finally:
        db.dispose()
    elapsed = time.perf_counter() - started
    print(f"database: {db.safe_url} ({db.engine.dialect.name})")
    for name, count in counts.items():
        print(f"{name:<24} {count:>10,}")
    print(f"{'total rows':<24} {sum(counts[t] for t in TABLE_ORDER):>10,}")
    print(f"elapsed: {elapsed:.1f} s   peak RSS: {_peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
