"""What each chat transport needs to connect: plain values the command line reads from the environment.

Kept apart from the transports themselves so that reading settings never imports a platform library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TELEGRAM_WEBHOOK_LISTEN = ("127.0.0.1", 8443)
DEFAULT_SLACK_LISTEN = ("127.0.0.1", 3000)


@dataclass(frozen=True)
class WebhookLimits:
    """What the webhook servers (Telegram's updates, Slack's HTTP events) accept from the network.

    max_body (DUBAN_WEBHOOK_MAX_BODY): 1 MiB. A Telegram update is at most a message of 4,096 characters
    with its entities and the message it replies to, well under 100 KB; the largest Slack request is a
    pressed button, which echoes the message it sits under: ours are at most 12 sections of 3,000 characters
    plus the same text as the fallback, under 700 KB even form-encoded Chinese. A bigger body is not from
    either platform, and is refused before it is read.
    max_connections (DUBAN_WEBHOOK_MAX_CONNECTIONS): 100 open at once per server. Telegram opens at most
    40 (setWebhook's max_connections), Slack a few; two servers at the cap stay far below the common limit
    of 1,024 open files, leaving room for the database and the outgoing connections.
    header_timeout, body_timeout (DUBAN_WEBHOOK_TIMEOUT): 10 s each. Both platforms send a request whole
    and at once; a connection still without its headers 10 s after it opened (or after its last answer),
    or a body still incomplete 10 s after its headers, is someone holding a slot.
    """

    max_body: int = 1024 * 1024
    max_connections: int = 100
    header_timeout: float = 10.0
    body_timeout: float = 10.0


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)  # DUBAN_TELEGRAM_TOKEN, from BotFather; never logged
    base_url: str | None = None  # DUBAN_TELEGRAM_BASE_URL, e.g. http://127.0.0.1:8081/bot (a local Bot API)
    webhook_url: str | None = None  # DUBAN_TELEGRAM_WEBHOOK_URL: webhook mode instead of long polling
    webhook_secret: str | None = field(default=None, repr=False)  # DUBAN_TELEGRAM_WEBHOOK_SECRET
    webhook_listen: tuple[str, int] = DEFAULT_TELEGRAM_WEBHOOK_LISTEN  # DUBAN_TELEGRAM_WEBHOOK_LISTEN
    webhook_limits: WebhookLimits = WebhookLimits()  # DUBAN_WEBHOOK_*

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
    webhook_limits: WebhookLimits = WebhookLimits()  # DUBAN_WEBHOOK_*: what the HTTP events server accepts

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None
