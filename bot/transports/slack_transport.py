"""The Slack transport for `duban run`: slack-bolt receives (HTTP Events API or Socket Mode), the dispatcher
and the core decide, and this module only translates.

HTTP events are received by duban's own server (`slack_http`, on `webhook_server`), which checks the
signature and the body before bolt sees them. What reaches the core: direct messages to the bot (`message`
events in an IM), mentions of the bot in a channel (`app_mention`, the mention removed), the `/duban` slash
command (its text; empty means /help) and pressed buttons (the button's value). Every delivery is
acknowledged at once and worked on afterwards: Slack wants an answer within 3 seconds and redelivers
otherwise; a redelivered event keeps its event_id, which the dispatcher records, so it is never answered
twice. A message's own id (what report rows carry) is its ts qualified with its channel: a ts is unique only
within one channel. When the core fails, the sender gets an apology (and the log the traceback, once).

Replies go to the channel the message came from. A channel that refuses the bot (removed, archived, deleted)
is marked unreachable, so reminders stop going there and the admins are told. A slash command used where the
bot cannot post (a channel it is not in, someone else's DM) is answered through the command's response_url,
which only its user sees: the command says nothing about reminder chats, so nothing is unbound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import texts
from bot.conversation.dispatch import Dispatcher
from bot.conversation.handlers import binding_code
from bot.conversation.messages import LOCAL_TZ, Inbound, Outbound, message_key
from bot.transports.config import SlackSettings
from bot.transports.slack_files import fetch_attachment, file_messages, shared_files, upload
from bot.transports.slack_http import EVENTS_PATH, SlackEvents
from bot.transports.slack_port import BUTTON_VALUE, JSON, SlackPort, Sleep, without_buttons
from schedules.limits import SLACK_LIMITS, TransportLimits
from schedules.port import Buttons, Port, SendResult
from store.reminder_chats import Target

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/duban"
DEFAULT_BASE_URL = AsyncWebClient.BASE_URL
STOP_GRACE = 30.0  # seconds stop() waits for replies in flight
CONNECT_TIMEOUT = 60.0  # seconds start() waits for the Socket Mode WebSocket (the client retries meanwhile)
FAILED = "transport_error"  # the intent of the apology sent when the core raised
# A pressed button whose answer is one of these leaves the buttons in place: someone else pressed them, or
# a stranger, and the person they are for must still be able to; or the core failed, and it may be pressed
# again.
KEEP_BUTTONS = frozenset({"refused", "not_bound", FAILED})


Refused = Callable[[Sequence[Outbound]], Awaitable[None]]  # what to do with replies a channel refused


def _now() -> datetime:
    return datetime.now(LOCAL_TZ)


class SlackTransport:
    platform = PLATFORM

    def __init__(
        self,
        settings: SlackSettings,
        dispatcher: Dispatcher,
        *,
        limits: TransportLimits = SLACK_LIMITS,
        clock: Callable[[], datetime] = _now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not settings.socket_mode and not settings.signing_secret:
            raise ValueError("HTTP events need the signing secret; Socket Mode needs the app token")
        self.settings = settings
        self.dispatcher = dispatcher
        self.clock = clock
        self.client = AsyncWebClient(token=settings.bot_token, base_url=settings.base_url or DEFAULT_BASE_URL)
        self.sender = SlackPort(self.client, limits, sleep=sleep)
        self.port: Port = self.sender  # the outbox's view of it (Transport wants exactly a Port)
        # The client carries the token (passing both would make bolt warn). An empty signing secret keeps bolt
        # from reading SLACK_SIGNING_SECRET; Socket Mode requests are not signed and bolt does not check them.
        # process_before_response=False (bolt's default, spelt out): the HTTP answer, or the Socket Mode
        # envelope's ack, goes back as soon as a listener acks; the listener then carries on with the work.
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret or "",
            name="duban",
            process_before_response=False,
        )
        self.app.event("message")(self._on_message)
        self.app.event("app_mention")(self._on_mention)
        self.app.command(COMMAND)(self._on_command)
        self.app.block_action(re.compile(".*"))(self._on_button)
        self.http_url: str | None = None  # where HTTP events are received, once started
        self._events: SlackEvents | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._busy: set[asyncio.Task[Any]] = set()
        self._names: dict[str, str | None] = {}

    # ---- lifecycle -----------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, then listen (HTTP server or Socket Mode connection); return once receiving."""
        # One session for every Web API call: kept-alive connections instead of one per call.
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        try:
            identity = await self.client.auth_test()  # a wrong token fails here, not at the first message
            log.info("Slack: connected as %s in %s", identity.get("user_id"), identity.get("team"))
            if self.settings.app_token is not None:
                await self._start_socket_mode(self.settings.app_token)
            else:
                await self._start_http()
        except BaseException:
            await self.stop()
            raise

    async def _start_http(self) -> None:
        assert self.settings.signing_secret is not None  # checked by the constructor
        self._events = SlackEvents(self.app, self.settings.signing_secret, self.settings.webhook_limits)
        bound_host, bound_port = await self._events.server.start(*self.settings.listen)
        shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        self.http_url = f"http://{shown}:{bound_port}{EVENTS_PATH}"
        log.info("Slack: receiving HTTP events at %s", self.http_url)

    async def _start_socket_mode(self, app_token: str) -> None:
        # Asking for the URL ourselves makes a wrong app token fail start(); the client's own connect() would
        # log the error and retry for ever.
        opened = await self.client.apps_connections_open(app_token=app_token)
        # Built here: the Socket Mode client makes its aiohttp session and tasks on the running loop.
        self._socket = AsyncSocketModeHandler(self.app, app_token, web_client=self.client)
        self._socket.client.wss_uri = str(opened["url"])
        # connect() logs a failed WebSocket handshake and tries again every few seconds, without end.
        await asyncio.wait_for(self._socket.connect_async(), CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        log.info("Slack: receiving events over Socket Mode")

    async def stop(self) -> None:
        """Stop receiving, let replies in flight finish (for up to STOP_GRACE seconds), close connections."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._events is not None:
            await self._events.server.stop_listening()
        await self.drain(STOP_GRACE)
        if self._events is not None:
            await self._events.server.close()
            self._events = None
        session, self.client.session = self.client.session, None
        if session is not None:
            await session.close()

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until the work of every delivery received so far is done."""
        while self._busy:
            _, pending = await asyncio.wait(set(self._busy), timeout=timeout)
            if pending:
                log.warning(
                    "Slack: %d replies still in flight after %s s; stopping anyway", len(pending), timeout
                )
                return

    @contextlib.contextmanager
    def _working(self, what: str) -> Iterator[None]:
        """Count the listener's task as in flight, and log its failure (bolt has acknowledged already)."""
        task = asyncio.current_task()
        if task is not None:
            self._busy.add(task)
        try:
            yield
        except Exception:
            log.exception("Slack: handling %s failed", what)
        finally:
            if task is not None:
                self._busy.discard(task)

    # ---- listeners (bolt injects arguments by name) --------------------------------------------------------

    async def _on_message(self, event: JSON, body: JSON) -> None:
        with self._working("a direct message"):
            # Channel messages are answered only when the bot is mentioned (app_mention); edits, joins and
            # other bots' messages carry a subtype or a bot_id. bolt already drops the bot's own messages.
            # A file shared in the DM (subtype file_share) is a message with 佐证材料.
            other_subtype = event.get("subtype") not in (None, "file_share")
            if event.get("channel_type") != "im" or other_subtype or event.get("bot_id"):
                return
            if "user" not in event or "channel" not in event:
                return
            await self._converse(
                channel=str(event["channel"]),
                user=str(event["user"]),
                text=str(event.get("text") or ""),
                message_id=_in_channel(str(event["channel"]), event.get("ts")),
                event_id=_text_or_none(body.get("event_id")),
                files=shared_files(event),
            )

    async def _on_mention(self, event: JSON, body: JSON, context: AsyncBoltContext) -> None:
        with self._working("a mention"):
            channel = str(event["channel"])
            if _is_direct(channel) or event.get("bot_id") or "user" not in event:
                return  # in a DM the message event answers it
            await self._converse(
                channel=channel,
                user=str(event["user"]),
                text=without_mention(str(event.get("text") or ""), context.bot_user_id)
                or ("" if shared_files(event) else "/help"),
                message_id=_in_channel(channel, event.get("ts")),
                event_id=_text_or_none(body.get("event_id")),
                files=shared_files(event),
            )

    async def _on_command(self, ack: AsyncAck, command: JSON) -> None:
        with self._working(COMMAND):
            await ack()  # an empty 200: the reply is posted in the channel below
            channel = str(command["channel_id"])
            trigger = _text_or_none(command.get("trigger_id"))
            response_url = _text_or_none(command.get("response_url"))
            # Slack promises no more of a trigger_id than that it names this invocation: qualified with the
            # channel, it is unique on Slack whatever Slack's own scheme is, and it is the delivery's key too.
            key = message_key(channel, f"command:{trigger}") if trigger else None
            await self._converse(
                channel=channel,
                user=str(command["user_id"]),
                text=str(command.get("text") or "").strip() or "/help",
                message_id=key,
                event_id=key,
                refused=self._responder(response_url) if response_url else None,
            )

    async def _on_button(self, ack: AsyncAck, body: JSON, action: JSON) -> None:
        with self._working("a button"):
            await ack()
            await self._pressed(body, action)

    # ---- translation ---------------------------------------------------------------------------------------

    async def _converse(
        self,
        *,
        channel: str,
        user: str,
        text: str,
        message_id: str | None,
        event_id: str | None,
        refused: Refused | None = None,
        files: Sequence[JSON] = (),
    ) -> None:
        # Several files in one message: the first goes with the text, each further one as a message of its
        # own (its id and delivery key suffixed with its number), so each is kept once.
        for number, (words, file) in enumerate(file_messages(text, files)):
            suffix = f":file{number}" if number else ""
            inbound = Inbound(
                PLATFORM,
                channel,
                user,
                words,
                self.clock(),
                message_id=message_id + suffix if message_id else None,
                display_name=await self._display_name(user, words),
                group=not _is_direct(channel),
                attachment=await fetch_attachment(self.client, file) if file is not None else None,
            )
            replies = await self._handle(inbound, event_id + suffix if event_id else None)
            if replies is not None:
                await self._reply(channel, replies, refused=refused)

    async def _pressed(self, body: JSON, action: JSON) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        container: JSON = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        value = str(action.get("value") or "")
        if not user or not channel:
            return
        if not BUTTON_VALUE.fullmatch(value):
            await self._ephemeral(channel, user, texts.BUTTON_EXPIRED)
            return
        pressed_at = str(action.get("action_ts") or body.get("trigger_id") or "")
        # action_ts is a time: two people (or one in two channels) can press at the same one.
        key = message_key(channel, f"action:{user}:{pressed_at}") if pressed_at else None
        inbound = Inbound(
            PLATFORM, channel, user, value, self.clock(), message_id=key, group=not _is_direct(channel)
        )
        replies = await self._handle(inbound, key)
        if replies is None:
            return
        if not any(reply.intent in KEEP_BUTTONS for reply in replies):
            await self._drop_buttons(channel, body)
        await self._reply(channel, replies)

    async def _handle(self, inbound: Inbound, event_id: str | None) -> list[Outbound] | None:
        """The core's replies; when it raises, the sender gets an apology and the log the traceback, once."""
        try:
            return await self.dispatcher.handle(inbound, event_id=event_id)
        except Exception:
            log.exception(
                "Slack: %s from %s in %s failed in the core", event_id, inbound.user_id, inbound.chat_id
            )
            return [Outbound(texts.SLACK_FAILED, intent=FAILED)]

    async def _reply(
        self, channel: str, replies: Sequence[Outbound], *, refused: Refused | None = None
    ) -> None:
        """Post the replies in order; a channel that refuses them goes to `refused`, by default unbound."""
        for number, reply in enumerate(replies):
            result = await self.sender.post(channel, reply.text, _buttons(reply))
            if result.status == "sent":
                await self._send_file(channel, reply)
                continue
            if result.status == "blocked" and refused is not None:
                await refused(replies[number:])
            elif result.status == "blocked":
                await self.dispatcher.chat_unreachable(
                    Target(PLATFORM, channel, not _is_direct(channel)), at=self.clock(), detail=result.detail
                )
            else:
                log.warning("Slack: reply to %s not sent (%s: %s)", channel, result.status, result.detail)
            return

    async def _send_file(self, channel: str, reply: Outbound) -> None:
        """The reply's file, after its text (佐证材料 fetched in chat); a failed upload is said."""
        if reply.file is not None and not await upload(self.client, channel, reply.file):
            await self.sender.post(channel, texts.EVIDENCE_SEND_FAILED, ())

    def _responder(self, response_url: str) -> Refused:
        async def respond(replies: Sequence[Outbound]) -> None:
            for reply in replies:  # buttons left out: a private answer has no message to update
                result = await self.sender.respond(response_url, reply.text)
                if result.status != "sent":
                    log.warning("Slack: answering a command privately failed (%s)", result.detail)
                    return

        return respond

    async def _ephemeral(self, channel: str, user: str, text: str) -> None:
        result: SendResult = await self.sender.ephemeral(channel, user, text)
        if result.status != "sent":
            log.warning("Slack: ephemeral reply to %s in %s not sent (%s)", user, channel, result.detail)

    async def _drop_buttons(self, channel: str, body: JSON) -> None:
        """The pressed message keeps its text and loses its buttons: they have done their work."""
        container: JSON = body.get("container") or {}
        message: JSON = body.get("message") or {}
        ts = container.get("message_ts") or message.get("ts")
        if not ts or container.get("is_ephemeral"):
            return
        try:
            await self.client.chat_update(
                channel=channel,
                ts=str(ts),
                text=str(message.get("text") or ""),
                blocks=without_buttons(message.get("blocks") or []),
            )
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("Slack: could not remove the buttons of %s in %s: %s", ts, channel, exc)

    async def _display_name(self, user: str, text: str) -> str | None:
        """The name is kept only when someone binds, so users.info is asked then (once per user and run)."""
        if user in self._names or binding_code(text) is None:
            return self._names.get(user)
        try:
            found: JSON = (await self.client.users_info(user=user)).get("user") or {}
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("Slack: users.info for %s failed: %s", user, exc)
            return None
        profile: JSON = found.get("profile") or {}
        name = profile.get("real_name") or found.get("real_name") or profile.get("display_name")
        self._names[user] = str(name) if name else None
        return self._names[user]


def without_mention(text: str, bot_user_id: str | None) -> str:
    """The text of an app_mention without the bot's <@U…> (or, not knowing the bot, a leading mention)."""
    if bot_user_id:
        return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text).strip()
    return re.sub(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>", " ", text).strip()


def _buttons(reply: Outbound) -> Buttons:
    return tuple((button.label, button.data) for button in reply.buttons)


def _is_direct(channel: str) -> bool:
    return channel.startswith("D")  # IM ids start with D; channels with C, private channels and group DMs G


def _text_or_none(value: object) -> str | None:
    return str(value) if value else None


def _in_channel(channel: str, ts: object) -> str | None:
    """A message's id on Slack: its ts is unique only within its channel."""
    return message_key(channel, str(ts)) if ts else None
