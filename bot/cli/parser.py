"""Every `duban` command, its arguments and the function that runs it, in one place.

Handlers are named, not imported: a command's module (and what it needs — the scheduler, a chat platform's
library, the seed loader) is imported only when that command runs, so `duban ask` starts without them.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.cli.entry import started
from bot.conversation import texts
from bot.conversation.messages import LOCAL_ADMIN

DEFAULT_INVITE_LIFETIME = "7d"
CHAT_PLATFORMS = ("telegram", "slack", "console", "local")


@dataclass(frozen=True)
class Handler:
    """A command's function, as module and name; called like the function itself."""

    module: str
    function: str

    def __call__(self, args: argparse.Namespace, db: Any) -> str | int:
        run: Callable[[argparse.Namespace, Any], str | int] = getattr(
            importlib.import_module(f"bot.cli.{self.module}"), self.function
        )
        started()
        return run(args, db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duban", description="督办：政府工作方案督办机器人")
    commands = parser.add_subparsers(dest="command", required=True)
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument("--db", help="SQLAlchemy 数据库地址（默认 DUBAN_DB 或数据目录下的 SQLite 文件）")
    _add_catalog_commands(commands, db_option)
    _add_conversation_commands(commands, db_option)
    _add_admin_commands(commands, db_option)
    _add_reminder_commands(commands, db_option)
    _add_calendar_commands(commands, db_option)
    _add_evidence_commands(commands, db_option)
    _add_report_commands(commands, db_option)
    _add_run_command(commands, db_option)
    return parser


def _add_catalog_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument("--json", action="store_true", help="输出 JSON")
    init = commands.add_parser("init", parents=[db_option], help="建立/升级数据库并载入种子数据")
    init.add_argument(
        "--bot-role",
        help="PostgreSQL：以表的所有者运行时，为机器人的角色授权（只读、只追加台账，不能删除或清空）",
    )
    init.set_defaults(handler=Handler("catalog", "init_command"))
    tasks = commands.add_parser("tasks", parents=[db_option, json_option], help="列出任务")
    tasks.add_argument("--unit", help="只列该单位（或集合的成员）承担的任务，可用简称")
    tasks.add_argument("--plan", help="计划代码或名称（如 fuzhou-protection、鼓楼）")
    tasks.set_defaults(handler=Handler("catalog", "tasks_command"))
    indicators = commands.add_parser("indicators", parents=[db_option, json_option], help="列出指标")
    indicators.add_argument("--plan", help="计划代码或名称")
    indicators.set_defaults(handler=Handler("catalog", "indicators_command"))
    units = commands.add_parser("units", parents=[db_option, json_option], help="列出单位及简称")
    units.set_defaults(handler=Handler("catalog", "units_command"))
    plans = commands.add_parser("plans", parents=[db_option, json_option], help=texts.PLANS_HELP)
    plans.add_argument("--today", help="按该日期（YYYY-MM-DD）显示状态")
    plans.set_defaults(handler=Handler("catalog", "plans_command"))
    actions = plans.add_subparsers(dest="action")
    for name, helptext in (("archive", texts.ARCHIVE_HELP), ("restore", texts.RESTORE_HELP)):
        action = actions.add_parser(name, parents=[db_option], help=helptext)
        action.add_argument("plan", help="计划代码、名称或简称（如 示范区、鼓楼方案）")
        if name == "archive":  # a restore takes effect at once: the archive's days stay as they were
            action.add_argument("--from", dest="start", help="自该日期（YYYY-MM-DD）起归档，默认今天")
        action.add_argument("--note", default="", help="原因（记入台账）")
        action.set_defaults(handler=Handler("plan_status", f"{name}_command"))
    importing = actions.add_parser("import", parents=[db_option], help=texts.IMPORT_HELP)
    importing.add_argument("file", help="方案文件：.docx、有文字层的 .pdf 或 .txt")
    importing.add_argument("--region", help="方案所属地区（如 福州市、鼓楼区），用于解析“市市场监管局”等简称")
    importing.add_argument("--json", action="store_true", help="只输出识别结果（JSON），不写任何文件")
    importing.add_argument("--out", help="草稿写入的目录（默认数据目录下的 imports/）")
    importing.set_defaults(handler=Handler("plan_import", "import_command"))
    applying = actions.add_parser("apply", parents=[db_option], help=texts.APPLY_HELP)
    applying.add_argument("draft", help="核对后的草稿 YAML（duban plans import 生成）")
    applying.set_defaults(handler=Handler("plan_import", "apply_command"))


def _add_conversation_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    ask = commands.add_parser("ask", parents=[db_option], help="回答一条消息（或 --jsonl 逐行回答）")
    ask.add_argument("text", nargs="?", help="消息内容")
    ask.add_argument("--user", default=LOCAL_ADMIN, help="发消息的用户 ID（默认本地管理员）")
    ask.add_argument("--today", help="以该日期（YYYY-MM-DD）为“今天”")
    ask.add_argument(
        "--jsonl", action="store_true", help='从标准输入逐行读取 {"text","user","today","at","message_id"}'
    )
    ask.set_defaults(handler=Handler("chat", "ask_command"))
    chat = commands.add_parser("chat", parents=[db_option], help="控制台对话（默认传输方式）")
    chat.add_argument("--user", default=LOCAL_ADMIN, help="对话用户 ID（默认本地管理员）")
    chat.add_argument("--today", help="以该日期（YYYY-MM-DD）为“今天”，便于演示")
    chat.set_defaults(handler=Handler("chat", "chat_command"))


def _add_admin_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    users = commands.add_parser("users", help="管理用户（添加、列出、移除）")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", parents=[db_option], help="添加或修改用户")
    add.add_argument("id", help="用户 ID：本机用户直接写名字；其他平台写 telegram:123 或 slack:U123")
    add.add_argument("--name", required=True, help="显示名")
    add.add_argument("--unit", required=True, help="所在单位，可用简称")
    add.add_argument("--role", required=True, help="admin、staff 或 viewer")
    add.set_defaults(handler=Handler("admin", "add_user_command"))
    listing = actions.add_parser("list", parents=[db_option], help="列出用户")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.set_defaults(handler=Handler("admin", "list_users_command"))
    remove = actions.add_parser("remove", parents=[db_option], help="移除用户（历史记录保留）")
    remove.add_argument("id")
    remove.set_defaults(handler=Handler("admin", "remove_user_command"))
    invite = commands.add_parser("invite", parents=[db_option], help="生成一次性邀请码")
    invite.add_argument("--unit", required=True, help="单位，可用简称")
    invite.add_argument("--role", required=True, help="admin、staff 或 viewer")
    invite.add_argument("--expires", default=DEFAULT_INVITE_LIFETIME, help="有效期，如 7d、12h（默认 7d）")
    invite.set_defaults(handler=Handler("admin", "invite_command"))


def _add_reminder_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    reminders = commands.add_parser(
        "reminders",
        parents=[db_option],
        help="督办提醒：--from/--to 预览（不写入）；sweep 立即扫描发送；log 发送记录",
    )
    reminders.add_argument("--from", dest="start", help="预览起始日期 YYYY-MM-DD")
    reminders.add_argument("--to", dest="end", help="预览结束日期 YYYY-MM-DD")
    reminders.add_argument("--json", action="store_true", help="输出 JSON 数组，每条消息一个对象")
    reminders.set_defaults(handler=Handler("reminders", "reminders_command"))
    actions = reminders.add_subparsers(dest="action")
    sweep = actions.add_parser(
        "sweep", parents=[db_option], help="立即扫描一次并发送（无平台时打印到控制台）"
    )
    sweep.add_argument("--today", help="按该日期扫描（YYYY-MM-DD，视为当天 09:00）；默认现在")
    sweep.set_defaults(handler=Handler("reminders", "sweep_command"))
    log = actions.add_parser("log", parents=[db_option], help="已发送、失败或已确认的提醒")
    log.add_argument("--unit", help="只看该单位，可用简称")
    log.add_argument("--limit", type=int, default=100, help="最多显示多少条（默认 100）")
    log.add_argument("--json", action="store_true", help="输出 JSON")
    log.set_defaults(handler=Handler("reminders", "log_command"))


def _add_calendar_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    calendar = commands.add_parser("calendar", help="工作日调整（法定节假日以外的放假或补班）")
    actions = calendar.add_subparsers(dest="action", required=True)
    setting = actions.add_parser("set", parents=[db_option], help="把某天设为工作日或休息日")
    setting.add_argument("day", help="日期 YYYY-MM-DD")
    kind = setting.add_mutually_exclusive_group(required=True)
    kind.add_argument("--workday", action="store_true", help="设为工作日（如补班）")
    kind.add_argument("--holiday", action="store_true", help="设为休息日")
    setting.add_argument("--note", default="", help="说明，如“2027年春节调休”")
    setting.set_defaults(handler=Handler("calendar_chats", "set_day_command"))
    listing = actions.add_parser("list", parents=[db_option], help="列出已设的调整")
    listing.set_defaults(handler=Handler("calendar_chats", "list_days_command"))

    chats = commands.add_parser("chats", help="各单位接收提醒的聊天")
    chat_actions = chats.add_subparsers(dest="action", required=True)
    bind = chat_actions.add_parser("bind", parents=[db_option], help="指定单位接收提醒的聊天")
    bind.add_argument("--unit", required=True, help="单位，可用简称")
    bind.add_argument("--platform", required=True, choices=CHAT_PLATFORMS)
    bind.add_argument("--chat", required=True, help="聊天 ID（Telegram 群为负数，Slack 频道如 C0123）")
    bind.add_argument("--group", action="store_true", help="这是群聊（发送频率按群限制）")
    bind.set_defaults(handler=Handler("calendar_chats", "bind_chat_command"))
    unbind = chat_actions.add_parser("unbind", parents=[db_option], help="取消单位的提醒聊天")
    unbind.add_argument("--unit", required=True)
    unbind.set_defaults(handler=Handler("calendar_chats", "unbind_chat_command"))
    listing = chat_actions.add_parser("list", parents=[db_option], help="列出各单位的提醒聊天")
    listing.set_defaults(handler=Handler("calendar_chats", "list_chats_command"))


def _add_evidence_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    evidence = commands.add_parser("evidence", help="佐证材料：导出、列出")
    actions = evidence.add_subparsers(dest="action", required=True)
    get = actions.add_parser("get", parents=[db_option], help="导出一份佐证材料")
    get.add_argument("id", type=int, help="佐证编号")
    get.add_argument("--out", help="保存到该文件或文件夹（默认当前文件夹，用原文件名）")
    get.set_defaults(handler=Handler("evidence", "get_command"))
    listing = actions.add_parser("list", parents=[db_option], help="列出佐证材料")
    listing.add_argument("--plan", help="计划代码或名称")
    listing.add_argument("--task", type=int, help="任务序号（可与 --plan 同用）")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.set_defaults(handler=Handler("evidence", "list_command"))


def _add_report_commands(commands: Any, db_option: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", help=texts.REPORT_HELP)
    actions = report.add_subparsers(dest="action", required=True)
    weekly = actions.add_parser("weekly", parents=[db_option], help=texts.WEEKLY_HELP)
    weekly.add_argument("--plan", help=texts.WEEKLY_PLAN_HELP)
    weekly.add_argument("--today", help=texts.WEEKLY_TODAY_HELP)
    weekly.set_defaults(handler=Handler("report", "weekly_command"))


def _add_run_command(commands: Any, db_option: argparse.ArgumentParser) -> None:
    run = commands.add_parser(
        "run", parents=[db_option], help="启动机器人：已配置的 Telegram/Slack 与提醒调度（未配置则用控制台）"
    )
    run.add_argument("--today", help="以该日期（YYYY-MM-DD）为“今天”（时刻仍取当前时间），便于演示提醒与问答")
    run.set_defaults(handler=Handler("run", "run_command"))
