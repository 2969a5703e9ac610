"""Adversarial tests of withdrawal (a plan file is the whole plan: what a revision no longer holds is withdrawn,
what it holds again is restored, each change one catalog_event) and of the catalog writer lock.

Each test counts lost (a change not recorded / not applied), duplicated (an event recorded twice) and wrong
(a flag disagreeing with the events, a crash) rows. Every test runs on SQLite and PostgreSQL. A real defect
is kept as `xfail(strict=True, reason="DEFECT: …")`. Processes are coordinated by barriers and events; no
test asserts a duration.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import signal
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from test_adversarial_import import (  # noqa: F401  (fixtures used by name)
    _apply_in_another_process,
    cli,
    copied_draft,
    events,
    fixture_drafts,
    imported_plans,
    in_processes,
    rows,
    seeded,
    seeded_url,
)

from bot.cli.main import main
from seeds.apply import apply_plan_file
from store.db import Database

ALL_TASKS = set(range(1, 13))  # the fixture plan's 12 tasks


# ---------------------------------------------------------------------------------------------- helpers


def variant(draft: Path, name: str, *, drop: tuple[int, ...] = (), edit: Any = None) -> Path:
    """A copy of the draft beside it (its docs/ still found) without the tasks `drop`, then `edit(data)`."""
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    data["tasks"] = [t for t in data["tasks"] if t["number"] not in drop]
    if edit is not None:
        edit(data)
    path = draft.with_name(name)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def withdrawn_tasks(db: Database) -> set[int]:
    """Numbers of the imported plan's tasks flagged withdrawn."""
    with db.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT task.number FROM task JOIN plan ON plan.id = task.plan_id"
                " WHERE task.withdrawn AND plan.code NOT IN ('fuzhou-protection', 'gulou-strong-county')"
            )
        ).scalars()
        return {int(n) for n in found}


