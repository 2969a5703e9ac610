"""Seed application and store guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from seeds.apply import apply_seeds
from seeds.loader import default_data_dir
from store.catalog_queries import list_indicators, list_tasks, resolve_plan, resolve_unit
from store.db import Database
from store.errors import UnknownNameError
from store.models import Indicator, IndicatorReport, Member, Task, TaskEvent

SHANGHAI = timezone(timedelta(hours=8))


def _copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(default_data_dir(), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _record_ledger(db: Database) -> None:
    """One member, one task event and one indicator report, as the reporting feature will write them."""
    with Session(db.engine) as session:
        task = session.exec(select(Task).where(Task.number == 18)).one()
        indicator = session.exec(select(Indicator).where(Indicator.name == "有效注册商标数量")).one()
        member = Member(platform="console", platform_user_id="u1", display_name="张三", role="staff",
                        created_at=datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI))  # fmt: skip
        session.add(member)
        session.flush()
        at = datetime(2025, 10, 8, 10, 30, tzinfo=SHANGHAI)
        session.add(TaskEvent(task_id=task.id, kind="completed", member_id=member.id, recorded_at=at,
                              platform="console", message_id="m-1", message_text="任务18已完成"))  # fmt: skip
        session.add(IndicatorReport(indicator_id=indicator.id, kind="report", value=Decimal("38.2"),
                                    as_of=date(2025, 9, 30), member_id=member.id, recorded_at=at,
                                    platform="console", message_id="m-2", message_text="商标38.2万件"))  # fmt: skip
        session.commit()


def _ledger_rows(db: Database) -> list[tuple[object, ...]]:
    with Session(db.engine) as session:
        events = [(e.id, e.kind, e.recorded_at, e.message_id) for e in session.exec(select(TaskEvent))]
        reports = [(r.id, r.value, r.as_of, r.recorded_at) for r in session.exec(select(IndicatorReport))]
    return events + reports


def test_apply_twice_changes_nothing(db_url: str) -> None:
    database = Database(db_url)
    first = apply_seeds(database)
    assert (first.created, first.updated) == (133, 0)
    second = apply_seeds(database)
    assert (second.created, second.updated) == (0, 0)
    assert len(list_tasks(database)) == 53
    database.dispose()


def test_editing_one_field_updates_exactly_that_record_and_keeps_the_ledger(
    db: Database, tmp_path: Path
) -> None:
    _record_ledger(db)
    before = _ledger_rows(db)
    seeds = _copy_seeds(tmp_path)
    _edit(seeds / "fuzhou_protection.yaml", '    units: [市中级人民法院]\n    deadline: "2024.12"',
          '    units: [市中级人民法院]\n    deadline: "2025.3"')  # fmt: skip
    report = apply_seeds(db, seeds)
    assert (report.created, report.updated) == (0, 1)
    assert report.kinds["tasks"].updated == 1
    task18 = next(t for t in list_tasks(db, plan="fuzhou-protection") if t.number == 18)
    assert task18.deadline == date(2025, 3, 31)
    assert _ledger_rows(db) == before


def test_editing_a_unit_list_counts_as_one_update(db: Database, tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    _edit(
        seeds / "fuzhou_protection.yaml", "    units: [福州仲裁委]\n", "    units: [福州仲裁委, 市司法局]\n"
    )
    report = apply_seeds(db, seeds)
    assert (report.created, report.updated) == (0, 1)
    task39 = next(t for t in list_tasks(db) if t.plan == "fuzhou-protection" and t.number == 39)
    assert task39.units == ("福州仲裁委", "市司法局")


def test_ledgers_are_append_only(db: Database) -> None:
    _record_ledger(db)
    for statement in ("UPDATE task_event SET kind = 'x'", "DELETE FROM indicator_report"):
        with Session(db.engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.connection().exec_driver_sql(statement)
    assert len(_ledger_rows(db)) == 2


def test_same_platform_message_is_recorded_once(db: Database) -> None:
    _record_ledger(db)
    with Session(db.engine) as session:
        task = session.exec(select(Task).where(Task.number == 18)).one()
        session.add(TaskEvent(task_id=task.id, kind="completed", recorded_at=datetime.now(UTC),
                              platform="console", message_id="m-1"))  # fmt: skip
        with pytest.raises(IntegrityError):
            session.commit()


def test_values_stay_exact_and_times_aware(db: Database) -> None:
    _record_ledger(db)
    with Session(db.engine) as session:
        report = session.exec(select(IndicatorReport)).one()
    assert report.value == Decimal("38.2")
    assert report.recorded_at == datetime(2025, 10, 8, 2, 30, tzinfo=UTC)
    assert report.recorded_at.tzinfo is not None
    trademarks = next(i for i in list_indicators(db) if i.name == "有效注册商标数量")
    assert (trademarks.baseline, trademarks.target) == (Decimal("37.66"), Decimal("40"))
    assert (
        str(next(i for i in list_indicators(db) if i.code == "1" and i.plan == "gulou-strong-county").target)
        == "0.2"
    )


def test_naive_datetimes_are_refused(db: Database) -> None:
    with Session(db.engine) as session:
        session.add(Member(platform="console", platform_user_id="naive", display_name="x", role="viewer",
                           created_at=datetime(2025, 1, 1, 9, 0)))  # fmt: skip
        with pytest.raises(Exception, match="naive"):
            session.commit()


def test_natural_keys_are_unique(db: Database) -> None:
    with Session(db.engine) as session:
        plan_id = session.exec(select(Task.plan_id).where(Task.number == 18)).first()
        session.add(Task(plan_id=plan_id, number=18, content="重复", source_doc="x", source_section="y"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_unit_filter_expands_collectives_and_aliases(db: Database) -> None:
    assert [t.number for t in list_tasks(db, unit="中院")] == [13, 16, 17, 18, 19, 20, 21, 22, 29]
    assert [t.number for t in list_tasks(db, unit="市人民检察院")] == [25, 26, 27]
    assert [t.number for t in list_tasks(db, unit="海关")] == [37, 38]
    cangshan = [t.number for t in list_tasks(db, unit="仓山")]
    assert cangshan == [4, 5, 6, 8, 9, 11, 12, 13, 35, 42]
    gulou_office = list_tasks(db, unit="区市场监督管理局(知识产权局)")
    assert len(gulou_office) == 11 and {t.plan for t in gulou_office} == {"gulou-strong-county"}


def test_unknown_names_suggest_close_matches(db: Database) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_unit(db, "市检查院")
    assert caught.value.suggestions[0] == "市检察院"
    assert resolve_plan(db, "鼓楼").code == "gulou-strong-county"
    assert resolve_unit(db, "市市场监管局 (知识产权局)").name == "市市场监管局（知识产权局）"


def test_migrations_build_exactly_the_models(db: Database) -> None:
    """Alembic's autogenerate finds nothing to add or drop: the migrations and models.py agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def _one_unit_and_plan(connection: Connection) -> None:
    """The rows an outbox row names, written in SQL so they fit any schema version under test."""
    connection.execute(text("INSERT INTO unit (id, name, kind, region, source_doc, source_section) "
                            "VALUES (1, '鼓楼区人民政府', 'government', '鼓楼区', 'd', 's')"))  # fmt: skip
    connection.execute(text("INSERT INTO plan (id, code, title, region, status, supervising_unit_id, "
                            "source_doc, source_section) VALUES (1, 'p', 't', '福州市', 'active', 1, 'd', 's')"))  # fmt: skip


