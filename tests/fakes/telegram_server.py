"""A fake Telegram Bot API server for tests and benchmarks: stdlib asyncio, HTTP/1.1 with keep-alive.

The real python-telegram-bot client talks to it with ``telegram.Bot(token, base_url=server.base_url)``.
PTB joins ``base_url + token`` and then ``/<method>``, so requests arrive as ``POST /bot<token>/<method>``.
PTB (through httpx) sends ``application/x-www-form-urlencoded`` bodies, or ``multipart/form-data`` when a
file is uploaded; every value that is not a string is JSON-encoded inside its field (``chat_id=42``,
``reply_markup={"inline_keyboard": ...}``).  Plain JSON bodies and query strings are accepted as well.

Supported methods: getMe, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
getUpdates (long polling that wakes as soon as an update is queued; updates stay queued until an offset
confirms them, as on Telegram), setWebhook, deleteWebhook,
getWebhookInfo, setMyCommands, getFile and sendDocument.  Anything else answers 404 the way Telegram does.

Files: ``add_file`` keeps bytes the way Telegram keeps what users send and returns the Document or
PhotoSize object to put in an update; getFile answers its ``file_path`` (refusing a file over 20 MB, as
Telegram does for bots), and ``GET /file/bot<token>/<file_path>`` serves the bytes (``downloads`` records
each).  sendDocument's uploads are kept in ``documents``.

``await fake.wait_for(predicate)`` returns once the predicate holds, checked after every request served: tests
wait for what the bot did without sleeping.

Optional flood limits (``schedules.limits.TransportLimits``, sliding windows over accepted messages only)
answer sendMessage with 429 and ``parameters.retry_after``; ``fail_next`` scripts errors for a chat.

Run as a program for benchmarks in a separate process::

    python tests/fakes/telegram_server.py --port 0 --limits telegram --record sent.jsonl

prints ``PORT <n>`` on its first line of output, then serves until SIGTERM (or SIGINT).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import unquote

from schedules.limits import RateLimiter, TransportLimits

if not __package__:  # run as a script (python tests/fakes/telegram_server.py): make ``fakes`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.http_base import (
    HANG_UP,
    JSON,
    JsonHttpServer,
    JsonNotObject,
    MalformedRequest,
    Request,
    Response,
    admit,
    json_param,
    limits_option,
    request_params,
    serve_until_signal,
    server_arguments,
    str_param,
    summary_line,
)

__all__ = ["FakeTelegram", "SentDocument", "SentMessage", "main"]


@dataclass(frozen=True)
class SentMessage:
    """One accepted sendMessage (or, in ``FakeTelegram.edited``, one editMessageText)."""

    chat_id: str
    text: str
    reply_markup: JSON | None
    at: float  # the server's monotonic clock
    message_id: int


@dataclass(frozen=True)
class SentDocument:
    """One accepted sendDocument: the uploaded file as the bot sent it."""

    chat_id: str
    filename: str
    content: bytes
    caption: str | None
    message_id: int


BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files: "Bad Request: file is too big"


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 that records what the bot sends.

    ``limits`` enforces flood limits on sendMessage (``group_chats`` and negative chat ids count as groups);
    ``clock`` is the monotonic clock used for those limits and for ``SentMessage.at``; ``record_path``
    writes one JSON line per accepted message (the file is truncated at start), flushed at once; ``token``, when given, is the only token
    accepted (others get 401).
    """

    def __init__(
        self,
        *,
        limits: TransportLimits | None = None,
        group_chats: set[str] | None = None,
        record_path: str | Path | None = None,
        token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.group_chats: set[str] = set(group_chats or ())
        self.record_path = Path(record_path) if record_path is not None else None
        self.token = token
        self.clock = clock
        self.sent: list[SentMessage] = []
        self.edited: list[SentMessage] = []
        self.calls: list[tuple[str, JSON]] = []  # every request: (method as sent, parameters)
        self.callback_answers: list[JSON] = []
        self.markup_edits: list[SentMessage] = []  # editMessageReplyMarkup (text: the message's text)
        self.documents: list[SentDocument] = []  # sendDocument
        self.downloads: list[str] = []  # file paths served to the bot
        self._stored_files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self._file_ids = itertools.count(1)
        self.rejected = 0  # sendMessage refused by the flood limits
        self.failures_served = 0  # scripted failures answered
        self.webhook_url = ""
        self.commands: list[Any] = []
        self.port = 0
        self.host = "127.0.0.1"
        self._limiter = RateLimiter(limits, clock) if limits is not None else None
        self._failures: dict[str, list[_Failure]] = {}
        self._lost: dict[str, int] = {}  # chat -> sendMessage answers still to lose (see lose_answers)
        self._slow: dict[str, tuple[float, int]] = {}  # chat -> (seconds, times): answers held back
        self.outage: int | None = None  # an HTTP status: while set, every sendMessage is answered with it
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[JSON] = []
        self._updates_arrived = asyncio.Event()
        self._served = asyncio.Event()  # set after every request: wakes wait_for
        self._markups: dict[tuple[str, int], JSON | None] = {}  # current keyboard of each message sent
        self._texts: dict[tuple[str, int], str] = {}
        self._http: JsonHttpServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._record: IO[str] | None = None
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getfile": self._get_file,
        }

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The ``base_url`` for ``telegram.Bot``: PTB appends the token and ``/<method>``."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeTelegram:
        if self._http is not None:
            raise RuntimeError("already started")
        self._loop = asyncio.get_running_loop()
        if self.record_path is not None:
            self._record = self.record_path.open("w", encoding="utf-8")
        self._http = JsonHttpServer(self._handle, _reject)
        self.host, self.port = host, await self._http.start(host, port)
        return self

    async def stop(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.close()
        if self._record is not None:
            self._record.close()
            self._record = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- scripting ---------------------------------------------------------------------------------

    def fail_next(
        self,
        chat_id: str | int,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests naming ``chat_id`` with this error instead of serving them.

        A 429 without ``retry_after`` gets 1 second; its default description is Telegram's.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        self._failures.setdefault(str(chat_id), []).append(_Failure(status, description, retry_after, times))

    def lose_answers(self, chat_id: str | int, times: int = 1) -> None:
        """Accept the next ``times`` sendMessage calls to ``chat_id`` (they count as sent) but hang up
        instead of answering: the client cannot tell whether they went out."""
        self._lost[str(chat_id)] = self._lost.get(str(chat_id), 0) + times

    def slow_answers(self, chat_id: str | int, seconds: float, times: int = 1) -> None:
        """Accept the next ``times`` sendMessage calls to ``chat_id`` at once but answer only after
        ``seconds`` (benchmarks: a client that gives up sooner cannot tell whether they went out)."""
        self._slow[str(chat_id)] = (seconds, times)

    def queue_update(self, update: JSON) -> int:
        """Queue an update for getUpdates (an ``update_id`` is assigned when missing) and return its id.

        Safe to call from another thread while the server runs.
        """
        update = dict(update)
        if "update_id" in update:
            update_id = int(update["update_id"])
            self._update_ids = itertools.count(max(update_id + 1, next(self._update_ids)))
        else:
            update_id = update["update_id"] = next(self._update_ids)
        loop = self._loop
        if loop is not None and loop.is_running() and not _in_loop(loop):
            loop.call_soon_threadsafe(self._push_update, update)
        else:
            self._push_update(update)
        return update_id

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Return once predicate() holds, re-checked after each request served; TimeoutError after timeout."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._served.clear()
                await self._served.wait()

    def add_file(
        self, content: bytes, *, kind: str = "document", name: str | None = None, mime: str | None = None,
        size: int | None = None,
    ) -> JSON:  # fmt: skip
        """Keep a file as if a user had sent it; the Document (or, kind "photo", PhotoSize) to put in an
        update. ``size`` overrides the file_size Telegram reports (a huge file without its bytes)."""
        number = next(self._file_ids)
        file_id, unique = f"FILE{number:06d}", f"U{number:06d}"
        path = (
            f"{'photos' if kind == 'photo' else 'documents'}/file_{number}{'.jpg' if kind == 'photo' else ''}"
        )
        self._stored_files[file_id] = (path, content)
        reported = len(content) if size is None else size
        if kind == "photo":
            return {
                "file_id": file_id,
                "file_unique_id": unique,
                "width": 800,
                "height": 600,
                "file_size": reported,
            }
        document: JSON = {"file_id": file_id, "file_unique_id": unique, "file_size": reported}
        if name is not None:
            document["file_name"] = name
        if mime is not None:
            document["mime_type"] = mime
        return document

    def _push_update(self, update: JSON) -> None:
        self._updates.append(update)
        self._updates.sort(key=lambda u: int(u["update_id"]))
        self._updates_arrived.set()

    # --- HTTP --------------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        try:
            path = request.path
            if path.startswith("/file/bot"):
                return self._serve_file(path)
            if not path.startswith("/bot"):
                raise _ApiError(404, "Not Found")
            token, _, api_method = path[len("/bot") :].partition("/")
            if not token or not api_method:
                raise _ApiError(404, "Not Found")
            if self.token is not None and token != self.token:
                raise _ApiError(401, "Unauthorized")
            params = _parse_params(request)
            self.calls.append((api_method, params))
            handler = self._handlers.get(api_method.lower())
            if api_method.lower() == "getupdates":
                result = await self._get_updates(params)
            elif api_method.lower() == "senddocument":
                result = self._send_document(params, request)
            elif handler is None:
                raise _ApiError(404, "Not Found")
            else:
                if self.outage is not None and api_method.lower() == "sendmessage":
                    raise _ApiError(self.outage, HTTPStatus(self.outage).phrase)
                self._scripted_failure(params)
                result = handler(params)
                if api_method.lower() == "sendmessage" and self._lose(params):
                    return HANG_UP
                if api_method.lower() == "sendmessage":
                    await self._hold_back(params)
        except _ApiError as exc:
            return _error_response(exc)
        finally:
            self._served.set()
        return Response(200, {"ok": True, "result": result})

    async def _hold_back(self, params: JSON) -> None:
        chat = _chat_key(params.get("chat_id"))
        seconds, times = self._slow.get(chat, (0.0, 0))
        if times > 0:
            self._slow[chat] = (seconds, times - 1)
            await asyncio.sleep(seconds)

    def _lose(self, params: JSON) -> bool:
        chat = _chat_key(params.get("chat_id"))
        if self._lost.get(chat, 0) <= 0:
            return False
        self._lost[chat] -= 1
        return True

    def _scripted_failure(self, params: JSON) -> None:
        chat_id = params.get("chat_id")
        if chat_id is None:
            return
        queue = self._failures.get(_chat_key(chat_id))
        if not queue:
            return
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        self.failures_served += 1
        parameters = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
        raise _ApiError(failure.status, failure.description, parameters)

    # --- methods -----------------------------------------------------------------------------------

    def bot_user(self) -> JSON:
        return {
            "id": 123456789,
            "is_bot": True,
            "first_name": "督办",
            "username": "duban_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _get_me(self, params: JSON) -> JSON:
        return self.bot_user()

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.group_chats or chat_id.startswith("-")

    def _chat(self, chat_id: str) -> JSON:
        numeric = int(chat_id) if chat_id.lstrip("-").isdigit() else -(zlib.crc32(chat_id.encode()) or 1)
        if self.is_group(chat_id):
            return {"id": numeric, "type": "supergroup", "title": f"group {chat_id}"}
        return {"id": numeric, "type": "private", "first_name": f"user {chat_id}"}

    def _message(self, chat_id: str, message_id: int, text: str, reply_markup: JSON | None) -> JSON:
        message: JSON = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user(),
            "text": text,
        }
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        return message

    def _send_message(self, params: JSON) -> JSON:
        chat_id = _required_chat(params)
        text = str_param(params, "text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        reply_markup = _json_object(params, "reply_markup")
        retry_after = admit(self._limiter, chat_id, group=self.is_group(chat_id))
        if retry_after is not None:
            self.rejected += 1
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        message_id = next(self._message_ids)
        sent = SentMessage(chat_id, text, reply_markup, self.clock(), message_id)
        self.sent.append(sent)
        self._markups[(chat_id, message_id)] = reply_markup
        self._texts[(chat_id, message_id)] = text
        if self._record is not None:
            line = {
                "chat_id": chat_id,
                "text": text,
                "message_id": message_id,
                "at": sent.at,
                "time": time.time(),
                "reply_markup": reply_markup,
            }
            self._record.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._record.flush()
        return self._message(chat_id, message_id, text, reply_markup)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        text = str_param(params, "text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        reply_markup = _json_object(params, "reply_markup")
        if params.get("inline_message_id") is not None:
            return True
        chat_id, message_id = _edited_message(params)
        self.edited.append(SentMessage(chat_id, text, reply_markup, self.clock(), message_id))
        self._markups[(chat_id, message_id)] = reply_markup  # an edit without a keyboard removes it
        self._texts[(chat_id, message_id)] = text
        message = self._message(chat_id, message_id, text, reply_markup)
        message["edit_date"] = message["date"]
        return message

    def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        """Telegram refuses an edit that changes nothing and one of a message it does not know."""
        reply_markup = _json_object(params, "reply_markup")
        if params.get("inline_message_id") is not None:
            return True
        key = chat_id, message_id = _edited_message(params)
        if key not in self._markups:
            raise _ApiError(400, "Bad Request: message to edit not found")
        current = self._markups[key]
        if current == reply_markup or (_no_keyboard(current) and _no_keyboard(reply_markup)):
            raise _ApiError(400, "Bad Request: message is not modified")
        self._markups[key] = reply_markup
        text = self._texts[key]
        self.markup_edits.append(SentMessage(chat_id, text, reply_markup, self.clock(), message_id))
        message = self._message(chat_id, message_id, text, reply_markup)
        message["edit_date"] = message["date"]
        return message

    def _get_file(self, params: JSON) -> JSON:
        file_id = str_param(params, "file_id") or ""
        if file_id not in self._stored_files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, content = self._stored_files[file_id]
        if len(content) > BOT_DOWNLOAD_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    def _serve_file(self, path: str) -> Response:
        token, _, file_path = unquote(path[len("/file/bot") :]).partition("/")  # httpx sends ":" as %3A
        if self.token is not None and token != self.token:
            return _error_response(_ApiError(401, "Unauthorized"))
        found = next((c for p, c in self._stored_files.values() if p == file_path), None)
        if found is None:
            return _error_response(_ApiError(404, "Not Found"))
        self.downloads.append(file_path)
        return Response(200, {}, raw=found)

    def _send_document(self, params: JSON, request: Request) -> JSON:
        chat_id = _required_chat(params)
        field = str(params.get("document") or "").removeprefix("attach://")
        if field not in request.files:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        message_id = next(self._message_ids)
        caption = str_param(params, "caption")
        filename = request.file_names.get(field, "document")
        self.documents.append(SentDocument(chat_id, filename, request.files[field], caption, message_id))
        message = self._message(chat_id, message_id, "", None)
        del message["text"]
        message["document"] = {
            "file_id": f"SENT{message_id}",
            "file_unique_id": f"S{message_id}",
            "file_name": filename,
        }
        return message

    def _answer_callback_query(self, params: JSON) -> bool:
        if not str_param(params, "callback_query_id"):
            raise _ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(params)
        return True

    def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = str_param(params, "url") or ""
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        self.commands = json.loads(commands) if isinstance(commands, str) else list(commands or [])
        return True

    async def _get_updates(self, params: JSON) -> list[JSON]:
        offset = _integer(params, "offset")
        limit = _integer(params, "limit") or 100
        limit = min(max(limit, 1), 100)
        timeout = _number(params, "timeout") or 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            self._confirm(offset)
            if self._updates:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._updates_arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_arrived.wait(), remaining)
        # As on Telegram, updates stay until a later offset confirms them: a poll whose client went away (a
        # bot stopped mid-poll) must not take them with it, and a bot that restarts gets them again.
        return self._updates[:limit]

    def _confirm(self, offset: int | None) -> None:
        """Drop updates the offset confirms (a negative offset keeps only the last ``-offset``)."""
        if offset is None:
            return
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]


# --- request parsing -------------------------------------------------------------------------------


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _parse_params(request: Request) -> JSON:
    try:
        return request_params(request, multipart=_multipart_params)
    except JsonNotObject as exc:
        raise _ApiError(400, "Bad Request: JSON body must be an object") from exc
    except ValueError as exc:
        raise _ApiError(400, f"Bad Request: can't parse request body: {exc}") from exc


def _multipart_params(request: Request) -> JSON:
    """The fields of a multipart body, as PTB sends it with a file: an upload is kept in ``request.files``
    and its field reads ``attach://<name>``."""
    content_type = request.headers.get("content-type", "")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + request.body
    )
    params: JSON = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        filename = part.get_filename()
        if filename is not None:
            request.files[name] = payload
            request.file_names[name] = filename
            params[name] = f"attach://{name}"
        else:
            params[name] = payload.decode("utf-8")
    return params


def _no_keyboard(markup: JSON | None) -> bool:
    return markup is None or not any(markup.get("inline_keyboard") or ())


def _chat_key(value: Any) -> str:
    return str(value).strip()


def _edited_message(params: JSON) -> tuple[str, int]:
    """The (chat, message) an edit names; Telegram refuses one without a message id."""
    chat_id = _required_chat(params)
    message_id = _integer(params, "message_id")
    if message_id is None:
        raise _ApiError(400, "Bad Request: message identifier is not specified")
    return chat_id, message_id


def _required_chat(params: JSON) -> str:
    value = params.get("chat_id")
    if value is None or _chat_key(value) == "":
        raise _ApiError(400, "Bad Request: chat_id is empty")
    return _chat_key(value)


def _integer(params: JSON, key: str) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _ApiError(400, f"Bad Request: {key} must be an integer") from exc


def _number(params: JSON, key: str) -> float | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise _ApiError(400, f"Bad Request: {key} must be a number") from exc


def _json_object(params: JSON, key: str) -> JSON | None:
    """A field holding an object: JSON-encoded inside a form field, or already decoded from a JSON body."""
    try:
        value = json_param(params, key)
    except ValueError as exc:
        raise _ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _ApiError(400, f"Bad Request: {key} must be a JSON object")
    return value


# --- responses -------------------------------------------------------------------------------------


def _error_response(exc: _ApiError) -> Response:
    body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return Response(exc.status, body)


def _reject(exc: MalformedRequest) -> Response:
    return _error_response(_ApiError(exc.status, exc.description))


# --- command line ----------------------------------------------------------------------------------


async def _run(args: argparse.Namespace, limits: TransportLimits | None) -> None:
    groups = {g.strip() for g in args.group_chats.split(",") if g.strip()} if args.group_chats else set()
    server = FakeTelegram(limits=limits, group_chats=groups, record_path=args.record)

    async def start() -> int:
        await server.start(args.host, args.port)
        return server.port

    def summary() -> str:
        return summary_line(len(server.sent), server.rejected, server.failures_served)

    await serve_until_signal(start, server.stop, summary)


def main(argv: list[str] | None = None) -> int:
    parser = server_arguments(
        "Fake Telegram Bot API server",
        limits_default="none",
        limits_help="telegram, slack, none, or a setting such as chat=1/1s,group=20/60s,overall=25/1s",
    )
    parser.add_argument("--group-chats", default="", help="comma-separated chat ids treated as groups")
    parser.add_argument("--record", default=None, help="write one JSON line per accepted message here")
    args = parser.parse_args(argv)
    limits = limits_option(parser, args.limits)
    asyncio.run(_run(args, limits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