def withdrawn_indicators(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        found = connection.execute(text("SELECT code FROM indicator WHERE withdrawn")).scalars()
        return {str(c) for c in found}


def withdrawal_events(db: Database) -> list[tuple[str, bool]]:
    """(item, True for a withdrawal / False for a restore), in the order recorded."""
    return [(e[0], e[3] is not None) for e in events(db) if e[1] == "withdrawn"]


def flags_from_events(recorded: list[tuple[str, bool]]) -> set[int]:
    """The withdrawn task numbers the ledger says (the last event of each item)."""
    state: dict[str, bool] = {}
    for item, gone in recorded:
        state[item] = gone
    return {
        int(item.removeprefix("任务")) for item, gone in state.items() if gone and item.startswith("任务")
    }


def duplicated(recorded: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Events repeating the state the item already had (a withdrawal of a withdrawn item, ...)."""
    state: dict[str, bool] = {}
    out = []
    for item, gone in recorded:
        if state.get(item, False) == gone:
            out.append((item, gone))
        state[item] = gone
    return out


def states_of_withdrawn(db: Database) -> int:
    """task_state rows held by withdrawn tasks (a withdrawn task has no state: it is no longer chased)."""
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM task_state JOIN task ON task.id = task_state.task_id WHERE task.withdrawn"
                )
            ).scalar_one()
        )


@pytest.fixture
def loaded(db_url: str, tmp_path: Path, fixture_drafts: Path) -> tuple[str, Path]:  # noqa: F811
    """A seeded database with the fixture plan applied once; the draft's private copy."""
    seeded(db_url)
    draft = copied_draft(fixture_drafts, tmp_path)
    code, _, err = cli("plans", "apply", str(draft), "--db", db_url)
    assert code == 0, err
    return db_url, draft


def opened(url: str) -> Database:
    return Database(url)


# ---------------------------------------------------------------------------------------------- 1. two revisions


def test_two_revisions_dropping_different_tasks_at_once_serialise(loaded: tuple[str, Path]) -> None:
    url, draft = loaded
    drop_10 = variant(draft, "drop10.yaml", drop=(10,))
    drop_11 = variant(draft, "drop11.yaml", drop=(11,))
    results = in_processes(_apply_in_another_process, [(url, str(drop_10)), (url, str(drop_11))])
    assert [r[0] for r in results] == [0, 0], [r[2][-300:] for r in results]
    database = opened(url)
    try:
        recorded = withdrawal_events(database)
        flags = withdrawn_tasks(database)
        last_source = [e for e in events(database)][-1]
        with database.engine.connect() as connection:
            sources = (
                connection.execute(
                    text("SELECT source FROM catalog_event WHERE field = 'withdrawn' ORDER BY id")
                )
                .scalars()
                .all()
            )
        state_rows = states_of_withdrawn(database)
    finally:
        database.dispose()
    first_10 = [("任务10", True), ("任务10", False), ("任务11", True)]
    first_11 = [("任务11", True), ("任务10", True), ("任务11", False)]  # the second sync: by task order
    assert recorded in (first_10, first_11), recorded  # serialised, every change once, either order
    later = drop_11 if recorded == first_10 else drop_10
    assert flags == ({11} if later == drop_11 else {10})  # the final state is the later apply's
    assert flags == flags_from_events(recorded) and duplicated(recorded) == []
    assert sources[-1] == str(later) and last_source[1] == "withdrawn"
    assert state_rows == 0  # the withdrawn task is not chased
    # each process's reply names its own changes only
    said = {r[1].count("修订稿已删除此项") + r[1].count("修订稿恢复此项") for r in results}
    assert said == {1, 2}, [r[1] for r in results]


# ---------------------------------------------------------------------------------------------- 2. same revision x3


def test_one_revision_dropping_a_task_from_three_processes_records_one_event(
    loaded: tuple[str, Path],
) -> None:
    url, draft = loaded
    drop_10 = variant(draft, "drop10.yaml", drop=(10,))
    results = in_processes(_apply_in_another_process, [(url, str(drop_10))] * 3)
    assert [r[0] for r in results] == [0, 0, 0], [r[2][-300:] for r in results]
    database = opened(url)
    try:
        assert withdrawal_events(database) == [("任务10", True)]  # lost 0, duplicated 0
        assert withdrawn_tasks(database) == {10} and states_of_withdrawn(database) == 0
        assert len(events(database)) == 1  # nothing else recorded
    finally:
        database.dispose()
    assert sum("任务10：修订稿已删除此项" in r[1] for r in results) == 1, [r[1] for r in results]


# ---------------------------------------------------------------------------------------------- 3. SIGKILL


def _die_after_first_withdrawal(ready: Any, go: Any) -> None:
    """Kill this process (SIGKILL: no rollback, no cleanup) just after the first withdrawal flush, inside
    the sync's transaction; first say so on `ready` and wait for `go` (None: die at once)."""
    import store.catalog as store_catalog

    real = store_catalog._withdraw_or_restore

    def dying(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        report = args[-1]
        if any(change.field == "withdrawn" for change in report.changes):
            if ready is not None:
                ready.set()
                go.wait(60)
            os.kill(os.getpid(), signal.SIGKILL)

    store_catalog._withdraw_or_restore = dying  # type: ignore[assignment]


def _apply_killed(url: str, draft: str, ready: Any, go: Any) -> None:
    _die_after_first_withdrawal(ready, go)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["plans", "apply", draft, "--db", url])


def _apply_when(url: str, draft: str, ready: Any, go: Any, results: Any) -> None:
    """`plans apply` started once the killed process holds the lock; `go` set as it asks for the lock."""
    import store.catalog as store_catalog

    real = store_catalog.take_write_lock

    def announced(*args: Any, **kwargs: Any) -> None:
        go.set()
        real(*args, **kwargs)

    store_catalog.take_write_lock = announced  # type: ignore[assignment]
    ready.wait(60)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["plans", "apply", draft, "--db", url])
        results.put((code, out.getvalue(), err.getvalue()))
    except BaseException as exc:
        results.put(("traceback", out.getvalue(), "".join(traceback.format_exception(exc))[-600:]))


def test_a_sync_killed_after_its_first_withdrawal_leaves_nothing_half_applied(
    loaded: tuple[str, Path],
) -> None:
    url, draft = loaded
    revision = variant(draft, "drop10-11.yaml", drop=(10, 11), edit=lambda d: d["indicators"].pop())
    context = multiprocessing.get_context("spawn")
    victim = context.Process(target=_apply_killed, args=(url, str(revision), None, None))
    victim.start()
    victim.join(120)
    assert victim.exitcode == -signal.SIGKILL
    database = opened(url)
    try:
        # nothing half-applied: no flag without its event, no event without its flag
        assert withdrawn_tasks(database) == set() and withdrawn_indicators(database) == set()
        assert events(database) == []
        code, out, err = cli("plans", "apply", str(revision), "--db", url)
        assert code == 0, err
        assert withdrawal_events(database)[:2] == [("任务10", True), ("任务11", True)]
        assert len(withdrawal_events(database)) == 3  # two tasks and one indicator, each once
        assert withdrawn_tasks(database) == {10, 11} and len(withdrawn_indicators(database)) == 1
        assert out.count("修订稿已删除此项") == 3
        assert cli("plans", "apply", str(revision), "--db", url)[0] == 0  # once more: nothing new
        assert len(withdrawal_events(database)) == 3
    finally:
        database.dispose()


def test_a_sync_killed_while_another_waits_for_the_lock_lets_the_other_apply_once(
    loaded: tuple[str, Path],
) -> None:
    url, draft = loaded
    revision = variant(draft, "drop10-11.yaml", drop=(10, 11))
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Event(), context.Event(), context.Queue()
    victim = context.Process(target=_apply_killed, args=(url, str(revision), ready, go))
    waiter = context.Process(target=_apply_when, args=(url, str(revision), ready, go, results))
    victim.start()
    waiter.start()
    try:
        code, out, err = results.get(timeout=120)
    finally:
        victim.join(60)
        waiter.join(60)
        for process in (victim, waiter):
            if process.is_alive():
                process.kill()
    assert victim.exitcode == -signal.SIGKILL
    assert code == 0, err
    database = opened(url)
    try:
        assert withdrawal_events(database) == [("任务10", True), ("任务11", True)]
        assert withdrawn_tasks(database) == {10, 11} and states_of_withdrawn(database) == 0
    finally:
        database.dispose()
    assert out.count("修订稿已删除此项") == 2


# ---------------------------------------------------------------------------------------------- 4. a long hold


SCALED_BUSY_MS = 100  # the waiter's ordinary busy timeout, standing for the real 5 s
HOLD_BEYOND = 1.0  # how much longer than that the holder keeps the lock after the waiter asks (10x)


def _hold_the_lock(url: str, draft: str, holding: Any, asking: Any, results: Any) -> None:
    """Apply the draft, pausing inside the sync (after its withdrawals, before its commit) until the other
    process asks for the lock, then a while longer: a large plan's seconds of work."""
    import store.catalog as store_catalog

    real = store_catalog._keep_indexes

    def slow(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        holding.set()
        asking.wait(60)
        threading.Event().wait(HOLD_BEYOND)  # the simulated work (never set: not waiting for anything)

    store_catalog._keep_indexes = slow  # type: ignore[assignment]
    db = Database(url)
    try:
        applied = apply_plan_file(db, Path(draft), actor="holder", at=datetime.now(UTC))
        results.put(("holder", 0, len(applied.changes), ""))
    except BaseException as exc:
        results.put(("holder", "traceback", 0, "".join(traceback.format_exception(exc))[-600:]))
    finally:
        db.dispose()


def _wait_for_the_lock(url: str, draft: str, holding: Any, asking: Any, results: Any) -> None:
    import store.catalog as store_catalog
    import store.db as store_db
    import store.locks as store_locks

    store_db.SQLITE_BUSY_TIMEOUT_MS = SCALED_BUSY_MS  # type: ignore[misc]
    store_locks.SQLITE_BUSY_TIMEOUT_MS = SCALED_BUSY_MS  # type: ignore[misc]
    real = store_catalog.take_write_lock

    def announced(*args: Any, **kwargs: Any) -> None:
        asking.set()
        real(*args, **kwargs)

    store_catalog.take_write_lock = announced  # type: ignore[assignment]
    holding.wait(60)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["plans", "apply", draft, "--db", url])
        results.put(("waiter", code, out.getvalue(), err.getvalue()))
    except BaseException as exc:
        results.put(("waiter", "traceback", out.getvalue(), "".join(traceback.format_exception(exc))[-600:]))


def test_a_second_sync_waits_for_a_long_one_instead_of_failing_locked(loaded: tuple[str, Path]) -> None:
    url, draft = loaded
    first = variant(draft, "drop10.yaml", drop=(10,))
    second = variant(draft, "drop11.yaml", drop=(11,))
    context = multiprocessing.get_context("spawn")
    holding, asking, results = context.Event(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_hold_the_lock, args=(url, str(first), holding, asking, results)),
        context.Process(target=_wait_for_the_lock, args=(url, str(second), holding, asking, results)),
    ]
    for process in processes:
        process.start()
    try:
        got = {r[0]: r for r in (results.get(timeout=120), results.get(timeout=120))}
    finally:
        for process in processes:
            process.join(60)
            if process.is_alive():
                process.kill()
    assert got["holder"][1] == 0, got["holder"]
    assert got["waiter"][1] == 0 and "locked" not in got["waiter"][3], got["waiter"][3]
    database = opened(url)
    try:
        assert withdrawal_events(database) == [("任务10", True), ("任务10", False), ("任务11", True)]
        assert withdrawn_tasks(database) == {11}
    finally:
        database.dispose()


