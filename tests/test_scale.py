"""The question path on a generated catalog of many plans (benchmarks/national.py, scaled down): long lists
open with counts by plan and page, many plans get a summary, a name many plans share offers at most eight
options and how to narrow down, names with digits are no task numbers, a report is followed by a question
that reads only what it needs, and the name index answers as the in-memory lexicon does."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from bot.conversation import names as stored_names
from bot.conversation.core import Core
from bot.conversation.knowledge import Catalog, Knowledge
from bot.conversation.messages import LOCAL_ADMIN, LOCAL_PLATFORM, LOCAL_TZ, Inbound
from nlu.commands import parse_command
from nlu.intents import TaskRef
from nlu.lexicon import Lexicon
from nlu.parser import parse
from seeds.apply import apply_seeds
from store.catalog_queries import list_tasks
from store.db import Database
from store.ledger import task_statuses
from store.models import TaskState
from store.task_state import rebuild_task_states

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import national
from golden.evaluate import load_golden

TODAY = date(2026, 11, 22)
PLANS = 40
LIMIT = 4096


def _generate(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    national.generate(db, plans=PLANS, tasks_per_plan=10, units=300, seed=3, today=TODAY)
    return db


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _generate(tmp_path_factory.mktemp("scaled") / "scaled.sqlite3")
    yield db
    db.dispose()


class Chat:
    def __init__(self, core: Core, user: str = "u1", platform: str = "test") -> None:
        self.core, self.user, self.platform, self.count = core, user, platform, 0

    def say(self, words: str) -> str:
        self.count += 1
        at = datetime.combine(TODAY, time(10), LOCAL_TZ)
        inbound = Inbound(self.platform, self.user, self.user, words, at, f"{self.user}-{self.count}")
        [reply] = self.core.handle(inbound)
        assert len(reply.text) <= LIMIT
        return reply.text


def _overdue_by_the_ledger(db: Database) -> int:
    """Overdue tasks counted the old way: every task and every status folded in Python."""
    statuses = task_statuses(db)
    count = 0
    for task in list_tasks(db):
        status = statuses.get((task.plan, task.number))
        deadline = status.deadline if status and status.deadline else task.deadline
        done = bool(status and status.done)
        count += bool(deadline and not task.ongoing and deadline < TODAY and not done)
    return count


def test_a_long_list_opens_with_counts_by_plan_and_is_paged(scaled: Database) -> None:
    expected = _overdue_by_the_ledger(scaled)
    assert expected > 100  # long enough to be summarised
    chat = Chat(Core(Knowledge(scaled), public_read=True))
    first = chat.say("逾期任务")
    assert f"逾期未完成的任务共 {expected} 项" in first
    assert "按方案：" in first and f"等 {PLANS} 个方案" in first
    shown = [line for line in first.splitlines() if "任务" in line and "｜" in line]
    assert len(shown) == 10
    assert f"还有 {expected - 10} 项" in first
    second = chat.say("更多")
    page = [line for line in second.splitlines() if "｜" in line]
    assert len(page) == 10 and not set(page) & set(shown)
    assert f"还有 {expected - 20} 项" in second


def test_the_overview_of_many_plans_is_a_summary(scaled: Database) -> None:
    reply = Chat(Core(Knowledge(scaled), public_read=True)).say("总体情况")
    assert f"共 {PLANS} 个方案，任务 {PLANS * 10} 项" in reply
    assert f"逾期 {_overdue_by_the_ledger(scaled)}" in reply
    assert "逾期最多的方案：" in reply and "请说明方案或地区" in reply
    assert reply.count("【") == 0  # not one overview per plan


def test_a_name_many_plans_share_offers_at_most_eight_options_and_how_to_narrow(scaled: Database) -> None:
    chat = Chat(Core(Knowledge(scaled), public_read=True))
    reply = chat.say("专利授权量进度")
    options = re.findall(r"^\d+ 【", reply, re.MULTILINE)
    assert 0 < len(options) <= 8
    assert "共有" in reply and "说明地区或方案" in reply
    assert "请回复 1 到 8 之间的序号" in chat.say("9")


def test_a_region_with_several_plans_tells_the_options_apart_by_plan(scaled: Database) -> None:
    with scaled.engine.connect() as connection:
        region = connection.execute(
            text(
                "SELECT p.region FROM plan p JOIN indicator i ON i.plan_id = p.id WHERE i.name = '专利授权量' "
                "GROUP BY p.region HAVING count(*) > 1 ORDER BY p.region LIMIT 1"
            )
        ).scalar_one()
    reply = Chat(Core(Knowledge(scaled), public_read=True)).say(f"{region}专利授权量进度")
    labels = re.findall(r"^\d+ (.+)$", reply, re.MULTILINE)
    assert len(labels) > 1 and len(set(labels)) == len(labels)  # each names its plan


def _unit_named_with_a_task_number(db: Database) -> str:
    """A unit whose name's digits begin like a task number: 第0250号… reads as 第025 (task 25) if misread."""
    with db.engine.connect() as connection:
        return str(connection.execute(text("SELECT name FROM unit WHERE id = 250")).scalar_one())


def test_names_with_digits_are_no_task_numbers(scaled: Database) -> None:
    knowledge = Knowledge(scaled)
    unit = _unit_named_with_a_task_number(scaled)
    assert unit.startswith("第0250号")
    intent = parse(f"{unit}有哪些任务", knowledge.lexicon)
    assert intent.name == "unit_tasks"
    assert intent.slots.tasks == () and intent.slots.units == (unit,)
    reply = Chat(Core(knowledge, public_read=True)).say(f"{unit}有哪些任务")
    assert reply.startswith(f"{unit}承担的任务共")


