"""Typed settings from the environment; the command line may override the database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from schedules.limits import SLACK_LIMITS, TELEGRAM_LIMITS, TransportLimits, parse_limits
from store.errors import StoreError

DB_FILE_NAME = "duban.sqlite3"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    public_read: bool = False  # DUBAN_PUBLIC_READ: let users who have not bound a unit ask questions
    telegram_limits: TransportLimits = TELEGRAM_LIMITS  # DUBAN_TELEGRAM_LIMITS, e.g. chat=1/1s,overall=25/1s
    slack_limits: TransportLimits = SLACK_LIMITS  # DUBAN_SLACK_LIMITS

    @classmethod
    def from_env(cls, *, db_override: str | None = None) -> Settings:
        """--db beats DUBAN_DB, which beats the SQLite file in the data directory."""
        data_dir = default_data_dir()
        url = db_override or os.environ.get("DUBAN_DB") or f"sqlite:///{data_dir / DB_FILE_NAME}"
        return cls(
            data_dir=data_dir,
            db_url=url,
            public_read=_flag("DUBAN_PUBLIC_READ", default=False),
            telegram_limits=_limits("DUBAN_TELEGRAM_LIMITS", TELEGRAM_LIMITS),
            slack_limits=_limits("DUBAN_SLACK_LIMITS", SLACK_LIMITS),
        )

    def prepare(self) -> None:
        """Create the data directory when the database is the default SQLite file inside it."""
        if self.db_url.startswith("sqlite:///") and str(self.data_dir) in self.db_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)


def _flag(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise StoreError(texts.bad_setting(name, value, "true 或 false"))


def _limits(name: str, default: TransportLimits) -> TransportLimits:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return parse_limits(value)
    except ValueError as exc:
        raise StoreError(
            texts.bad_setting(name, value, f"如 chat=1/1s,group=20/60s,overall=25/1s（{exc}）")
        ) from None


def default_data_dir() -> Path:
    """DUBAN_HOME, else $XDG_DATA_HOME/duban, else ~/.local/share/duban."""
    if home := os.environ.get("DUBAN_HOME"):
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "duban"