def test_migration_0007_keeps_the_outbox_its_key_and_its_guards(db_url: str) -> None:
    """0007 drops the outbox's remaining foreign keys on its hot rows and puts the day first in the
    reminder key (SQLite rebuilds both tables with its foreign keys off): rows, ids, links, the unique key,
    the append-only guards and delivery_event's own check survive, and a downgrade restores the checks."""

    db = Database(db_url)
    db.upgrade("0006")
    at = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)
    with db.engine.begin() as connection:
        run = connection.execute
        _one_unit_and_plan(connection)
        run(text("INSERT INTO reminder_sweep (id, day, covered_from, covered_to, instance, started_at, "
                 "messages, items) VALUES (3, :day, :day, :day, 'i', :at, 1, 2)"),
            {"day": date(2025, 9, 1), "at": at})  # fmt: skip
        for message_id, key, about in ((7, "digest:unit:1:2025-09-01", None), (8, "notice:failed:7:1", 7)):
            run(text("INSERT INTO reminder_message (id, key, day, kind, unit_id, catch_up, sweep_id, "
                     "about_message_id, created_at) VALUES (:id, :key, :day, 'digest', 1, false, 3, :about, :at)"),
                {"id": message_id, "key": key, "day": date(2025, 9, 1), "about": about, "at": at})  # fmt: skip
        for item_id, day, resent in ((11, date(2025, 8, 29), None), (12, date(2025, 9, 1), 11)):
            run(text("INSERT INTO reminder_item (id, message_id, unit_id, item, kind, day, plan_id, "
                     "resent_from_id) VALUES (:id, 7, 1, 'p:task:41', 'overdue', :day, 1, :resent)"),
                {"id": item_id, "day": day, "resent": resent})  # fmt: skip
        run(text("INSERT INTO delivery_event (message_id, seq, kind, at, worker) VALUES (7, 1, 'sent', :at, 'w')"),
            {"at": at})  # fmt: skip
    db.upgrade()

    def rows(statement: str) -> list[tuple[object, ...]]:
        with db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement))]

    assert rows("SELECT id, message_id, resent_from_id FROM reminder_item ORDER BY id") == [
        (11, 7, None),
        (12, 7, 11),
    ]
    assert rows("SELECT id, unit_id, sweep_id, about_message_id FROM reminder_message ORDER BY id") == [
        (7, 1, 3, None), (8, 1, 3, 7)
    ]  # fmt: skip
    for table in ("reminder_item", "reminder_message"):
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text(f"DELETE FROM {table} WHERE id = 7 OR id = 12"))
        with pytest.raises(DBAPIError), db.engine.begin() as connection:
            connection.execute(text(f"UPDATE {table} SET day = :day"), {"day": date(2025, 9, 2)})
    with pytest.raises(IntegrityError), db.engine.begin() as connection:  # the reminder key is still unique
        connection.execute(
            text("INSERT INTO reminder_item (message_id, unit_id, item, kind, day, plan_id) "
                 "VALUES (7, 1, 'p:task:41', 'overdue', :day, 1)"),
            {"day": date(2025, 9, 1)},
        )  # fmt: skip
    with pytest.raises(IntegrityError), db.engine.begin() as connection:  # delivery events still checked
        connection.execute(
            text("INSERT INTO delivery_event (message_id, seq, kind, at, worker) VALUES (999, 1, 'sent', :at, 'w')"),
            {"at": at},
        )  # fmt: skip
    db.downgrade("0006")
    assert rows("SELECT id, message_id, resent_from_id FROM reminder_item ORDER BY id") == [
        (11, 7, None),
        (12, 7, 11),
    ]
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO reminder_item (message_id, unit_id, item, kind, day, plan_id) "
                 "VALUES (999, 1, 'p:task:1', 'overdue', :day, 1)"),
            {"day": date(2025, 9, 2)},
        )  # fmt: skip
    db.engine.dispose()


