"""`duban init`, `tasks`, `indicators`, `units`, `plans`: the plan catalog on the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.cli import tables
from bot.cli.days import parse_day
from bot.conversation import texts
from schedules.calendar import SHANGHAI
from store.catalog_queries import list_indicators, list_plans, list_tasks, list_units
from store.db import Database
from store.errors import StoreError
from store.plan_status import standings
from store.views import IndicatorView, TaskView


def init_command(args: argparse.Namespace, db: Database) -> str:
    # Seeds bring pydantic and YAML; only `init` needs them, and the chat commands start faster without.
    from seeds.apply import apply_seeds
    from seeds.loader import SeedError

    try:
        summary = texts.seed_summary(db.safe_url, apply_seeds(db))
    except SeedError as exc:
        raise StoreError(str(exc)) from exc
    from bot.conversation.names import ensure_name_index

    ensure_name_index(db)  # as the owner: the bot's role may read the index but not rebuild it
    if args.bot_role:
        from store.grants import grant_bot_role

        grant_bot_role(db, args.bot_role)
        summary += "\n" + texts.bot_role_granted(args.bot_role)
    return summary


def tasks_command(args: argparse.Namespace, db: Database) -> str:
    views = list_tasks(db, unit=args.unit, plan=args.plan)
    if args.json:
        return _dump([_task_json(v) for v in views])
    return _table(texts.TASK_TABLE_HEADER, [_task_row(v) for v in views])


def indicators_command(args: argparse.Namespace, db: Database) -> str:
    views = list_indicators(db, plan=args.plan)
    if args.json:
        return _dump([_indicator_json(v) for v in views])
    return _table(texts.INDICATOR_TABLE_HEADER, [_indicator_row(v) for v in views])


def units_command(args: argparse.Namespace, db: Database) -> str:
    views = list_units(db)
    if args.json:
        return _dump([asdict(v) for v in views])
    lines = []
    for v in views:
        kind = texts.UNIT_KIND_LABELS.get(v.kind, v.kind)
        line = f"{v.name}（{kind}，{v.region}）"
        line += f" 简称：{'、'.join(v.aliases)}" if v.aliases else ""
        line += f" 成员：{'、'.join(v.members)}" if v.members else ""
        lines.append(line)
    return "\n".join(lines)


def plans_command(args: argparse.Namespace, db: Database) -> str:
    """Every plan with its standing on the day (未生效 / 执行中 / 已到期 / 已归档)."""
    views = list_plans(db)
    today = parse_day(args.today, texts.BAD_STATUS_DAY, "--today") if args.today else _today()
    standing = standings(db, today)
    if args.json:
        return _dump([{**asdict(v), "standing": standing.get(v.code, "in_force")} for v in views])
    return "\n".join(
        texts.plan_line(v.code, v.title, v.region, standing.get(v.code, "in_force"), v.valid_to)
        for v in views
    )


def _table(header: Sequence[str], rows: list[list[str]]) -> str:
    return tables.render(header, rows) if rows else texts.NO_ROWS


def _task_row(v: TaskView) -> list[str]:
    deadline = v.deadline.isoformat() if v.deadline else texts.ONGOING
    return [
        v.plan,
        str(v.number),
        deadline,
        texts.FEATURED_MARK if v.featured else "",
        tables.abridge("、".join(v.assigned), 36),
        tables.abridge(v.title or v.content, 40),
    ]


def _indicator_row(v: IndicatorView) -> list[str]:
    baseline = f"{v.baseline}{v.baseline_unit or v.unit_of_measure}" if v.baseline is not None else "—"
    return [
        v.plan,
        v.code,
        tables.abridge(v.name, 30),
        v.region,
        f"{v.comparator}{v.target}{v.unit_of_measure}",
        baseline,
        v.due.isoformat() if v.due else "—",
        tables.abridge("、".join(v.assigned), 30),
    ]


def _task_json(v: TaskView) -> dict[str, Any]:
    return {
        "plan": v.plan,
        "number": v.number,
        "title": v.title,
        "content": v.content,
        "units": list(v.units),
        "assigned": list(v.assigned),
        "deadline": v.deadline.isoformat() if v.deadline else None,
        "ongoing": v.ongoing,
        "featured": v.featured,
        "section": v.section,
        "source": asdict(v.source),
    }


def _indicator_json(v: IndicatorView) -> dict[str, Any]:
    return {
        "plan": v.plan,
        "code": v.code,
        "name": v.name,
        "region": v.region,
        "unit_of_measure": v.unit_of_measure,
        "target": v.target,
        "comparator": v.comparator,
        "period_kind": v.period_kind,
        "baseline": v.baseline,
        "baseline_year": v.baseline_year,
        "baseline_unit": v.baseline_unit or (v.unit_of_measure if v.baseline is not None else None),
        "units": list(v.units),
        "assigned": list(v.assigned),
        "due": v.due.isoformat() if v.due else None,
        "note": v.note,
        "source": asdict(v.source),
    }


def _dump(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # JSON numbers; integral values print without a decimal point (3500, not 3500.0).
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _today() -> date:
    return datetime.now(SHANGHAI).date()
