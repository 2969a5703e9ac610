"""What the fake platform servers (``telegram_server.py``, ``slack_server.py``) have in common.

Both are stdlib-asyncio HTTP/1.1 servers with keep-alive that answer every request with a JSON body, take
their parameters from the query string and a JSON, form (or, for Telegram, multipart) body, refuse messages
over ``schedules.limits`` flood limits, and run as programs that print ``PORT <n>`` and serve until SIGTERM.
This module holds those parts; what a platform says (its error bodies, status codes and extra headers, which
bodies it parses and how) stays in the fake of that platform, which passes it in.

Named ``http_base`` rather than ``http``: the fakes also run as scripts, with this folder first on
``sys.path``, where a module named ``http`` would shadow the standard library's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from schedules.limits import SLACK_LIMITS, TELEGRAM_LIMITS, RateLimiter, TransportLimits, parse_limits

__all__ = [
    "JSON",
    "BadBody",
    "InvalidForm",
    "InvalidJson",
    "JsonHttpServer",
    "JsonNotObject",
    "MalformedRequest",
    "Request",
    "Response",
    "admit",
    "json_param",
    "limits_option",
    "limits_setting",
    "read_request",
    "request_params",
    "serve_until_signal",
    "server_arguments",
    "str_param",
    "summary_line",
    "write_response",
]

JSON = dict[str, Any]


# --- requests and responses ------------------------------------------------------------------------


@dataclass
class Request:
    """One HTTP request as read from a connection."""

    method: str  # upper-cased
    target: str  # path and query string, as sent
    headers: dict[str, str]  # names lower-cased
    body: bytes
    keep_alive: bool = True
    files: dict[str, bytes] = field(default_factory=dict)  # uploads, filled by a multipart parser
    file_names: dict[str, str] = field(default_factory=dict)  # each upload's file name, as sent

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def media_type(self) -> str:
        """The Content-Type without its parameters, lower-cased (``""`` when there is none)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class Response:
    """A JSON answer; ``headers`` are sent besides Content-Type, Content-Length and Connection.

    ``raw``, when set, is sent instead of the JSON body as ``application/octet-stream`` (a file served)."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


# A handler's answer meaning "hang up without answering": what a send whose answer is lost looks like to the
# client (the request was read and acted on, then the connection dropped).
HANG_UP = Response(0, {})


class MalformedRequest(Exception):
    """A request that cannot be read as HTTP/1.1: status 400, or 431 for a head too large to read."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        super().__init__(self.description)

    @property
    def description(self) -> str:
        """The status phrase, then what was wrong, if said: ``Bad Request: bad Content-Length``."""
        phrase = HTTPStatus(self.status).phrase
        return f"{phrase}: {self.detail}" if self.detail else phrase


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request, its body by Content-Length or chunked; None when the client closed between requests.

    Raises MalformedRequest for a request it cannot read.  Keep-alive follows HTTP/1.1 (on unless
    ``Connection: close``) and HTTP/1.0 (off unless ``Connection: keep-alive``).
    """
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise MalformedRequest(400, "incomplete request") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise MalformedRequest(431) from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ")
    except ValueError as exc:
        raise MalformedRequest(400, f"bad request line {lines[0]!r}") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise MalformedRequest(400, f"bad header {line!r}")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = headers.get("content-length", "0")
        if not length.isdigit():
            raise MalformedRequest(400, "bad Content-Length")
        body = await reader.readexactly(int(length))
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return Request(method.upper(), target, headers, body, keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError as exc:
            raise MalformedRequest(400, "bad chunk size") from exc
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def write_response(
    writer: asyncio.StreamWriter,
    response: Response,
    *,
    keep_alive: bool,
    content_type: str = "application/json",
) -> None:
    """Write ``response`` with its body as UTF-8 JSON (or its raw bytes) and wait until the transport takes it."""
    payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
    if response.raw is not None:
        payload, content_type = response.raw, "application/octet-stream"
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    extra = "".join(f"{name}: {value}\r\n" for name, value in response.headers.items())
    head = (
        f"HTTP/1.1 {response.status} {reason}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"{extra}"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    writer.write(head.encode("latin-1") + payload)
    await writer.drain()


# --- the server ------------------------------------------------------------------------------------


class JsonHttpServer:
    """An HTTP/1.1 server on the running event loop that answers each request with ``handle``.

    A connection serves requests one after another while both sides keep it alive; a request that cannot be
    read is answered with ``reject`` and ends its connection.  ``content_type`` is sent with every answer.
    """

    def __init__(
        self,
        handle: Callable[[Request], Awaitable[Response]],
        reject: Callable[[MalformedRequest], Response],
        *,
        content_type: str = "application/json",
    ) -> None:
        self._handle = handle
        self._reject = reject
        self._content_type = content_type
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host``:``port`` (0 picks a free port) and return the port."""
        if self._server is not None:
            raise RuntimeError("already started")
        self._server = await asyncio.start_server(self._serve, host, port)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening, end the open connections (a pending long poll included) and wait for them."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    request = await read_request(reader)
                except MalformedRequest as exc:
                    await self._write(writer, self._reject(exc), keep_alive=False)
                    break
                if request is None:
                    break
                response = await self._handle(request)
                if response is HANG_UP:
                    break
                await self._write(writer, response, keep_alive=request.keep_alive)
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # close() cancels open connections; ending quietly keeps Python 3.11's stream callback from
            # logging the cancellation as an error.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _write(self, writer: asyncio.StreamWriter, response: Response, *, keep_alive: bool) -> None:
        await write_response(writer, response, keep_alive=keep_alive, content_type=self._content_type)


