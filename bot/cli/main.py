"""The `duban` command line: the composition root that wires settings, store and seeds together."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.cli import tables
from bot.cli.admin import add_admin_commands
from bot.cli.calendar_chats import add_calendar_commands
from bot.cli.chat import add_conversation_commands
from bot.cli.reminders import add_reminder_commands
from bot.cli.run import add_run_command
from bot.cli.settings import Settings
from bot.conversation import texts
from store.catalog_queries import list_indicators, list_plans, list_tasks, list_units
from store.db import Database
from store.errors import StoreError, UnknownNameError
from store.views import IndicatorView, TaskView

Command = Callable[[argparse.Namespace, Database], str | int]  # text to print, or an exit status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(db_override=args.db)
        settings.prepare()
        db = Database(settings.db_url)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        result = args.handler(args, db)
        if isinstance(result, int):  # the command wrote its own output
            return result
        print(result)
        return 0
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UnknownNameError as exc:
        return _fail(texts.unknown_name(exc.kind, exc.name, exc.suggestions))
    except StoreError as exc:
        return _fail(str(exc))
    except OperationalError as exc:
        if not db.is_reachable():
            return _fail(texts.db_unreachable(db.safe_url, str(exc.orig).strip()))
        return _fail(texts.NOT_INITIALISED)
    except ProgrammingError:
        return _fail(texts.NOT_INITIALISED)
    finally:
        db.dispose()


def _fail(message: str) -> int:
    print(texts.error(message), file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duban", description="督办：政府工作方案督办机器人")
    commands = parser.add_subparsers(dest="command", required=True)
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument("--db", help="SQLAlchemy 数据库地址（默认 DUBAN_DB 或数据目录下的 SQLite 文件）")
    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help="输出 JSON")

    init = commands.add_parser("init", parents=[db_option], help="建立/升级数据库并载入种子数据")
    init.set_defaults(handler=_init)
    tasks = commands.add_parser("tasks", parents=[db_option, json_option], help="列出任务")
    tasks.add_argument("--unit", help="只列该单位（或集合的成员）承担的任务，可用简称")
    tasks.add_argument("--plan", help="计划代码或名称（如 fuzhou-protection、鼓楼）")
    tasks.set_defaults(handler=_tasks)
    indicators = commands.add_parser("indicators", parents=[db_option, json_option], help="列出指标")
    indicators.add_argument("--plan", help="计划代码或名称")
    indicators.set_defaults(handler=_indicators)
    units = commands.add_parser("units", parents=[db_option, json_option], help="列出单位及简称")
    units.set_defaults(handler=_units)
    plans = commands.add_parser("plans", parents=[db_option, json_option], help="列出计划")
    plans.set_defaults(handler=_plans)
    add_conversation_commands(commands, db_option)
    add_admin_commands(commands, db_option)
    add_reminder_commands(commands, db_option)
    add_calendar_commands(commands, db_option)
    add_run_command(commands, db_option)
    return parser


def _init(args: argparse.Namespace, db: Database) -> str:
    # Seeds bring pydantic and YAML; only `init` needs them, and the chat commands start faster without.
    from seeds.apply import apply_seeds
    from seeds.loader import SeedError

    try:
        return texts.seed_summary(db.safe_url, apply_seeds(db))
    except SeedError as exc:
        raise StoreError(str(exc)) from exc


def _tasks(args: argparse.Namespace, db: Database) -> str:
    views = list_tasks(db, unit=args.unit, plan=args.plan)
    if args.json:
        return _dump([_task_json(v) for v in views])
    return _table(texts.TASK_TABLE_HEADER, [_task_row(v) for v in views])


def _indicators(args: argparse.Namespace, db: Database) -> str:
    views = list_indicators(db, plan=args.plan)
    if args.json:
        return _dump([_indicator_json(v) for v in views])
    return _table(texts.INDICATOR_TABLE_HEADER, [_indicator_row(v) for v in views])


def _units(args: argparse.Namespace, db: Database) -> str:
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


def _plans(args: argparse.Namespace, db: Database) -> str:
    views = list_plans(db)
    if args.json:
        return _dump([asdict(v) for v in views])
    return "\n".join(f"{v.code}  {v.title}（{v.region}，{v.status}，有效期至 {v.valid_to}）" for v in views)


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
