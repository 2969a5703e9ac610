"""Slack's HTTP events (the Events API, interactivity and the slash command on one Request URL), received by
duban's own server (`webhook_server`) and handed to bolt only once they are known to be Slack's and well
formed.

In order, each step before any work of the next: the signature's headers (present, a timestamp that is a
number within Slack's five minutes), the body within the cap, the signature over it, then the body's form:
JSON, or a form whose `payload` is JSON, that is an object. A failure is a 401 or a 4xx, never a 500: bolt
itself would answer a timestamp of `abc` or a signed malformed body with an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from bot.transports.config import WebhookLimits
from bot.transports.webhook_server import Refused, WebhookServer

EVENTS_PATH = "/slack/events"  # one Request URL for events, interactivity and the slash command
MAX_AGE = 5 * 60  # seconds a request's timestamp may be off, as bolt allows (a replayed request is older)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; 12 digits reach well past any real clock


class SlackEvents:
    """Verifies Slack's requests and dispatches them to the bolt app."""

    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        limits: WebhookLimits,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.limits = limits
        self.clock = clock
        self._secret = signing_secret.encode()
        self.server = WebhookServer("Slack events", EVENTS_PATH, self._receive, limits)

    async def _receive(self, request: web.BaseRequest) -> web.StreamResponse:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        fresh = _TIMESTAMP.fullmatch(timestamp) and abs(self.clock() - int(timestamp)) <= MAX_AGE
        if not fresh or not signature:
            raise Refused(HTTPStatus.UNAUTHORIZED, "no signature, or a timestamp that is not now")
        body = await self.server.read_body(request)
        if not hmac.compare_digest(self._signature(timestamp, body), signature.encode()):
            raise Refused(HTTPStatus.UNAUTHORIZED, "wrong signature")
        bolt_request = _bolt_request(body, request)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    def _signature(self, timestamp: str, body: bytes) -> bytes:
        """Slack's v0 signature, over the bytes as sent (slack_sdk's verifier would decode them first, and
        fail on a body that is not UTF-8)."""
        signed = b"v0:" + timestamp.encode() + b":" + body
        return b"v0=" + hmac.new(self._secret, signed, hashlib.sha256).hexdigest().encode()


def _bolt_request(body: bytes, request: web.BaseRequest) -> AsyncBoltRequest:
    """The request as bolt takes it, once its body is known to parse the way bolt parses it."""
    try:
        text = body.decode("utf-8")
        # The media type as bolt reads it (what precedes any ";"), so both parse alike.
        parsed = parse_body(text, request.headers.get("Content-Type", "").split(";")[0] or None)
    except ValueError:  # not UTF-8, malformed JSON (also inside a form's payload)
        raise Refused(HTTPStatus.BAD_REQUEST, "body does not parse") from None
    if not isinstance(parsed, dict):
        raise Refused(HTTPStatus.BAD_REQUEST, "body is not an object")
    headers: dict[str, str | Sequence[str]] = {name: request.headers.getall(name) for name in request.headers}
    return AsyncBoltRequest(body=text, query=request.query_string, headers=headers)
