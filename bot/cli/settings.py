"""Typed settings from the environment; the command line may override the database."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.conversation import texts
from bot.transports.config import (
    DEFAULT_SLACK_LISTEN,
    DEFAULT_TELEGRAM_WEBHOOK_LISTEN,
    SlackSettings,
    TelegramSettings,
    WebhookLimits,
)
from schedules.limits import SLACK_LIMITS, TELEGRAM_LIMITS, TransportLimits, parse_limits
from store.errors import StoreError
from store.evidence_files import EvidenceFiles

DB_FILE_NAME = "duban.sqlite3"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


_TELEGRAM_TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{10,200}")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
_SLACK_SIGNING_SECRET = re.compile(r"[A-Za-z0-9]{8,200}")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    public_read: bool = False  # DUBAN_PUBLIC_READ: let users who have not bound a unit ask questions
    telegram_limits: TransportLimits = TELEGRAM_LIMITS  # DUBAN_TELEGRAM_LIMITS, e.g. chat=1/1s,overall=25/1s
    slack_limits: TransportLimits = SLACK_LIMITS  # DUBAN_SLACK_LIMITS
    telegram: TelegramSettings | None = None  # None: Telegram is not configured
    slack: SlackSettings | None = None
    evidence_inbox: Path | None = None  # DUBAN_EVIDENCE_INBOX: the console attaches files from here only

    @classmethod
    def from_env(cls, *, db_override: str | None = None) -> Settings:
        """--db beats DUBAN_DB, which beats the SQLite file in the data directory. The process environment
        beats a `.env` file (in the working directory, or DUBAN_ENV_FILE)."""
        env = environment()
        data_dir = default_data_dir(env)
        url = db_override or env.get("DUBAN_DB") or f"sqlite:///{data_dir / DB_FILE_NAME}"
        return cls(
            data_dir=data_dir,
            db_url=url,
            public_read=_flag(env, "DUBAN_PUBLIC_READ", default=False),
            telegram_limits=_limits(env, "DUBAN_TELEGRAM_LIMITS", TELEGRAM_LIMITS),
            slack_limits=_limits(env, "DUBAN_SLACK_LIMITS", SLACK_LIMITS),
            telegram=_telegram(env),
            slack=_slack(env),
            evidence_inbox=_path(env, "DUBAN_EVIDENCE_INBOX"),
        )

    def evidence_files(self) -> EvidenceFiles:
        """佐证材料 under `<data dir>/evidence`; the console's files from the inbox (`<data dir>/inbox`)."""
        return EvidenceFiles(self.data_dir / "evidence", self.evidence_inbox or self.data_dir / "inbox")

    def imports_folder(self) -> Path:
        """Plan documents sent in chat and their drafts: `<data dir>/imports`, as `duban plans import`."""
        return self.data_dir / "imports"

    def platforms(self) -> tuple[str, ...]:
        """The chat platforms configured (a `duban run` with these settings sends on them)."""
        return tuple(
            name for name, on in (("telegram", self.telegram), ("slack", self.slack)) if on is not None
        )

    def prepare(self) -> None:
        """Create the data directory when the database is the default SQLite file inside it."""
        if self.db_url.startswith("sqlite:///") and str(self.data_dir) in self.db_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)


def environment() -> dict[str, str]:
    """The process environment over the `.env` file's KEY=VALUE lines (# comments, optional quotes)."""
    path = Path(os.environ.get("DUBAN_ENV_FILE") or ".env")
    if not path.is_file():
        if "DUBAN_ENV_FILE" in os.environ:
            raise StoreError(texts.env_file_missing(str(path)))
        return dict(os.environ)
    return {**read_env_file(path), **os.environ}


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(texts.env_file_unreadable(str(path), str(exc))) from None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StoreError(texts.env_file_bad_line(str(path), number))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def _telegram(env: Mapping[str, str]) -> TelegramSettings | None:
    token = _value(env, "DUBAN_TELEGRAM_TOKEN")
    webhook_url = _url(env, "DUBAN_TELEGRAM_WEBHOOK_URL")
    secret = _value(env, "DUBAN_TELEGRAM_WEBHOOK_SECRET")
    base_url = _url(env, "DUBAN_TELEGRAM_BASE_URL")
    if token is None:
        _refuse_without_token(env, "DUBAN_TELEGRAM_TOKEN", "DUBAN_TELEGRAM_")
        return None
    if not _TELEGRAM_TOKEN.fullmatch(token):
        raise StoreError(
            texts.bad_secret_setting("DUBAN_TELEGRAM_TOKEN", "BotFather 给出的 123456:ABC… 格式令牌")
        )
    if webhook_url is not None and secret is None:
        raise StoreError(texts.missing_setting("DUBAN_TELEGRAM_WEBHOOK_SECRET", "Webhook 模式必须校验密钥"))
    if secret is not None and webhook_url is None:
        raise StoreError(
            texts.missing_setting("DUBAN_TELEGRAM_WEBHOOK_URL", "设置了 Webhook 密钥却没有 Webhook 地址")
        )
    if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
        raise StoreError(
            texts.bad_secret_setting("DUBAN_TELEGRAM_WEBHOOK_SECRET", "1–256 个字母、数字、_ 或 -")
        )
    listen = _listen(env, "DUBAN_TELEGRAM_WEBHOOK_LISTEN", DEFAULT_TELEGRAM_WEBHOOK_LISTEN)
    return TelegramSettings(token, base_url, webhook_url, secret, listen, webhook_limits(env))


