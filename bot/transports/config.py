"""What each chat transport needs to connect: plain values the command line reads from the environment.

Kept apart from the transports themselves so that reading settings never imports a platform library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TELEGRAM_WEBHOOK_LISTEN = ("127.0.0.1", 8443)
DEFAULT_SLACK_LISTEN = ("127.0.0.1", 3000)


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)  # DUBAN_TELEGRAM_TOKEN, from BotFather; never logged
    base_url: str | None = None  # DUBAN_TELEGRAM_BASE_URL, e.g. http://127.0.0.1:8081/bot (a local Bot API)
    webhook_url: str | None = None  # DUBAN_TELEGRAM_WEBHOOK_URL: webhook mode instead of long polling
    webhook_secret: str | None = field(default=None, repr=False)  # DUBAN_TELEGRAM_WEBHOOK_SECRET
    webhook_listen: tuple[str, int] = DEFAULT_TELEGRAM_WEBHOOK_LISTEN  # DUBAN_TELEGRAM_WEBHOOK_LISTEN

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url is not None


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)  # DUBAN_SLACK_BOT_TOKEN (xoxb-…)
    app_token: str | None = field(default=None, repr=False)  # DUBAN_SLACK_APP_TOKEN (xapp-…): Socket Mode
    signing_secret: str | None = field(default=None, repr=False)  # DUBAN_SLACK_SIGNING_SECRET: HTTP events
    base_url: str | None = None  # DUBAN_SLACK_BASE_URL, e.g. http://127.0.0.1:9000/api/
    listen: tuple[str, int] = DEFAULT_SLACK_LISTEN  # DUBAN_SLACK_LISTEN: where HTTP events are received

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None