# --- parameters ------------------------------------------------------------------------------------


class BadBody(ValueError):
    """A body that cannot be read as the parameters its Content-Type announces."""


class InvalidJson(BadBody):
    """A JSON body that does not decode; the message is the decoder's."""


class JsonNotObject(BadBody):
    """A JSON body that decodes to something other than an object."""


class InvalidForm(BadBody):
    """A form (urlencoded or multipart) body that does not decode; the message is the decoder's."""


def request_params(request: Request, *, multipart: Callable[[Request], JSON] | None = None) -> JSON:
    """The query string's parameters, updated with the body's.

    A body is read by its Content-Type: ``application/json`` must hold an object (its values keep their JSON
    types); ``multipart/form-data`` goes to ``multipart`` when given; anything else is read as
    ``application/x-www-form-urlencoded``.  Form values are strings.  Raises a BadBody.
    """
    params: JSON = dict(parse_qsl(urlsplit(request.target).query, keep_blank_values=True))
    if not request.body:
        return params
    kind = request.media_type
    if kind == "application/json":
        try:
            decoded = json.loads(request.body)
        except ValueError as exc:  # UnicodeDecodeError included
            raise InvalidJson(str(exc)) from exc
        if not isinstance(decoded, dict):
            raise JsonNotObject("JSON body must be an object")
        params.update(decoded)
        return params
    try:
        if kind == "multipart/form-data" and multipart is not None:
            params.update(multipart(request))
        else:
            params.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    except ValueError as exc:
        raise InvalidForm(str(exc)) from exc
    return params


def str_param(params: JSON, key: str) -> str | None:
    """A parameter as a string (a JSON number or boolean too), None when absent."""
    value = params.get(key)
    return None if value is None else str(value)


def json_param(params: JSON, key: str) -> Any:
    """A structured parameter: JSON inside a form field (decoded here), or as decoded from a JSON body.

    None when absent or empty; ValueError when a form field does not hold JSON.  The caller checks the type.
    """
    value = params.get(key)
    if value is None or value == "":
        return None
    return json.loads(value) if isinstance(value, str) else value


# --- flood limits ----------------------------------------------------------------------------------


def admit(limiter: RateLimiter | None, key: str, *, group: bool = False) -> int | None:
    """Count one message to ``key`` against the limits: None when accepted (or there are no limits).

    When the limits refuse it nothing is counted, and the answer is how long to wait, in whole seconds and at
    least one, as both platforms report it.
    """
    if limiter is None:
        return None
    wait = limiter.peek(key, group=group)
    if wait > 0:
        return max(1, math.ceil(wait - 1e-9))
    limiter.reserve(key, group=group)
    return None


def limits_setting(text: str) -> TransportLimits | None:
    """A ``--limits`` value: ``telegram``, ``slack``, ``none`` or a setting for ``parse_limits`` (ValueError)."""
    named = {"telegram": TELEGRAM_LIMITS, "slack": SLACK_LIMITS, "none": None}
    if text.lower() in named:
        return named[text.lower()]
    return parse_limits(text)


# --- command line ----------------------------------------------------------------------------------


def server_arguments(description: str, *, limits_default: str, limits_help: str) -> argparse.ArgumentParser:
    """A parser with the options every fake takes first: ``--host``, ``--port`` and ``--limits``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed as 'PORT <n>')")
    parser.add_argument("--limits", default=limits_default, help=limits_help)
    return parser


def limits_option(parser: argparse.ArgumentParser, text: str) -> TransportLimits | None:
    """``limits_setting(text)``, or exit through ``parser.error`` when the setting is wrong."""
    try:
        return limits_setting(text)
    except ValueError as exc:
        parser.error(str(exc))


def summary_line(accepted: int, rejected: int, failures: int) -> str:
    """What a fake run as a program prints on stderr when it stops."""
    return f"accepted {accepted} rejected {rejected} failures {failures}"


async def serve_until_signal(
    start: Callable[[], Awaitable[int]],
    stop: Callable[[], Awaitable[None]],
    summary: Callable[[], str],
) -> None:
    """Run a fake as a program: ``start`` it, print ``PORT <n>`` (the port it returns) on stdout, serve until
    SIGTERM or SIGINT, ``stop`` it and print ``summary()`` on stderr."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    port = await start()
    print(f"PORT {port}", flush=True)
    try:
        await stopping.wait()
    finally:
        await stop()
        print(summary(), file=sys.stderr, flush=True)