def _slack(env: Mapping[str, str]) -> SlackSettings | None:
    bot_token = _value(env, "DUBAN_SLACK_BOT_TOKEN")
    app_token = _value(env, "DUBAN_SLACK_APP_TOKEN")
    signing_secret = _value(env, "DUBAN_SLACK_SIGNING_SECRET")
    base_url = _url(env, "DUBAN_SLACK_BASE_URL")
    if bot_token is None:
        _refuse_without_token(env, "DUBAN_SLACK_BOT_TOKEN", "DUBAN_SLACK_")
        return None
    if not bot_token.startswith("xoxb-") or len(bot_token) < 10:
        raise StoreError(
            texts.bad_secret_setting("DUBAN_SLACK_BOT_TOKEN", "以 xoxb- 开头的 Bot User OAuth Token")
        )
    if app_token is not None and (not app_token.startswith("xapp-") or len(app_token) < 10):
        raise StoreError(texts.bad_secret_setting("DUBAN_SLACK_APP_TOKEN", "以 xapp- 开头的 App-Level Token"))
    if signing_secret is not None and not _SLACK_SIGNING_SECRET.fullmatch(signing_secret):
        raise StoreError(
            texts.bad_secret_setting(
                "DUBAN_SLACK_SIGNING_SECRET", "应用 Basic Information 页的 Signing Secret"
            )
        )
    if app_token is None and signing_secret is None:
        raise StoreError(
            texts.missing_setting(
                "DUBAN_SLACK_APP_TOKEN 或 DUBAN_SLACK_SIGNING_SECRET",
                "Socket Mode 需要前者，HTTP 事件需要后者",
            )
        )
    listen = _listen(env, "DUBAN_SLACK_LISTEN", DEFAULT_SLACK_LISTEN)
    return SlackSettings(bot_token, app_token, signing_secret, base_url, listen, webhook_limits(env))


def _refuse_without_token(env: Mapping[str, str], token_name: str, prefix: str) -> None:
    """A platform's other settings without its token are a half-done configuration, not "off"."""
    for name in sorted(env):
        if (
            name.startswith(prefix)
            and name != token_name
            and not name.endswith("_LIMITS")
            and _value(env, name)
        ):
            raise StoreError(texts.missing_setting(token_name, f"设置了 {name} 却没有机器人令牌"))


def _value(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value is not None and value.strip() else None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = _value(env, name)
    return Path(value).expanduser() if value is not None else None


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = _value(env, name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(texts.bad_setting(name, value, "http:// 或 https:// 开头的完整地址"))
    return value


def _listen(env: Mapping[str, str], name: str, default: tuple[str, int]) -> tuple[str, int]:
    value = _value(env, name)
    if value is None:
        return default
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise StoreError(texts.bad_setting(name, value, "主机:端口，如 0.0.0.0:8443"))
    return host, int(port)


def webhook_limits(env: Mapping[str, str]) -> WebhookLimits:
    """DUBAN_WEBHOOK_MAX_BODY, DUBAN_WEBHOOK_MAX_CONNECTIONS and DUBAN_WEBHOOK_TIMEOUT (header and body read
    timeouts alike); what is unset keeps WebhookLimits' default."""
    default = WebhookLimits()
    timeout = _limit(env, "DUBAN_WEBHOOK_TIMEOUT", default.header_timeout)
    return WebhookLimits(
        max_body=int(_limit(env, "DUBAN_WEBHOOK_MAX_BODY", default.max_body)),
        max_connections=int(_limit(env, "DUBAN_WEBHOOK_MAX_CONNECTIONS", default.max_connections)),
        header_timeout=timeout,
        body_timeout=timeout,
    )


# What each webhook limit accepts: a whole number, or seconds; the body in bytes, KiB or MiB. The upper
# bounds keep a typo (a timeout of a day, a million connections) from passing as a setting.
_BYTES = re.compile(r"([0-9]{1,10})\s*(KiB|MiB|K|M)?", re.IGNORECASE)
_WHOLE = re.compile(r"([0-9]{1,5})()")
_SECONDS = re.compile(r"([0-9]{1,4}(?:\.[0-9]+)?)()")
_LIMIT_FORMS: dict[str, tuple[re.Pattern[str], float, str]] = {
    "DUBAN_WEBHOOK_MAX_BODY": (_BYTES, 2**30, texts.WEBHOOK_BODY_EXPECTED),
    "DUBAN_WEBHOOK_MAX_CONNECTIONS": (_WHOLE, 10_000, texts.WEBHOOK_CONNECTIONS_EXPECTED),
    "DUBAN_WEBHOOK_TIMEOUT": (_SECONDS, 600, texts.WEBHOOK_TIMEOUT_EXPECTED),
}
_SIZE_UNITS = {"": 1, "k": 1024, "kib": 1024, "m": 1024 * 1024, "mib": 1024 * 1024}


def _limit(env: Mapping[str, str], name: str, default: float) -> float:
    value = _value(env, name)
    if value is None:
        return default
    form, most, expected = _LIMIT_FORMS[name]
    found = form.fullmatch(value)
    number = float(found[1]) * _SIZE_UNITS[(found[2] or "").lower()] if found else 0.0
    if not 0 < number <= most:
        raise StoreError(texts.bad_setting(name, value, expected))
    return number


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise StoreError(texts.bad_setting(name, value, "true 或 false"))


def _limits(env: Mapping[str, str], name: str, default: TransportLimits) -> TransportLimits:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        return parse_limits(value)
    except ValueError as exc:
        raise StoreError(
            texts.bad_setting(name, value, f"如 chat=1/1s,group=20/60s,overall=25/1s（{exc}）")
        ) from None


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """DUBAN_HOME, else $XDG_DATA_HOME/duban, else ~/.local/share/duban."""
    env = os.environ if env is None else env
    if home := env.get("DUBAN_HOME"):
        return Path(home).expanduser()
    xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "duban"
