"""The Telegram transport of `duban run`: python-telegram-bot receives updates (long polling, or duban's own
webhook server when a webhook is configured: `telegram_webhook`); this module translates them into `Inbound`
messages for the dispatcher and the core's replies back into Bot API calls.

It decides nothing about content. What it knows is Telegram's: which group messages are meant for the bot,
how a reply is delivered (split at 4096 characters, buttons on the last part, 429 waits, a chat that refuses
the bot) and how a pressed inline button is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, UpdateType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    Updater,
    filters,
)

from bot.conversation import texts
from bot.conversation.dispatch import Dispatcher
from bot.conversation.messages import BUTTON_DATA, LOCAL_TZ, Inbound, Outbound, message_key
from bot.transports.config import TelegramSettings
from bot.transports.telegram_files import fetch_attachment, has_file, send_file
from bot.transports.telegram_port import TelegramPort, keyboard, retry_seconds, split_text
from bot.transports.telegram_webhook import TelegramApp, TelegramWebhook
from schedules.limits import TELEGRAM_LIMITS, TransportLimits
from schedules.port import Port
from store.reminder_chats import Target

log = logging.getLogger(__name__)

PLATFORM = "telegram"
MAX_RETRIES = 3  # 429s honoured for one message part before the reply is given up
MAX_TOAST = 200  # answerCallbackQuery's text limit
# Updates handled at once: replies to different chats overlap (Telegram's round trip, a 429 wait in one chat),
# while the bound keeps a flood of updates from opening hundreds of connections (httpx's pool gets slower
# with each one).
CONCURRENT_UPDATES = 32
FAILED = "transport_error"  # the intent of the apology sent when the core raised
ALLOWED_UPDATES = [UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY]  # edits, reactions etc. are not asked for
COMMANDS = frozenset({"start", "help", "bind", "tasks", "progress", "remind", "remind_here"})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
_NAME = r"[A-Za-z0-9_]"  # what Telegram allows in command names and usernames
_COMMAND = re.compile(rf"/({_NAME}{{1,32}})(?:@({_NAME}{{1,64}}))?(?!{_NAME}|@)(.*)", re.DOTALL)
_BUTTON_DATA = BUTTON_DATA

Context = ContextTypes.DEFAULT_TYPE


def _now() -> datetime:
    return datetime.now(LOCAL_TZ)


class TelegramTransport:
    """Receives Telegram updates and answers them through the dispatcher; `port` sends reminders."""

    platform = PLATFORM

    def __init__(
        self,
        settings: TelegramSettings,
        dispatcher: Dispatcher,
        *,
        limits: TransportLimits = TELEGRAM_LIMITS,
        clock: Callable[[], datetime] = _now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self._clock = clock
        self._sleep = sleep
        self._chats = _ChatQueues()
        self.application: TelegramApp = _application(settings)
        self.webhook = (
            TelegramWebhook(self.application, settings, ALLOWED_UPDATES) if settings.uses_webhook else None
        )
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_message))
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self.application.add_error_handler(self._on_error)
        # The reminder outbox shares the bot (and its connections); it can send once start() has run.
        self.port: Port = TelegramPort(self.application.bot, limits)

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (getMe), set the command menu, and begin polling or serving the webhook."""
        await self.application.initialize()
        try:
            await self._set_commands()
            await self.application.start()
            await self._receive()
        except BaseException:
            await self._shutdown()
            raise

    async def stop(self) -> None:
        """Stop receiving, let the handlers in flight send their replies, close the connections."""
        await self._shutdown()

    async def _receive(self) -> None:
        if self.webhook is not None:
            await self.webhook.start()  # answers 403 to a request without the secret token
            return
        # Updates that arrived while the bot was down are answered: the dispatcher's dedup makes a
        # redelivered one harmless, so nothing is dropped.
        await self._updater().start_polling(allowed_updates=ALLOWED_UPDATES)

    async def _shutdown(self) -> None:
        application = self.application
        if self.webhook is not None:
            await self.webhook.stop()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()  # waits for the updates already fetched and their handlers
        await application.shutdown()

    async def _set_commands(self) -> None:
        """The menu Telegram shows for "/"; without it the bot still works, so a failure is only logged."""
        commands = [BotCommand(name, description) for name, description in texts.TELEGRAM_COMMANDS]
        try:
            await self.application.bot.set_my_commands(commands)
        except TelegramError as exc:
            log.warning("could not set the Telegram command menu: %s", exc)

    def _updater(self) -> Updater:
        if self.application.updater is None:
            raise RuntimeError("the Telegram application was built without an updater")
        return self.application.updater

    # --- receiving ---------------------------------------------------------------------------------

    async def _on_message(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        inbound = self._inbound(message)
        if inbound is None:
            return
        chat = Target(PLATFORM, inbound.chat_id, inbound.group)
        async with self._chats.hold(chat.chat_id):
            if has_file(message):  # 佐证材料, fetched in turn: a 确认 sent after it must wait for it
                inbound = replace(inbound, attachment=await fetch_attachment(self.application.bot, message))
            replies = await self._handle(inbound, str(update.update_id))
            if replies:
                # In a busy group the answer quotes the question it answers.
                await self._send(chat, replies, quote=message.message_id if inbound.group else None)

    def _inbound(self, message: Message) -> Inbound | None:
        """The message as the core sees it, or None when it is not for this bot."""
        group = message.chat.type in GROUP_TYPES
        text = message.text if message.text is not None else message.caption
        if text is None:
            # A sticker in a private chat gets the core's "no text" answer, a photo or file is evidence
            # (in a group only as a reply to the bot); service messages and the rest are not for the bot.
            if (group and not has_file(message)) or message.effective_attachment is None:
                return None
            text = ""
        bot = self.application.bot
        to_bot = message.reply_to_message is not None and _sent_by(message.reply_to_message, bot.id)
        addressed = addressed_text(text, group=group, username=bot.username, reply_to_bot=to_bot)
        if addressed is None:
            return None
        user = message.from_user
        assert user is not None  # checked by the caller
        return Inbound(
            platform=PLATFORM,
            chat_id=str(message.chat.id),
            user_id=str(user.id),
            text=addressed,
            at=self._clock(),
            message_id=message_key(str(message.chat.id), str(message.message_id)),  # counted per chat
            display_name=user.full_name,
            group=group,
        )

    async def _on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        if query.data is None or not _BUTTON_DATA.fullmatch(query.data):
            await self._answer(query, texts.BUTTON_EXPIRED)  # a button of an older version, or garbled
            return
        chat = _query_chat(query)
        event = f"cb:{query.id}"
        inbound = Inbound(
            platform=PLATFORM,
            chat_id=chat.chat_id,
            user_id=str(query.from_user.id),
            text=query.data,
            at=self._clock(),
            message_id=event,
            display_name=query.from_user.full_name,
            group=chat.is_group,
        )
        async with self._chats.hold(chat.chat_id):
            replies = await self._handle(inbound, event)
            # Answered in any case: Telegram shows a spinner on the button until it is.
            await self._answer(query, toast(replies))
            if replies is None:
                return
            if not _failed(replies):  # decided: the buttons must not invite another press
                await self._remove_keyboard(query)
            await self._send(chat, replies)

    async def _handle(self, inbound: Inbound, event_id: str) -> list[Outbound] | None:
        try:
            return await self.dispatcher.handle(inbound, event_id=event_id)
        except Exception:
            log.exception("telegram update %s from chat %s failed in the core", event_id, inbound.chat_id)
            return [Outbound(texts.TELEGRAM_FAILED, intent=FAILED)]

    async def _on_error(self, update: object, context: Context) -> None:
        """Whatever escaped a handler: logged with its traceback, never shown to the user."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    # --- sending -----------------------------------------------------------------------------------

    async def _send(self, chat: Target, replies: Sequence[Outbound], *, quote: int | None = None) -> None:
        """Each reply in order, long ones in parts; nothing more once the chat refuses or keeps throttling."""
        for reply in replies:
            for text, markup in reply_parts(reply):
                if not await self._send_part(chat, text, markup, quote):
                    return
                quote = None  # only the first message quotes the question
            if reply.file is not None and not await send_file(self.application.bot, chat.chat_id, reply.file):
                await self._send_part(chat, texts.EVIDENCE_SEND_FAILED, None, None)

    async def _send_part(
        self, chat: Target, text: str, markup: InlineKeyboardMarkup | None, quote: int | None
    ) -> bool:
        reply_to = ReplyParameters(quote, allow_sending_without_reply=True) if quote is not None else None
        for attempt in range(MAX_RETRIES + 1):
            try:
                await self.application.bot.send_message(
                    chat_id=chat.chat_id, text=text, reply_markup=markup, reply_parameters=reply_to
                )
                return True
            except RetryAfter as exc:
                if attempt == MAX_RETRIES:
                    break
                await self._sleep(retry_seconds(exc))
            except Forbidden as exc:  # blocked by the user or removed from the group
                await self._unreachable(chat, exc.message)
                return False
            except TelegramError as exc:  # chat gone, network trouble: a reply is not queued for later
                log.warning("reply to %s not sent: %s", chat, exc)
                return False
        log.warning("reply to %s given up after %d answers of 429", chat, MAX_RETRIES + 1)
        return False

    async def _unreachable(self, chat: Target, detail: str) -> None:
        try:
            await self.dispatcher.chat_unreachable(chat, at=self._clock(), detail=detail)
        except Exception:
            log.exception("could not record that %s refused the bot", chat)

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await query.answer(text=text)
        except TelegramError as exc:  # too old (over 15 minutes) or answered already
            log.info("callback query %s not answered: %s", query.id, exc)

    async def _remove_keyboard(self, query: CallbackQuery) -> None:
        bot = self.application.bot
        try:
            if query.message is not None:
                await bot.edit_message_reply_markup(
                    chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
                )
            elif query.inline_message_id is not None:
                await bot.edit_message_reply_markup(inline_message_id=query.inline_message_id)
        except BadRequest as exc:  # removed already by a press moments before, or the message is gone
            log.info("keyboard of callback %s left as it was: %s", query.id, exc)
        except TelegramError as exc:
            log.warning("keyboard of callback %s not removed: %s", query.id, exc)


# --- translation helpers ---------------------------------------------------------------------------


def addressed_text(text: str, *, group: bool, username: str, reply_to_bot: bool) -> str | None:
    """The text to hand the core, or None when the message is not for this bot.

    In private chats every message is. In groups only a command of this bot (bare, or /cmd@thisbot), a
    message mentioning @thisbot or a reply to one of its messages is: other people's talk and other bots'
    commands are ignored. The bot's own @suffix and mention are taken out, the core needs neither.
    """
    command = _COMMAND.fullmatch(text)
    if command is not None:
        name, addressee, rest = command.groups()
        if addressee is not None and addressee.lower() != username.lower():
            return None if group else text
        if group and addressee is None and name.lower() not in COMMANDS:
            return None  # another bot's bare command
        return f"/{name} {rest.strip()}".rstrip()
    mention = re.compile(rf"[ \t]*@{re.escape(username)}(?!{_NAME})[ \t]*", re.IGNORECASE)
    if mention.search(text) is not None:
        return mention.sub(" ", text).strip()
    return text if not group or reply_to_bot else None


def reply_parts(reply: Outbound) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The messages one reply goes out as: split on line boundaries, the buttons under the last part."""
    parts = [part for part in split_text(reply.text) if part.strip()]  # Telegram refuses blank text
    markup = keyboard(tuple((button.label, button.data) for button in reply.buttons))
    return [(part, markup if number == len(parts) else None) for number, part in enumerate(parts, 1)]


def toast(replies: Sequence[Outbound] | None) -> str | None:
    """The short notice shown over the chat when a button is answered: the reply's first line."""
    if not replies:
        return None
    first = replies[0].text.strip().split("\n", 1)[0]
    return first if len(first) <= MAX_TOAST else first[: MAX_TOAST - 1] + "…"


def _failed(replies: Sequence[Outbound]) -> bool:
    """The core raised: a pressed button stays, so it can be pressed again."""
    return any(reply.intent == FAILED for reply in replies)


def _sent_by(message: Message, bot_id: int) -> bool:
    return message.from_user is not None and message.from_user.id == bot_id


def _query_chat(query: CallbackQuery) -> Target:
    """Where the pressed button's message is; a button without one (inline mode) answers in private."""
    if query.message is not None:
        chat: Chat = query.message.chat
        return Target(PLATFORM, str(chat.id), chat.type in GROUP_TYPES)
    return Target(PLATFORM, str(query.from_user.id), False)


def _application(settings: TelegramSettings) -> TelegramApp:
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .concurrent_updates(CONCURRENT_UPDATES)
        .job_queue(None)  # reminders are the outbox's job (APScheduler), not PTB's
    )
    if settings.base_url is not None:
        builder = builder.base_url(settings.base_url)
        # A Bot API server serves files beside the methods: …/bot<token>/getMe, …/file/bot<token>/<path>.
        root = settings.base_url.rstrip("/")
        if root.endswith("/bot"):
            builder = builder.base_file_url(f"{root.removesuffix('/bot')}/file/bot")
    return builder.build()


# --- per-chat ordering -------------------------------------------------------------------------------


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class _ChatQueues:
    """One lock per chat while it has work in flight. Updates are handled concurrently, but a chat's replies
    must come in the order its messages did (the core's answers follow the conversation); asyncio locks are
    fair, and handlers reach them in update order. A chat's lock goes away when nobody holds or awaits it."""

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        slot = self._slots.setdefault(chat_id, _Slot())
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[chat_id]
