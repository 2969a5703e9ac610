"""A fake Slack Web API server for tests and benchmarks: stdlib asyncio on its own thread, HTTP/1.1 keep-alive.

The real slack_sdk clients talk to it with ``WebClient(token=fake.token, base_url=fake.base_url)`` (or
``AsyncWebClient``).  slack_sdk appends the method name to ``base_url``, so requests arrive as
``POST /api/<method>`` with ``Authorization: Bearer <token>`` (a ``token`` field is accepted too).  WebClient
sends the chat methods as JSON and the others as ``application/x-www-form-urlencoded``, where a structured
value such as ``blocks`` is JSON inside its field; AsyncWebClient sends users.info as a GET with a query
string.  All of these are accepted.

The server runs an event loop on a thread of its own: the blocking ``WebClient`` would otherwise stall a
server sharing the caller's loop, and asyncio tests can use the same fake without lending it their loop.

Files: ``add_file`` keeps bytes as Slack keeps a file a user shares and returns the file object to put in a
``file_share`` event; its ``url_private_download`` (``/files-pri/...`` on this server) serves the bytes only
with the bot token in ``Authorization`` (``downloads`` records each).  The files_upload_v2 flow is served:
files.getUploadURLExternal hands out ``/upload/<id>`` on this server, which takes the bytes, and
files.completeUploadExternal shares them (``uploaded``).

Supported methods: auth.test, chat.postMessage, chat.update, chat.postEphemeral, conversations.open,
files.getUploadURLExternal, files.completeUploadExternal, users.info and apps.connections.open (Socket Mode: it takes the app-level token, ``xapp-…``, and answers the
``socket_mode_url`` a test sets, a WebSocket server of the test's own); any other answers ``unknown_method``.  As on Slack, errors are HTTP 200 with
``{"ok": false, "error": ...}``, except rate limits: 429 with a ``Retry-After`` header in whole seconds.

Per-channel limits (``schedules.limits.TransportLimits``, by default ``SLACK_LIMITS``: one message a second
to a channel; sliding windows over accepted messages only) answer chat.postMessage with 429; ``fail_next``
scripts errors for a method.

Run as a program for benchmarks in a separate process::

    python tests/fakes/slack_server.py --port 0 --limits slack --record sent.jsonl

prints ``PORT <n>`` on its first line of output, then serves until SIGTERM (or SIGINT).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import IO

from schedules.limits import SLACK_LIMITS, RateLimiter, TransportLimits

if not __package__:  # run as a script (python tests/fakes/slack_server.py): make ``fakes`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakes.http_base import (
    HANG_UP,
    JSON,
    InvalidJson,
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

__all__ = ["DEFAULT_APP_TOKEN", "DEFAULT_TOKEN", "Call", "FakeSlack", "SlackMessage", "UploadedFile", "main"]

DEFAULT_TOKEN = "xoxb-0000000001-0000000002-fakeslacktoken"
DEFAULT_APP_TOKEN = "xapp-1-A0000DUBAN-0000000003-fakeslackapptoken"
_APP_LEVEL_METHODS = frozenset({"apps.connections.open"})  # called with the app-level token, not the bot's
API_PREFIX = "/api/"
# Real ts values are epoch seconds with microseconds; a fixed start keeps them deterministic across runs.
_TS_EPOCH = 1_700_000_000
_TS_STEP_MICROS = 100


@dataclass(frozen=True)
class Call:
    """One request to an API method, whatever its outcome."""

    method: str
    params: JSON  # as sent: form fields are strings, a JSON body keeps its types
    at: float  # the server's monotonic clock
    token: str | None
    status: int  # HTTP status of the answer
    error: str | None  # the Slack error code, None when ``ok`` was true


@dataclass(frozen=True)
class SlackMessage:
    """One message as the fake holds it (in ``FakeSlack.posted``/``updated``/``ephemeral``/``messages``)."""

    channel: str  # a user id given as channel is resolved to the DM channel, as Slack does
    ts: str
    text: str
    blocks: list[JSON] | None
    thread_ts: str | None
    at: float  # the server's monotonic clock
    recipient: str | None = None  # the user who sees an ephemeral message
    metadata: JSON | None = None  # chat.postMessage's message metadata (event_type, event_payload)


@dataclass(frozen=True)
class UploadedFile:
    """A file the app uploaded and shared (files_upload_v2: URL, bytes, completion)."""

    file_id: str
    channel: str | None
    filename: str
    title: str | None
    content: bytes


@dataclass
class _Failure:
    method: str
    channel: str | None
    status: int
    error: str
    retry_after: int | None
    times: int


class _SlackError(Exception):
    def __init__(self, error: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after


_DEFAULT_ERRORS = {
    200: "channel_not_found",
    400: "invalid_arguments",
    401: "invalid_auth",
    403: "access_denied",
    404: "unknown_method",
    429: "ratelimited",
    500: "internal_error",
    502: "service_unavailable",
    503: "service_unavailable",
}


class FakeSlack:
    """A Slack Web API server on 127.0.0.1 that records what the bot sends.

    ``limits`` enforces message limits on chat.postMessage per channel (``None`` turns them off); ``clock`` is
    the monotonic clock used for those limits and for the ``at`` of calls and messages; ``token`` is the only
    token accepted (``None`` accepts any non-empty token); ``users`` gives real names for users.info (other
    user ids get a made-up name); ``record_path`` writes one JSON line per accepted chat.postMessage (the file
    is truncated at start), flushed at once; ``app_token`` is the only app-level token apps.connections.open
    accepts (``None``: any ``xapp-`` token).  As on Slack, a method refuses the other kind of token.

    Use it as ``with FakeSlack() as fake:`` (or ``async with``), or call ``start``/``stop``.  Queries are safe
    from any thread and return copies.
    """

    team_id = "T0000FAKE"
    team = "duban-test"
    bot_user_id = "U0000DUBAN"
    bot_user = "duban"
    bot_id = "B0000DUBAN"

    def __init__(
        self,
        *,
        limits: TransportLimits | None = SLACK_LIMITS,
        token: str | None = DEFAULT_TOKEN,
        users: Mapping[str, str] | None = None,
        record_path: str | Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        app_token: str | None = DEFAULT_APP_TOKEN,
    ) -> None:
        self.limits = limits
        self.token = token
        self.app_token = app_token  # the only app-level token accepted (None: any xapp- token)
        self.socket_mode_url: str | None = None  # what apps.connections.open answers; unset: an error
        self.users: dict[str, str] = dict(users or {})
        self.record_path = Path(record_path) if record_path is not None else None
        self.clock = clock
        self.host = "127.0.0.1"
        self.port = 0
        self.rejected = 0  # chat.postMessage refused by the limits
        self.failures_served = 0  # scripted failures answered
        # The server thread writes and the test's thread reads; one lock keeps every query consistent.
        self._lock = threading.Lock()
        self._served = threading.Condition(self._lock)  # notified after every request
        self._calls: list[Call] = []
        self._posted: list[SlackMessage] = []
        self._updated: list[SlackMessage] = []
        self._ephemeral: list[SlackMessage] = []
        self._messages: dict[str, SlackMessage] = {}
        self._failures: list[_Failure] = []
        self._lost: dict[str, int] = {}  # channel -> chat.postMessage answers still to lose
        self.outage: int | None = (
            None  # an HTTP status: while set, every chat.postMessage is answered with it
        )
        self._limiter = RateLimiter(limits, clock) if limits is not None else None
        self._ts_counter = itertools.count(1)
        self._conversation_ids = itertools.count(1)
        self._conversations: dict[tuple[str, ...], str] = {}  # sorted member ids -> D.../G... id
        self._record: IO[str] | None = None
        self._shared_files: dict[str, bytes] = {}  # file id -> bytes users shared (add_file)
        self._incoming: dict[str, tuple[str, bytes | None]] = {}  # upload id -> (filename, bytes once sent)
        self._uploaded: list[UploadedFile] = []
        self._file_ids = itertools.count(1)
        self.downloads: list[str] = []  # file ids served to the app
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._handlers: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "apps.connections.open": self._connections_open,
        }

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The ``base_url`` for slack_sdk's clients, which append the method name to it."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeSlack:
        """Listen on ``host``:``port`` (0 picks a free port) and return once connections are accepted."""
        if self._thread is not None:
            raise RuntimeError("already started")
        if self.record_path is not None:
            self._record = self.record_path.open("w", encoding="utf-8")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(host, port, ready, failure), name="fake-slack", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout=30):
            raise RuntimeError("fake Slack server did not start")
        if failure:
            self._thread.join()
            self._thread = None
            self._close_record()
            raise failure[0]
        return self

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        loop, stopping = self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                loop.call_soon_threadsafe(stopping.set)
        thread.join()
        self._close_record()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeSlack:
        # Blocking is brief (the server binds on its own thread) and the caller's loop is not lent out.
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _close_record(self) -> None:
        with self._lock:
            if self._record is not None:
                self._record.close()
                self._record = None

    def _run(self, host: str, port: int, ready: threading.Event, failure: list[BaseException]) -> None:
        try:
            asyncio.run(self._main(host, port, ready))
        except BaseException as exc:  # reported to start(), which waits for ``ready``
            failure.append(exc)
        finally:
            ready.set()

    async def _main(self, host: str, port: int, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        http = JsonHttpServer(self._handle, _reject, content_type="application/json; charset=utf-8")
        self.host, self.port = host, await http.start(host, port)
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            await http.close()
            self._loop = None

    # --- scripting ---------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        channel: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (naming ``channel``, when given) with this error.

        Slack reports most errors as HTTP 200 with ``ok: false``; pass ``status`` for a 429 (``Retry-After``
        defaults to 1 second) or a 5xx.  Without ``error`` the code is a typical one for the status.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if error is None:
            error = _DEFAULT_ERRORS.get(status, "fatal_error")
        with self._lock:
            self._failures.append(_Failure(method, channel, status, error, retry_after, times))

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id conversations.open answers for ``user_id`` (opened now when needed)."""
        with self._lock:
            return self._open((user_id,))

    def add_file(
        self,
        content: bytes,
        name: str,
        *,
        mimetype: str = "application/octet-stream",
        size: int | None = None,
    ) -> JSON:
        """Keep a file as if a user had shared it; the file object of a ``file_share`` event. ``size``
        overrides the size Slack reports (a huge file without its bytes). Call it once the server runs."""
        with self._lock:
            file_id = f"F{next(self._file_ids):08d}"
            self._shared_files[file_id] = content
        url = f"http://{self.host}:{self.port}/files-pri/{self.team_id}-{file_id}/{name}"
        return {
            "id": file_id, "name": name, "title": name, "mimetype": mimetype, "filetype": "binary",
            "size": len(content) if size is None else size, "url_private": url,
            "url_private_download": url + "?download=1", "mode": "hosted", "is_external": False,
        }  # fmt: skip

    @property
    def uploaded(self) -> list[UploadedFile]:
        """Files the app uploaded and shared, in order."""
        with self._lock:
            return list(self._uploaded)

    # --- queries -----------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request received, in order, or only those to ``method``."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def sent(self, channel: str | None = None) -> list[str]:
        """The texts accepted by chat.postMessage, in order, to ``channel`` (a user id means its DM) or all."""
        with self._lock:
            wanted = None if channel is None else self._resolve(channel)
            return [m.text for m in self._posted if wanted is None or m.channel == wanted]

    @property
    def posted(self) -> list[SlackMessage]:
        """Messages accepted by chat.postMessage, as posted."""
        with self._lock:
            return list(self._posted)

    @property
    def updated(self) -> list[SlackMessage]:
        """Each accepted chat.update, in order."""
        with self._lock:
            return list(self._updated)

    @property
    def ephemeral(self) -> list[SlackMessage]:
        """Messages accepted by chat.postEphemeral; they never appear in ``messages``."""
        with self._lock:
            return list(self._ephemeral)

    @property
    def messages(self) -> dict[str, SlackMessage]:
        """ts -> the message as it reads now, after any updates."""
        with self._lock:
            return dict(self._messages)

    # --- HTTP --------------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        """Answer one request on the server's loop; it awaits nothing, so the thread lock can be taken here."""
        path = request.path
        if path.startswith("/files-pri/") or path.startswith("/upload/"):
            with self._lock:
                response = self._file_route(request)
                self._served.notify_all()
            return response
        if not path.startswith(API_PREFIX) or len(path) == len(API_PREFIX):
            return Response(404, {"ok": False, "error": "not_found"})
        api_method = path[len(API_PREFIX) :]
        with self._lock:
            at = self.clock()
            params: JSON = {}
            token: str | None = None
            try:
                params = _parse_params(request)
                token = _token(request, params)
                handler = self._handlers.get(api_method)
                if handler is None:
                    raise _SlackError("unknown_method")
                self._authenticate(token, app_level=api_method in _APP_LEVEL_METHODS)
                if self.outage is not None and api_method == "chat.postMessage":
                    raise _SlackError("service_unavailable", self.outage)
                self._scripted_failure(api_method, params)
                response = Response(200, {"ok": True, **handler(params)})
                if api_method == "chat.postMessage" and self._lose(params):
                    response = HANG_UP
            except _SlackError as exc:
                response = _error_response(exc)
            error = None if response.body.get("ok", response is HANG_UP) else str(response.body.get("error"))
            self._calls.append(Call(api_method, params, at, token, response.status, error))
            self._served.notify_all()
        return response

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Return once predicate() holds, re-checked after each request served; TimeoutError after timeout.
        Blocking (the server runs on its own thread): from async code, call it through asyncio.to_thread.
        predicate runs without the lock, so it may use the query methods."""
        deadline = time.monotonic() + timeout
        while not predicate():
            with self._served:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("FakeSlack.wait_for: condition not met")
                self._served.wait(min(left, 0.5))  # re-check periodically: a request may end between checks

    def _authenticate(self, token: str | None, *, app_level: bool = False) -> None:
        if not token:
            raise _SlackError("not_authed")
        if app_level != token.startswith("xapp-"):
            raise _SlackError("not_allowed_token_type")
        expected = self.app_token if app_level else self.token
        if expected is not None and token != expected:
            raise _SlackError("invalid_auth")

    def _scripted_failure(self, api_method: str, params: JSON) -> None:
        for failure in self._failures:
            if failure.method != api_method:
                continue
            if failure.channel is not None:
                named = str_param(params, "channel")
                if named is None or self._resolve(named) != self._resolve(failure.channel):
                    continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            self.failures_served += 1
            raise _SlackError(failure.error, failure.status, failure.retry_after)

    # --- methods (called with the lock held) -------------------------------------------------------

    def _file_route(self, request: Request) -> Response:
        """A shared file downloaded (GET, the bot token required), or an upload's bytes (POST)."""
        if request.path.startswith("/upload/"):
            upload_id = request.path.removeprefix("/upload/")
            if request.method != "POST" or upload_id not in self._incoming:
                return Response(404, {"ok": False, "error": "not_found"})
            self._incoming[upload_id] = (self._incoming[upload_id][0], request.body)
            return Response(200, {"ok": True})
        token = _token(request, {})
        if token is None or (self.token is not None and token != self.token):
            return Response(403, {"ok": False, "error": "not_authed"})  # Slack shows a login page instead
        file_id = request.path.removeprefix("/files-pri/").split("/")[0].removeprefix(f"{self.team_id}-")
        if request.method != "GET" or file_id not in self._shared_files:
            return Response(404, {"ok": False, "error": "file_not_found"})
        self.downloads.append(file_id)
        return Response(200, {}, raw=self._shared_files[file_id])

    def _upload_url(self, params: JSON) -> JSON:
        filename, length = str_param(params, "filename"), str_param(params, "length")
        if not filename or not length or not length.isdigit():
            raise _SlackError("invalid_arguments")
        file_id = f"F{next(self._file_ids):08d}"
        self._incoming[file_id] = (filename, None)
        return {"upload_url": f"http://{self.host}:{self.port}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: JSON) -> JSON:
        files = _json_list(params, "files") or []
        channel = str_param(params, "channel_id")
        shared = []
        for item in files:
            file_id = str(item.get("id") or "")
            filename, content = self._incoming.get(file_id, ("", None))
            if content is None:
                raise _SlackError("file_not_found")
            title = str(item["title"]) if item.get("title") else None
            self._uploaded.append(UploadedFile(file_id, channel, filename, title, content))
            shared.append({"id": file_id, "name": filename, "title": title or filename})
        return {"files": shared}

    def _auth_test(self, params: JSON) -> JSON:
        return {
            "url": f"https://{self.team}.slack.com/",
            "team": self.team,
            "user": self.bot_user,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        text, blocks = self._content(params)
        thread_ts = str_param(params, "thread_ts") or None
        retry_after = admit(self._limiter, channel)
        if retry_after is not None:
            self.rejected += 1
            raise _SlackError("ratelimited", 429, retry_after)
        metadata = json_param(params, "metadata")
        message = SlackMessage(
            channel, self._next_ts(), text, blocks, thread_ts, self.clock(),
            metadata=metadata if isinstance(metadata, dict) else None,
        )  # fmt: skip
        self._posted.append(message)
        self._messages[message.ts] = message
        if self._record is not None:
            line = {
                "channel": channel,
                "text": text,
                "ts": message.ts,
                "at": message.at,
                "time": time.time(),
                "blocks": blocks,
                "thread_ts": thread_ts,
            }
            self._record.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._record.flush()
        return {"channel": channel, "ts": message.ts, "message": self._message_body(message)}

    def _update(self, params: JSON) -> JSON:
        # No user-id resolution here: Slack wants the DM's own id for chat.update.
        channel = str_param(params, "channel")
        if not channel:
            raise _SlackError("channel_not_found")
        ts = str_param(params, "ts")
        current = self._messages.get(ts or "")
        if ts is None or current is None or current.channel != channel:
            raise _SlackError("message_not_found")
        # Slack keeps the previous blocks when the field is left out; an empty list removes them.
        keep_blocks = params.get("blocks") in (None, "")
        text, blocks = self._content(params, current.blocks if keep_blocks else None)
        message = replace(current, text=text, blocks=blocks, at=self.clock())
        self._updated.append(message)
        self._messages[ts] = message
        return {"channel": channel, "ts": ts, "text": text, "message": self._message_body(message)}

    def _post_ephemeral(self, params: JSON) -> JSON:
        channel = self._channel(params)
        user = str_param(params, "user")
        if not user:
            raise _SlackError("user_not_in_channel")
        text, blocks = self._content(params)
        thread_ts = str_param(params, "thread_ts") or None
        message = SlackMessage(channel, self._next_ts(), text, blocks, thread_ts, self.clock(), user)
        self._ephemeral.append(message)
        return {"message_ts": message.ts}

    def _lose(self, params: JSON) -> bool:
        channel = self._resolve(str_param(params, "channel") or "")
        if self._lost.get(channel, 0) <= 0:
            return False
        self._lost[channel] -= 1
        return True

    def lose_answers(self, channel: str, times: int = 1) -> None:
        """Accept the next ``times`` chat.postMessage calls to ``channel`` (posted) but hang up instead of
        answering: the client cannot tell whether they went out."""
        with self._lock:
            resolved = self._resolve(channel)
            self._lost[resolved] = self._lost.get(resolved, 0) + times

    def _conversations_history(self, params: JSON) -> JSON:
        """The channel's messages, newest first; metadata only with include_all_metadata, as on Slack."""
        channel = str_param(params, "channel")
        if not channel or channel[0] not in "CDG":
            raise _SlackError("channel_not_found")
        limit = int(str_param(params, "limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in reversed(self._posted) if m.channel == channel][:limit]
        messages = []
        for message in found:
            body = self._message_body(self._messages.get(message.ts, message))
            if with_metadata and message.metadata is not None:
                body["metadata"] = message.metadata
            messages.append(body)
        return {"messages": messages, "has_more": False}

    def _conversations_open(self, params: JSON) -> JSON:
        users = params.get("users")
        if isinstance(users, str):
            members = tuple(u.strip() for u in users.split(",") if u.strip())
        elif isinstance(users, list):
            members = tuple(str(u).strip() for u in users if str(u).strip())
        else:
            members = ()
        if not members:
            channel = str_param(params, "channel")
            if channel is None or channel not in self._conversations.values():
                raise _SlackError("users_list_not_supplied" if channel is None else "channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": channel}}
        if len(members) > 8:
            raise _SlackError("too_many_users")
        if any(not _is_user_id(u) for u in members):
            raise _SlackError("user_not_found")
        key = tuple(sorted(set(members)))
        already = key in self._conversations
        channel_id = self._open(key)
        body: JSON = {"channel": {"id": channel_id}}
        if already:
            body.update(no_op=True, already_open=True)
        return body

    def _connections_open(self, params: JSON) -> JSON:
        if self.socket_mode_url is None:
            raise _SlackError("socket_mode_not_enabled")  # the test has no WebSocket server to hand out
        return {"url": self.socket_mode_url}

    def _users_info(self, params: JSON) -> JSON:
        user = str_param(params, "user")
        if user is None or not _is_user_id(user):
            raise _SlackError("user_not_found")
        is_bot = user == self.bot_user_id
        real_name = "督办" if is_bot else self.users.get(user, f"User {user}")
        return {
            "user": {
                "id": user,
                "team_id": self.team_id,
                "name": self.bot_user if is_bot else user.lower(),
                "real_name": real_name,
                "deleted": False,
                "is_bot": is_bot,
                "tz": "Asia/Shanghai",
                "profile": {"real_name": real_name, "display_name": real_name},
            }
        }

    # --- helpers (called with the lock held) -------------------------------------------------------

    def _next_ts(self) -> str:
        micros = next(self._ts_counter) * _TS_STEP_MICROS
        return f"{_TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _open(self, members: tuple[str, ...]) -> str:
        channel_id = self._conversations.get(members)
        if channel_id is None:
            prefix = "D" if len(members) == 1 else "G"  # a group DM (mpim) has a G id
            channel_id = f"{prefix}{next(self._conversation_ids):08d}"
            self._conversations[members] = channel_id
        return channel_id

    def _resolve(self, channel: str) -> str:
        """Slack posts to a user id's DM channel and answers with that channel's id."""
        return self._open((channel,)) if _is_user_id(channel) else channel

    def _channel(self, params: JSON) -> str:
        channel = str_param(params, "channel")
        if not channel:
            raise _SlackError("channel_not_found")
        return self._resolve(channel)

    def _content(self, params: JSON, blocks: list[JSON] | None = None) -> tuple[str, list[JSON] | None]:
        """The text and blocks of a message; ``blocks`` stands in when the field is absent."""
        text = str_param(params, "text") or ""
        blocks = _json_list(params, "blocks") if params.get("blocks") not in (None, "") else blocks
        blocks = blocks or None
        if not text and not blocks and not params.get("attachments"):
            raise _SlackError("no_text")
        return text, blocks

    def _message_body(self, message: SlackMessage) -> JSON:
        body: JSON = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": message.text,
            "ts": message.ts,
        }
        if message.blocks is not None:
            body["blocks"] = message.blocks
        if message.thread_ts is not None:
            body["thread_ts"] = message.thread_ts
        return body


# --- request parsing -------------------------------------------------------------------------------


def _parse_params(request: Request) -> JSON:
    try:
        return request_params(request)  # multipart is read as a form, as before: slack_sdk sends none
    except InvalidJson as exc:
        raise _SlackError("invalid_json") from exc
    except JsonNotObject as exc:
        raise _SlackError("json_not_object") from exc
    except ValueError as exc:
        raise _SlackError("invalid_form_data") from exc


def _token(request: Request, params: JSON) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return str_param(params, "token")


def _is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W") and value[1:].isalnum()


def _json_list(params: JSON, key: str) -> list[JSON] | None:
    """A field holding a list of objects: JSON-encoded inside a form field, or decoded from a JSON body."""
    try:
        value = json_param(params, key)
    except ValueError as exc:
        raise _SlackError(f"invalid_{key}") from exc
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _SlackError(f"invalid_{key}")
    return value


# --- responses -------------------------------------------------------------------------------------


def _error_response(exc: _SlackError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
    return Response(exc.status, {"ok": False, "error": exc.error}, headers)


def _reject(exc: MalformedRequest) -> Response:
    error = "request_header_fields_too_large" if exc.status == 431 else "invalid_request"
    return _error_response(_SlackError(error, exc.status))


# --- command line ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = server_arguments(
        "Fake Slack Web API server",
        limits_default="slack",
        limits_help="slack, telegram, none, or a setting such as chat=1/1s",
    )
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only token accepted; 'any' accepts all")
    parser.add_argument("--record", default=None, help="write one JSON line per accepted message here")
    args = parser.parse_args(argv)
    limits = limits_option(parser, args.limits)
    token = None if args.token == "any" else args.token
    server = FakeSlack(limits=limits, token=token, record_path=args.record)

    async def start() -> int:  # blocks the main loop briefly: the server binds on its own thread
        server.start(args.host, args.port)
        return server.port

    async def stop() -> None:
        server.stop()

    def summary() -> str:
        return summary_line(len(server.posted), server.rejected, server.failures_served)

    asyncio.run(serve_until_signal(start, stop, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