# ---------------------------------------------------------------------------------------------- 5. hostile drafts


def test_a_revision_with_zero_tasks_withdraws_every_task_and_says_so(loaded: tuple[str, Path]) -> None:
    url, draft = loaded
    empty = variant(draft, "empty.yaml", drop=tuple(ALL_TASKS))
    code, out, err = cli("plans", "apply", str(empty), "--db", url)
    database = opened(url)
    try:
        flags, recorded = withdrawn_tasks(database), withdrawal_events(database)
        live_states = rows(database, "task_state")["task_state"]
    finally:
        database.dispose()
    assert code == 0, err
    assert flags == ALL_TASKS and flags_from_events(recorded) == ALL_TASKS and duplicated(recorded) == []
    assert all(f"任务{n}：修订稿已删除此项" in out for n in ALL_TASKS), out  # every one said
    assert live_states == 53  # only the seed plans' tasks are still chased
    # …and a draft that leaves the tasks key out entirely is the same whole plan: all withdrawn again? No:
    # they are already withdrawn, so nothing new is recorded
    absent = variant(draft, "absent.yaml", edit=lambda d: d.pop("tasks"))
    assert cli("plans", "apply", str(absent), "--db", url)[0] == 0
    database = opened(url)
    try:
        assert withdrawal_events(database) == recorded
    finally:
        database.dispose()


