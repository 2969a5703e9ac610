"""Telegram's webhook: the updates Telegram POSTs (through the operator's TLS proxy) are received by duban's
own server (`webhook_server`), checked, and put on the Application's update queue, where python-telegram-bot's
handlers take them exactly as they take polled ones.

PTB's built-in webhook server is not used: it reads a whole body (up to 100 MB) before it checks the secret,
answers malformed JSON with 500, and has neither a connection cap nor a timeout for headers, so idle
connections could hold it for good. Registration is the same as PTB's: setWebhook with the URL, the secret
token and the update types asked for.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.transports.config import TelegramSettings
from bot.transports.webhook_server import Refused, WebhookServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How many connections Telegram may open to deliver updates (setWebhook's max_connections; PTB's default,
# which duban registered before); never more than the server accepts.
TELEGRAM_CONNECTIONS = 40

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramWebhook:
    """Serves the webhook for `application` and registers it with Telegram."""

    def __init__(
        self, application: TelegramApp, settings: TelegramSettings, allowed_updates: Sequence[str]
    ) -> None:
        if settings.webhook_url is None or not settings.webhook_secret:
            raise ValueError("a Telegram webhook needs its URL and its secret token")
        self.application = application
        self.url = settings.webhook_url
        self.listen = settings.webhook_listen
        self.limits = settings.webhook_limits
        self.allowed_updates = allowed_updates
        self._secret = settings.webhook_secret.encode()
        path = urlsplit(settings.webhook_url).path or "/"
        self.server = WebhookServer("Telegram webhook", path, self._receive, settings.webhook_limits)

    async def start(self) -> None:
        """Listen first, then register: Telegram may deliver as soon as setWebhook returns."""
        host, port = self.listen
        await self.server.start(host, port)
        await self.application.bot.set_webhook(
            url=self.url,
            allowed_updates=self.allowed_updates,
            max_connections=min(TELEGRAM_CONNECTIONS, self.limits.max_connections),
            secret_token=self._secret.decode(),
        )

    async def stop(self) -> None:
        """Stop receiving; updates already queued are handled by the Application as it stops."""
        await self.server.close()

    async def _receive(self, request: web.BaseRequest) -> web.StreamResponse:
        # The secret first: a stranger's request is refused before a byte of its body is read.
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise Refused(HTTPStatus.FORBIDDEN, "missing or wrong secret token")
        if request.content_type != "application/json":
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"{request.content_type[:50]!r}, not JSON")
        update = self._update(await self.server.read_body(request))
        await self.application.update_queue.put(update)
        return web.Response()

    def _update(self, body: bytes) -> Update:
        try:
            data = json.loads(body)
        except ValueError:  # not JSON, or not UTF-8
            raise Refused(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:  # PTB's parsers raise whatever a wrong type makes them raise
            raise Refused(HTTPStatus.BAD_REQUEST, f"not an update ({type(exc).__name__})") from None
        if update is None:
            raise Refused(HTTPStatus.BAD_REQUEST, "not an update")
        return update
