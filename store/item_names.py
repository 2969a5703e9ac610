"""How a notice names a task, the way digests and chat do: the plan's short name, the task's number as the
plan numbers it (任务11 / 鼓楼第3项 and its list), and its words (store.outbox names digest items alike)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table, and_, or_, select

from store.db import Database
from store.models import Plan, Task
from store.task_sections import section_places
from store.views import plan_short_name

_plan: Table = Plan.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]
_CHUNK = 200


@dataclass(frozen=True)
class ItemName:
    plan_short: str  # 示范区 / 鼓楼方案
    plan_region: str
    number: int
    title: str | None  # a titled item (the 鼓楼 lists) is 鼓楼第N项, an untitled one 任务N
    words: str  # its title, else its wording
    section: tuple[str, int] | None  # the list it stands in and its place there, where a plan has several


def item_names(db: Database, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], ItemName]:
    """The names of the tasks (plan code, number) asked for; unknown keys are left out."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, int], ItemName] = {}
    with db.engine.connect() as connection:
        for start in range(0, len(wanted), _CHUNK):  # notices name a few tasks; an OR per key stays short
            chunk = wanted[start : start + _CHUNK]
            rows = connection.execute(
                select(
                    _plan.c.id, _plan.c.code, _plan.c.region, _plan.c.short_names, _task.c.number,
                    _task.c.title, _task.c.content,
                )
                .join(_task, _task.c.plan_id == _plan.c.id)
                .where(or_(*(and_(_plan.c.code == code, _task.c.number == number) for code, number in chunk)))
            ).all()  # fmt: skip
            places = section_places(connection, {int(r.id) for r in rows})
            for r in rows:
                short = plan_short_name(str(r.region), _names(r.short_names))
                found[(str(r.code), int(r.number))] = ItemName(
                    short, str(r.region), int(r.number), r.title, r.title or r.content,
                    places.get((int(r.id), int(r.number))),
                )  # fmt: skip
    return found


def _names(stored: str | None) -> list[str]:
    try:
        return [str(n) for n in json.loads(stored or "[]")]
    except ValueError:
        return []