def test_a_revision_with_duplicate_task_numbers_is_refused_and_withdraws_nothing(
    loaded: tuple[str, Path],
) -> None:
    url, draft = loaded

    def renumber(data: dict[str, Any]) -> None:  # task 11 written as a second task 10: task 11 'dropped'
        next(t for t in data["tasks"] if t["number"] == 11)["number"] = 10

    dup = variant(draft, "dup.yaml", edit=renumber)
    code, _, err = cli("plans", "apply", str(dup), "--db", url)
    assert code == 2 and "重复" in err and "Traceback" not in err, err
    database = opened(url)
    try:
        assert withdrawn_tasks(database) == set() and events(database) == []
    finally:
        database.dispose()


def test_a_revision_for_a_plan_code_not_yet_loaded_withdraws_nothing(loaded: tuple[str, Path]) -> None:
    url, draft = loaded

    def recode(data: dict[str, Any]) -> None:
        data["plan"]["code"] = "brand-new-plan"
        data["plan"]["title"] = data["plan"]["title"] + "（新）"

    new = variant(draft, "new.yaml", drop=(10, 11), edit=recode)
    code, out, err = cli("plans", "apply", str(new), "--db", url)
    assert code == 0, err
    database = opened(url)
    try:
        assert withdrawn_tasks(database) == set() and events(database) == []
        assert len(imported_plans(database)) == 2
    finally:
        database.dispose()
    assert "修订稿" not in out


def test_a_restore_with_a_changed_field_is_counted_once(loaded: tuple[str, Path]) -> None:
    url, draft = loaded
    assert cli("plans", "apply", str(variant(draft, "drop10.yaml", drop=(10,))), "--db", url)[0] == 0

    def later(data: dict[str, Any]) -> None:
        task = next(t for t in data["tasks"] if t["number"] == 10)
        task["deadline"], task["deadline_text"] = "2025.12", "2025年12月底前"

    back = variant(draft, "back.yaml", edit=later)
    database = opened(url)
    try:
        applied = apply_plan_file(database, back, actor="test", at=datetime.now(UTC))
        recorded = withdrawal_events(database)
    finally:
        database.dispose()
    assert recorded == [("任务10", True), ("任务10", False)]
    counts = applied.report.kinds["tasks"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 11), counts