def test_a_digest_keyed_before_0008_is_still_found_by_its_unit(db_url: str) -> None:
    """0008 puts the day first in digest keys and drops the unit index; a unit's digests written before
    (digest:unit:<id>:<day>) are still what 收到 acknowledges and what the log shows."""
    from store.outbox import delivery_log
    from store.reminder_chats import latest_unacknowledged

    db = Database(db_url)
    db.upgrade("0007")
    at = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)
    with db.engine.begin() as connection:
        _one_unit_and_plan(connection)
        connection.execute(text("INSERT INTO reminder_message (id, key, day, kind, unit_id, catch_up, created_at) "
                                "VALUES (7, 'digest:unit:1:2025-09-01', :day, 'digest', 1, false, :at)"),
                           {"day": date(2025, 9, 1), "at": at})  # fmt: skip
        connection.execute(text("INSERT INTO delivery_event (message_id, seq, kind, at, worker) "
                                "VALUES (7, 1, 'sent', :at, 'w')"), {"at": at})  # fmt: skip
    db.upgrade()
    assert latest_unacknowledged(db, "鼓楼区人民政府", today=date(2025, 9, 2)) == 7
    assert [e.message_id for e in delivery_log(db, unit="鼓楼区人民政府")] == [7]
    db.engine.dispose()


def test_migration_0005_keeps_the_outbox_and_its_guards(db_url: str) -> None:
    """0005 drops foreign keys from reminder_item (SQLite rebuilds the table): rows, ids, the re-send link,
    the append-only guard and the check against reminder_message all survive."""

    db = Database(db_url)
    db.upgrade("0004")
    at = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)
    with db.engine.begin() as connection:
        run = connection.execute
        _one_unit_and_plan(connection)
        run(text("INSERT INTO reminder_message (id, key, day, kind, unit_id, catch_up, created_at) "
                 "VALUES (7, 'digest:unit:1:2025-09-01', :day, 'digest', 1, false, :at)"),
            {"day": date(2025, 9, 1), "at": at})  # fmt: skip
        for item_id, day, resent in ((11, date(2025, 8, 29), None), (12, date(2025, 9, 1), 11)):
            run(text("INSERT INTO reminder_item (id, message_id, unit_id, item, kind, day, plan_id, "
                     "resent_from_id) VALUES (:id, 7, 1, 'p:task:41', 'overdue', :day, 1, :resent)"),
                {"id": item_id, "day": day, "resent": resent})  # fmt: skip
    db.upgrade("0005")
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, message_id, day, resent_from_id FROM reminder_item ORDER BY id")
        ).all()
    assert [(r[0], r[1], r[3]) for r in rows] == [(11, 7, None), (12, 7, 11)]
    assert [str(r[2]) for r in rows] == ["2025-08-29", "2025-09-01"]
    with pytest.raises(DBAPIError), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM reminder_item WHERE id = 12"))
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO reminder_item (message_id, unit_id, item, kind, day, plan_id) "
                 "VALUES (999, 1, 'p:task:1', 'overdue', :day, 1)"),
            {"day": date(2025, 9, 2)},
        )  # fmt: skip
    db.engine.dispose()
