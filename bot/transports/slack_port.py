"""Sending to Slack with slack_sdk's AsyncWebClient: the outbox's Port for Slack channels, and the one place
that turns text and buttons into Block Kit and Slack's answers into send results (replies use it too)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.conversation.messages import BUTTON_DATA, CONFIRM_DATA, split_lines
from schedules.limits import SLACK_LIMITS, TransportLimits
from schedules.port import Buttons, Outgoing, SendResult

log = logging.getLogger(__name__)
JSON = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]

MAX_SECTION = 3000  # Slack's limit on one section block's text
SECTIONS_PER_MESSAGE = 12  # 36,000 characters: Slack truncates a message's text beyond 40,000
MAX_LABEL = 75  # a button's text
MAX_VALUE = 2000  # a button's value
ACTION_PREFIX = "duban_"  # every button's action_id starts with it: duban_confirm, duban_cancel, duban_ack
BUTTONS_BLOCK = "duban_buttons"
# What the core understands as a pressed button; anything else is a button this version no longer knows.
BUTTON_VALUE = BUTTON_DATA
_STYLES = {CONFIRM_DATA: "primary"}
DEFAULT_WAIT = 1.0  # a 429 without Retry-After
MAX_WAIT = 30.0  # the longest a reply waits for Slack's rate limit before giving up
LATER_PART_ATTEMPTS = 3  # a long message's later parts: see SlackPort.send
METADATA_EVENT, METADATA_KEY = "duban_outbox", "key"  # a reminder's tag: its outbox key
HISTORY_LOOKBACK = 100  # messages searched for an earlier attempt (a channel's traffic in a few minutes)

# Errors about the channel itself (deleted, archived, the bot removed, the user deactivated): sending again
# cannot help. Token or request errors (invalid_auth, invalid_blocks…) concern every chat and stay "error",
# so the outbox retries them and then tells the admins rather than unbinding a working chat.
BLOCKED_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "team_access_not_granted",
        "ekm_access_denied",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
    }
)


class SlackPort:
    """chat.postMessage with the text as Block Kit sections and the buttons as an actions block."""

    limits: TransportLimits

    def __init__(
        self, client: AsyncWebClient, limits: TransportLimits = SLACK_LIMITS, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.client = client
        # Posts go through a client that never repeats a request by itself: slack_sdk's default retries a
        # post whose connection dropped, which posts it twice when Slack had taken it. The outbox retries
        # instead, after looking for the first attempt (see send).
        self.poster = AsyncWebClient(
            token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=[]
        )
        self.limits = limits
        self.sleep = sleep

    async def send(self, message: Outgoing) -> SendResult:
        """A 429 on the first part goes back to the outbox, which paces and retries the whole message; once a
        part is out, the rest waits here instead, or a retry would post the first part twice.

        Each reminder carries its outbox key as message metadata; when an earlier attempt may have gone out
        (its answer was lost), the channel's recent history is searched for it before posting again."""
        channel = message.target.chat_id
        if message.maybe_sent and message.reference:
            found = await self.find_posted(channel, message.reference)
            if found is not None:
                return SendResult.sent(found)
        return await self.post(
            channel, message.text, message.buttons, attempts=1, reference=message.reference
        )

    async def find_posted(self, channel: str, reference: str) -> str | None:
        """The ts of the bot's recent message tagged with reference in channel, if there is one."""
        try:
            if _is_user_id(channel):  # a DM given by the person's id: history wants the DM's own id
                opened = await self.client.conversations_open(users=channel)
                channel = str((opened.get("channel") or {}).get("id") or channel)
            history = await self.client.conversations_history(
                channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not look for an earlier attempt in %s (%s); posting again", channel, exc)
            return None
        for posted in history.get("messages") or []:
            payload = (posted.get("metadata") or {}).get("event_payload") or {}
            if payload.get(METADATA_KEY) == reference:
                return str(posted.get("ts") or "") or None
        return None

    async def post(
        self,
        channel: str,
        text: str,
        buttons: Buttons = (),
        *,
        attempts: int = LATER_PART_ATTEMPTS,
        reference: str = "",
    ) -> SendResult:
        """Post text (several messages when long, the buttons on the last); attempts bounds 429 retries.
        The last part carries the reference as metadata: once it is there, the whole message is."""
        parts = message_parts(text)
        result = SendResult("error", detail="nothing to send")
        for number, sections in enumerate(parts, 1):
            blocks = [section(part) for part in sections]
            last = number == len(parts)
            if last and buttons:
                blocks.append(actions(buttons))
            tries = attempts if number == 1 else max(attempts, LATER_PART_ATTEMPTS)
            tag = reference if last else ""
            result = await self._post_one(channel, "\n".join(sections), blocks, tries, tag)
            if result.status != "sent":
                return result
        return result

    async def ephemeral(self, channel: str, user: str, text: str) -> SendResult:
        """A message only `user` sees (no buttons: pressing them would have no message to update)."""
        try:
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=fallback(text[:MAX_SECTION])
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            return failure(exc)
        return SendResult.sent()

    async def respond(self, response_url: str, text: str) -> SendResult:
        """Answer a slash command through its response_url: only its user sees it, and it works where the bot
        may not post (a channel it is not in, another person's DM). Slack takes five answers per command."""
        webhook = AsyncWebhookClient(response_url, session=self.client.session)
        for sections in message_parts(text)[:5]:
            try:
                response = await webhook.send(
                    text=fallback("\n".join(sections)),
                    blocks=[section(part) for part in sections],
                    response_type="ephemeral",
                )
            except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
                return failure(exc)
            if response.status_code != 200:
                return SendResult(
                    "error", detail=f"response_url HTTP {response.status_code}: {response.body}"
                )
        return SendResult.sent()

    async def _post_one(
        self, channel: str, text: str, blocks: list[JSON], attempts: int, reference: str = ""
    ) -> SendResult:
        metadata = (
            {"event_type": METADATA_EVENT, "event_payload": {METADATA_KEY: reference}} if reference else None
        )
        for attempt in range(1, attempts + 1):
            try:
                response = await self.poster.chat_postMessage(
                    channel=channel, text=fallback(text), blocks=blocks, metadata=metadata
                )
            except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
                result = failure(exc)
                if result.status != "throttled" or attempt == attempts:
                    return result
                await self.sleep(min(result.retry_after or DEFAULT_WAIT, MAX_WAIT))
                continue
            return SendResult.sent(str(response.get("ts") or "") or None)
        return SendResult("error", detail="no attempt made")


def failure(exc: Exception) -> SendResult:
    """Slack's refusal as a send result: throttled (429), blocked (the channel) or error (anything else);
    uncertain when the request went out and its answer was lost (a dropped connection, a timeout)."""
    if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
        return SendResult("error", detail=f"{type(exc).__name__}: {exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | TimeoutError):
        return SendResult("uncertain", detail=f"{type(exc).__name__}: {exc}")
    if not isinstance(exc, SlackApiError):
        return SendResult("error", detail=f"{type(exc).__name__}: {exc}")
    response = exc.response
    error = str(response.get("error") or "") if isinstance(response.data, dict) else ""
    if response.status_code == 429 or error == "ratelimited":
        return SendResult(
            "throttled", retry_after=retry_after(response.headers), detail=error or "ratelimited"
        )
    if error in BLOCKED_ERRORS:
        return SendResult("blocked", detail=error)
    return SendResult("error", detail=f"HTTP {response.status_code}: {error or 'no error code'}")


def retry_after(headers: Mapping[str, Any]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                break
    return DEFAULT_WAIT


def message_parts(text: str) -> list[list[str]]:
    """The sections of each message: text cut on line boundaries into sections of at most MAX_SECTION
    characters (an overlong line is cut), at most SECTIONS_PER_MESSAGE to a message."""
    sections = [part for part in split_lines(text, MAX_SECTION) if part.strip()] or [text.strip() or "…"]
    return [sections[i : i + SECTIONS_PER_MESSAGE] for i in range(0, len(sections), SECTIONS_PER_MESSAGE)]


def section(text: str) -> JSON:
    # plain_text: the core's texts are not mrkdwn, and a reported name with * or _ must not turn bold.
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": False}}


def actions(buttons: Buttons) -> JSON:
    elements: list[JSON] = []
    seen: set[str] = set()
    for label, data in buttons:
        kind = re.sub(r"[^a-z0-9_]", "", data.partition(":")[0].lower()) or "button"
        action_id = f"{ACTION_PREFIX}{kind}"
        if action_id in seen:  # action_ids must differ within a block
            action_id = f"{action_id}_{len(seen)}"
        seen.add(action_id)
        element: JSON = {
            "type": "button",
            "text": {"type": "plain_text", "text": label[:MAX_LABEL], "emoji": False},
            "action_id": action_id,
            "value": data[:MAX_VALUE],
        }
        if kind in _STYLES:
            element["style"] = _STYLES[kind]
        elements.append(element)
    return {"type": "actions", "block_id": BUTTONS_BLOCK, "elements": elements}


def without_buttons(blocks: Sequence[JSON]) -> list[JSON]:
    return [block for block in blocks if block.get("type") != "actions"]


def fallback(text: str) -> str:
    """The message's `text`: shown in notifications and where blocks are not, read as mrkdwn, where Slack
    wants &, < and > escaped (an unescaped <!channel> in a reported text would ping everyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _is_user_id(channel: str) -> bool:
    return channel[:1] in ("U", "W")
