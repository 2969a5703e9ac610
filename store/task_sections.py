"""Where a plan numbers its work items in several titled lists (the 鼓楼 plan's 二、重点思路 and
四、重点工作), each item's list and its place in it, so a reminder names the item as chat does:
鼓楼第8项·重点工作（四）."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, Table, select

from store.models import Plan, Task
from store.querying import chunks

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]


def section_places(connection: Connection, plan_ids: Iterable[int]) -> dict[tuple[int, int], tuple[str, int]]:
    """(plan id, task number) -> (the list's title as the document writes it, 1-based place in that list),
    for plans whose items stand in more than one list (the same rule as `nlu.lexicon.sections_of`)."""
    lists: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for chunk in chunks(sorted(set(plan_ids))):
        rows = connection.execute(
            select(_task.c.plan_id, _task.c.section, _task.c.number)
            .where(_task.c.plan_id.in_(chunk), _task.c.section.is_not(None))
            .order_by(_task.c.plan_id, _task.c.number)
        )
        for plan_id, section, number in rows:
            lists[int(plan_id)][str(section)].append(int(number))
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for plan_id, sections in lists.items():
        if len(sections) > 1:
            for section, numbers in sections.items():
                for place, number in enumerate(numbers, 1):
                    found[(plan_id, number)] = (section, place)
    return found


def section_places_by_code(
    connection: Connection, plan_codes: Iterable[str]
) -> dict[tuple[str, int], tuple[str, int]]:
    """The same, keyed by plan code (the dry run's reminders name plans by code)."""
    ids: dict[int, str] = {}
    for chunk in chunks(sorted(set(plan_codes))):
        rows = connection.execute(select(_plan.c.id, _plan.c.code).where(_plan.c.code.in_(chunk)))
        ids.update({int(i): str(c) for i, c in rows})
    places = section_places(connection, ids)
    return {(ids[plan_id], number): place for (plan_id, number), place in places.items()}
