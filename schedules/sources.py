"""The open items a sweep plans from, read from the domain tables (nothing pickled, nothing cached)."""

from __future__ import annotations

from schedules.plan import OpenIndicator, OpenTask
from store.catalog_queries import load_catalog_views
from store.db import Database
from store.ledger import task_statuses


def open_items(db: Database) -> tuple[list[OpenTask], list[OpenIndicator]]:
    """Tasks not done, each with the units still to report and the approved deadline; all indicators."""
    views = load_catalog_views(db)
    statuses = task_statuses(db)
    supervisors = {plan.code: plan.supervising_unit for plan in views.plans}
    tasks = []
    for task in views.tasks:
        status = statuses.get((task.plan, task.number))
        if status is not None and status.done:
            continue
        done = set(status.done_units) if status else set()
        tasks.append(
            OpenTask(
                plan=task.plan,
                number=task.number,
                deadline=(status.deadline if status and status.deadline else task.deadline),
                ongoing=task.ongoing,
                units=tuple(u for u in task.units if u not in done),
                supervisor=supervisors[task.plan],
            )
        )
    indicators = [OpenIndicator(i.plan, i.code, i.units) for i in views.indicators]
    return tasks, indicators
