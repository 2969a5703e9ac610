"""Identities: users added by command line, one-time invite codes bound in chat, and who may ask at all."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.cli.main import main
from bot.cli.settings import Settings
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Inbound
from schedules.limits import TELEGRAM_LIMITS, Limit
from store.db import Database
from store.errors import StoreError
from store.members import create_invite, find_member

NOW = datetime(2025, 8, 10, 10, tzinfo=LOCAL_TZ)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def say(
    core: Core, user: str, text: str, at: datetime = NOW, platform: str = "telegram"
) -> tuple[str, str | None]:
    [reply] = core.handle(
        Inbound(platform, user, user, text, at, f"{user}-{text}", display_name=f"用户{user}")
    )
    return reply.text, reply.intent


def add_zhang(capsys: pytest.CaptureFixture[str], db_url: str) -> tuple[int, str, str]:
    return cli(
        capsys,
        "users",
        "add",
        "zhang",
        "--name",
        "张三",
        "--unit",
        "检察院",
        "--role",
        "staff",
        "--db",
        db_url,
    )


def test_users_add_list_remove(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "init", "--db", db_url)[0] == 0
    code, out, _ = add_zhang(capsys, db_url)
    assert (code, out.strip()) == (0, "已添加用户 张三（市检察院，填报员）。")
    cli(
        capsys,
        "users",
        "add",
        "telegram:42",
        "--name",
        "李四",
        "--unit",
        "中院",
        "--role",
        "viewer",
        "--db",
        db_url,
    )
    code, out, _ = cli(capsys, "users", "list", "--db", db_url)
    assert out.splitlines() == [
        "local:zhang  张三  市检察院  填报员",
        "telegram:42  李四  市中级人民法院  查询员",
    ]
    code, out, _ = cli(capsys, "users", "remove", "telegram:42", "--db", db_url)
    assert (code, out.strip()) == (0, "已移除用户 李四；其历史上报记录保留。")
    assert "李四" not in cli(capsys, "users", "list", "--db", db_url)[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["users", "add", "x", "--name", "x", "--unit", "市检查院", "--role", "staff"],
            "您是否要找：市检察院",
        ),
        (
            ["users", "add", "x", "--name", "x", "--unit", "市检察院", "--role", "boss"],
            "--role 应为 admin、staff、viewer 或 leader",
        ),
        (["users", "remove", "nobody"], "没有用户 nobody"),
        (  # issue 17, defect 4: 海关 is the collective 各海关's alias; bound to it, nobody could report
            ["users", "add", "x", "--name", "x", "--unit", "海关", "--role", "staff"],
            "“各海关”是集体名称，不是具体单位，绑定后无法报送。请改用其中的具体单位：榕城海关、马尾海关",
        ),
        (["users", "add", "", "--name", "x", "--unit", "市检察院", "--role", "staff"], "用户 ID 为空"),
        (
            ["users", "add", "telegram:", "--name", "x", "--unit", "市检察院", "--role", "staff"],
            "用户 ID 为空",
        ),
        (["users", "add", "x", "--name", " ", "--unit", "市检察院", "--role", "staff"], "--name 不能为空"),
        (["users", "add", "x", "--name", "x", "--unit", "", "--role", "staff"], "单位名称为空"),
        (["invite", "--unit", "仓山", "--role", "staff", "--expires", "soon"], "--expires 应为时长"),
    ],
)
def test_bad_user_commands_say_why(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    cli(capsys, "init", "--db", db_url)
    code, out, err = cli(capsys, *argv, "--db", db_url)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_invite_code_binds_once(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "invite", "--unit", "仓山", "--role", "staff", "--db", db.url)
    assert code == 0
    invite = out.strip().splitlines()[-1]
    assert invite.isalnum() and len(invite) == 10
    core = Core(Knowledge(db))
    assert say(core, "7", "鼓楼专利授权量进度") == (
        "您还没有绑定所在单位，暂时不能使用督办机器人。请向督办办公室索取邀请码，然后发送“绑定 邀请码”（Telegram 也可用 /start 邀请码）。",
        "not_bound",
    )
    reply, intent = say(core, "7", f"/start {invite.lower()}", at=datetime.now(LOCAL_TZ))
    assert intent == "bind" and reply.startswith("绑定成功：用户7，仓山区人民政府，填报员。")
    assert say(core, "7", "仓山有哪些任务")[0].startswith("仓山区人民政府承担的任务共 10 项")
    assert (
        say(core, "8", f"绑定 {invite}", at=datetime.now(LOCAL_TZ))[0]
        == "该邀请码已经用过，请向督办办公室索取新的邀请码。"
    )
    member = find_member(db, platform="telegram", user_id="7")
    assert member is not None and (member.unit, member.role) == ("仓山区人民政府", "staff")


def test_expired_and_unknown_codes(db: Database) -> None:
    invite = create_invite(
        db, unit="中院", role="viewer", expires_at=NOW + timedelta(days=1), at=NOW, actor="test"
    )
    core = Core(Knowledge(db))
    assert (
        say(core, "9", f"/bind {invite.code}", at=NOW + timedelta(days=2))[0]
        == "该邀请码已过期，请向督办办公室索取新的邀请码。"
    )
    assert say(core, "9", "绑定 ZZZZZZZZZZ")[0] == "邀请码无效，请核对后重新发送。"
    assert say(core, "9", "绑定")[0] == "请发送“绑定 邀请码”，例如：绑定 K7Q2M9XDAB。"
    assert find_member(db, platform="telegram", user_id="9") is None


def test_public_read_lets_anyone_ask(db: Database) -> None:
    _, intent = say(Core(Knowledge(db), public_read=True), "stranger", "逾期任务")
    assert intent == "overdue_tasks"


def test_local_operator_is_admin_without_binding(db: Database) -> None:
    core = Core(Knowledge(db))
    assert say(core, "admin", "逾期任务", platform="local")[1] == "overdue_tasks"
    assert say(core, "someone", "逾期任务", platform="local")[1] == "not_bound"


def test_member_log_is_append_only(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    add_zhang(capsys, db.url)
    for statement in ("UPDATE member_event SET kind = 'x'", "DELETE FROM member_event"):
        with Session(db.engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.connection().exec_driver_sql(statement)


def test_public_read_setting_is_checked(
    db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_PUBLIC_READ", "maybe")
    code, _, err = cli(capsys, "ask", "--db", db.url, "逾期任务")
    assert code == 2 and "DUBAN_PUBLIC_READ" in err


def test_sending_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().telegram_limits == TELEGRAM_LIMITS
    monkeypatch.setenv("DUBAN_TELEGRAM_LIMITS", "chat=1/2s,overall=10/1s")
    limits = Settings.from_env().telegram_limits
    assert (limits.per_chat, limits.per_group, limits.overall) == (Limit(1, 2.0), None, Limit(10, 1.0))
    monkeypatch.setenv("DUBAN_SLACK_LIMITS", "channel=1/1s")
    with pytest.raises(StoreError, match="DUBAN_SLACK_LIMITS"):
        Settings.from_env()