def test_names_with_digits_are_no_values_or_task_numbers_in_reports(scaled: Database) -> None:
    lexicon = Knowledge(scaled).lexicon
    unit = _unit_named_with_a_task_number(scaled)
    command = parse_command(f"{unit}的p0001任务3已完成", lexicon)
    assert command is not None and command.name == "report_done"
    assert command.subject.tasks == (TaskRef(None, 3),)


def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_report_then_a_question_reads_only_what_it_needs(tmp_path: Path) -> None:
    db = _generate(tmp_path / "write.sqlite3")
    admin = Chat(Core(Knowledge(db)), LOCAL_ADMIN, LOCAL_PLATFORM)
    with db.engine.connect() as connection:
        number = connection.execute(
            text(
                "SELECT t.number FROM task t JOIN task_state s ON s.task_id = t.id "
                "WHERE t.plan_id = 1 AND NOT s.done ORDER BY t.number LIMIT 1"
            )
        ).scalar_one()
    assert "请确认" in admin.say(f"p0001任务{number}已完成")
    assert "已记录" in admin.say("确认")
    statements = _statements(db)
    seen = next(statements)
    reply = admin.say(f"p0001任务{number}是什么")
    next(statements, None)
    assert "已完成" in reply
    rows = [s for s in seen if "max(" not in s]  # the version check reads one index entry per ledger
    whole = [s for s in rows if re.search(r"FROM (task_event|indicator_report)(?!.*WHERE)", s, re.DOTALL)]
    assert not whole, whole  # the ledger is read per subject, never whole
    assert len(seen) < 25
    with db.engine.connect() as connection:
        kept = connection.execute(select(TaskState.__table__).order_by(text("task_id"))).all()  # type: ignore[attr-defined]
    rebuild_task_states(db)
    with db.engine.connect() as connection:
        rebuilt = connection.execute(select(TaskState.__table__).order_by(text("task_id"))).all()  # type: ignore[attr-defined]
    assert kept == rebuilt  # the state kept in step is the state the ledger gives
    db.dispose()


def test_the_stored_name_index_answers_as_the_lexicon_in_memory(
    seeded_sqlite: Database, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same parse for every golden question, whether the names are held in memory or looked up in the
    database question by question (as at national scale)."""
    monkeypatch.setattr(stored_names, "PRELOAD_TERMS", 0)
    meta = stored_names.ensure_name_index(seeded_sqlite)
    looked_up = Lexicon(stored_names.StoredNames(seeded_sqlite, knowledge.catalog.lookup, meta))
    assert looked_up.total == knowledge.lexicon.total
    golden = load_golden()
    texts = [str(turn["text"]) for conversation in golden["conversations"] for turn in conversation["turns"]]
    for words in texts:
        assert parse(words, looked_up) == parse(words, knowledge.lexicon), words
        assert parse_command(words, looked_up) == parse_command(words, knowledge.lexicon), words


KEYWORD_QUESTIONS = (
    "那商标呢",
    "鼓楼质押贷款跟保险这两个指标各是多少",
    "专利申请费要交多少钱",
    "版权呢",
    "商标%呢",
)


def test_indicators_named_by_a_word_are_found_alike_in_the_database(
    db: Database, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """商标 names the indicators whose names contain it, whether the names are in memory or in SQLite or
    PostgreSQL (a LIKE over the terms, with %, _ and \\ in a question taken literally)."""
    apply_seeds(db)
    monkeypatch.setattr(stored_names, "PRELOAD_TERMS", 0)
    meta = stored_names.ensure_name_index(db)
    looked_up = Lexicon(stored_names.StoredNames(db, Catalog.load(db).lookup, meta))
    for words in KEYWORD_QUESTIONS:
        assert parse(words, looked_up) == parse(words, knowledge.lexicon), words
    assert parse("那商标呢", looked_up).slots.keyword == "商标"
    assert looked_up.names.indicators_naming("%", 5) == ()


def test_a_name_index_built_under_other_rules_is_rebuilt(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade that derives names differently (数据局 from 市数据局) rebuilds the stored index, though the
    catalog did not change."""
    apply_seeds(db)
    built = stored_names.ensure_name_index(db)
    monkeypatch.setattr(stored_names, "NAME_RULES", "next")
    rebuilt = stored_names.ensure_name_index(db)
    assert built.rules and built.rules != "next"
    assert rebuilt.rules == "next"


def test_a_units_list_is_read_by_its_task_ids_not_by_a_flag_index(scaled: Database) -> None:
    """SQLite has no statistics here: beside a unit's few task ids it must not walk the index on done or
    deadline over every task (25 ms against 0.2 ms at national scale). Checked on the query plan, not a clock."""
    from store.catalog_lookup import TaskQuery

    knowledge = Knowledge(scaled)
    lookup = knowledge.catalog.lookup
    # a unit with several tasks: with one id the primary key wins whatever the planner knows
    unit = max(scaled_unit_names(scaled), key=lambda u: lookup.task_total(TaskQuery(units=(u,))))
    plans: list[str] = []
    for query in (
        TaskQuery(units=(unit,), overdue_on=TODAY),
        TaskQuery(units=(unit,), undone=True, due_from=TODAY, due_to=date(2026, 12, 31)),
    ):
        with scaled.engine.connect() as connection:
            statement = lookup._select(connection, query, text("1"))
            compiled = statement.compile(scaled.engine, compile_kwargs={"literal_binds": True})
            plans.append(" ".join(str(r) for r in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))))
    assert all("PRIMARY KEY" in plan and "ix_task_state" not in plan for plan in plans), plans


def scaled_unit_names(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return [
            str(row[0])
            for row in connection.execute(text("SELECT name FROM unit WHERE kind != 'collective'"))
        ]
