"""What Slack sends to an app, for tests: Events API, slash command and interactivity requests, signed with
the app's signing secret the way Slack signs them (v0 HMAC-SHA256 over the timestamp and the body)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp

from fakes.slack_server import FakeSlack, SlackMessage

BOT = FakeSlack.bot_user_id
COMMAND = "/duban"


class Slack:
    """What Slack sends to the app: signed Events API, slash command and interactivity requests."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret
        self.count = 0

    def next_id(self) -> int:
        self.count += 1
        return self.count

    async def post(
        self, body: str, content_type: str, *, headers: dict[str, str] | None = None, sign: bool = True
    ) -> tuple[int, str]:
        sent = {"Content-Type": content_type, **(headers or {})}
        if sign:
            stamp = str(int(time.time()))  # bolt compares it with the real clock (5 minutes either way)
            digest = hmac.new(self.secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
            sent.update({"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"})
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=sent) as response,
        ):
            return response.status, await response.text()

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = envelope(event, event_id or f"Ev{self.next_id():08d}")
        return await self.post(json.dumps(body), "application/json", headers=headers)

    async def dm(self, user: str, words: str, **kwargs: Any) -> tuple[int, str]:
        return await self.event(dm_event(user, words, self.next_id()), **kwargs)

    async def mention(self, user: str, channel: str, words: str) -> tuple[int, str]:
        number = self.next_id()
        event = {
            "type": "app_mention", "user": user, "text": f"<@{BOT}> {words}", "channel": channel,
            "ts": f"1758506400.{number:06d}", "event_ts": f"1758506400.{number:06d}",
        }  # fmt: skip
        return await self.event(event)

    async def command(
        self, user: str, channel: str, words: str, *, response_url: str = "http://127.0.0.1:9/unused"
    ) -> tuple[int, str]:
        fields = {
            "token": "x", "team_id": FakeSlack.team_id, "channel_id": channel, "channel_name": "general",
            "user_id": user, "user_name": user.lower(), "command": COMMAND, "text": words,
            "api_app_id": "A0000DUBAN", "response_url": response_url,
            "trigger_id": f"{self.next_id()}.1.trigger",
        }  # fmt: skip
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded")

    async def press(
        self, user: str, message: SlackMessage, value: str, *, action_ts: str | None = None
    ) -> tuple[int, str]:
        """The user presses the button carrying value on a message the fake holds."""
        number = self.next_id()
        payload = {
            "type": "block_actions",
            "team": {"id": FakeSlack.team_id},
            "user": {"id": user},
            "api_app_id": "A0000DUBAN",
            "trigger_id": f"{number}.1.trigger",
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel},
            "channel": {"id": message.channel},
            "message": {"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks},
            "actions": [
                {
                    "type": "button", "action_id": "duban_x", "block_id": "duban_buttons", "value": value,
                    "action_ts": action_ts or f"1758506500.{number:06d}",
                }
            ],
        }  # fmt: skip
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )


def envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "token": "x", "team_id": FakeSlack.team_id, "api_app_id": "A0000DUBAN", "event": event,
        "type": "event_callback", "event_id": event_id, "event_time": 1758506400,
        "authorizations": [{"team_id": FakeSlack.team_id, "user_id": BOT, "is_bot": True}],
    }  # fmt: skip


def dm_event(user: str, words: str, number: int) -> dict[str, Any]:
    return {
        "type": "message", "channel": dm(user), "user": user, "text": words, "channel_type": "im",
        "ts": f"1758506400.{number:06d}", "event_ts": f"1758506400.{number:06d}",
    }  # fmt: skip


def dm(user: str) -> str:
    return "D" + user[1:]  # the DM channel ids of the events; the fake accepts any channel
