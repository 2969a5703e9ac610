"""The HTTP server of the webhooks (Telegram's updates, Slack's events): one POST path, hardened against what
anyone who can reach the port may send, on aiohttp's low-level server so that duban sets every limit.

- Headers must be complete within `header_timeout` of the connection opening (or of its last answer, when it
  is kept alive); otherwise the connection is closed.
- At most `max_connections` are open. One more closes, to make room, the oldest idle connection (no
  request in progress: still waiting for headers, or kept alive between requests); failing that, the one
  that has been reading its body the longest; failing that (every one is being answered), the newcomer.
  Both platforms send a request whole and at once, so connections that sit idle or trickle a body,
  however many, cannot crowd out a request that arrives in one piece, and nothing is left waiting in the
  kernel's accept queue.
- A platform's handler checks its secret first, then asks `read_body`: a body announced over `max_body` is
  refused (413) before a byte of it is read, a chunked one as soon as it passes the cap, and one not
  complete within `body_timeout` gets 408. Every refusal closes the connection (the unread rest of a body is
  not drained).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.transports.config import WebhookLimits

log = logging.getLogger(__name__)

Handle = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
READ_CHUNK = 64 * 1024


class Refused(Exception):
    """A request turned away with a 4xx status; the handler raises it, the server answers and closes."""

    def __init__(self, status: HTTPStatus, why: str) -> None:
        super().__init__(f"{status.value} {why}")
        self.status = status
        self.why = why


async def _read_body(request: web.BaseRequest, limits: WebhookLimits) -> bytes:
    """The whole body, within the cap and the time allowed; Refused (413, 408, 400) otherwise."""
    length = request.content_length
    if length is not None and length > limits.max_body:
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Content-Length {length} over {limits.max_body}")
    if request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # the client waits for it to send
    body = bytearray()
    try:
        async with asyncio.timeout(limits.body_timeout):
            while chunk := await request.content.read(READ_CHUNK):
                body += chunk
                if len(body) > limits.max_body:
                    raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {limits.max_body}")
    except TimeoutError:
        raise Refused(HTTPStatus.REQUEST_TIMEOUT, f"body not complete in {limits.body_timeout} s") from None
    except ConnectionError:  # the client went away mid-body: nobody to answer, nothing to log but a line
        raise Refused(HTTPStatus.BAD_REQUEST, "connection closed before the body was complete") from None
    if length is not None and len(body) != length:
        raise Refused(HTTPStatus.BAD_REQUEST, "body shorter than its Content-Length")
    return bytes(body)


class WebhookServer:
    """Serves `handle` for POSTs to `path` (with or without a trailing slash) within `limits`."""

    def __init__(self, name: str, path: str, handle: Handle, limits: WebhookLimits) -> None:
        self.name = name  # "Telegram webhook", "Slack events": how the log names it
        self.path = path.rstrip("/") or "/"
        self.limits = limits
        self._handle = handle
        self._connections = _Connections(name, limits)
        self._runner: web.ServerRunner | None = None
        self._site: web.TCPSite | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; return the address bound (port 0 picks a free one)."""
        server = _Server(self._serve, self._connections)
        self._runner = web.ServerRunner(server)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        return str(bound_host), int(bound_port)

    async def read_body(self, request: web.BaseRequest) -> bytes:
        """The request's whole body within the limits (Refused otherwise); a platform's handler asks for it
        once the headers have shown that the request may be its platform's."""
        self._connections.reading(request.protocol, True)
        try:
            return await _read_body(request, self.limits)
        finally:
            self._connections.reading(request.protocol, False)

    async def stop_listening(self) -> None:
        """No new connections; requests in progress carry on."""
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def close(self) -> None:
        """Stop listening and close every connection."""
        await self.stop_listening()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._connections.close_all()

    async def _serve(self, request: web.BaseRequest) -> web.StreamResponse:
        connection = request.protocol
        self._connections.busy(connection)
        try:
            return await self._answer(request)
        except Refused as refused:
            # debug: a flood of bad requests must not become a flood of log lines
            log.debug("%s: %s from %s refused: %s", self.name, request.method, request.remote, refused)
            response = web.Response(status=refused.status, text=refused.status.phrase)
            response.force_close()
            return response
        finally:
            self._connections.idle(connection)

    async def _answer(self, request: web.BaseRequest) -> web.StreamResponse:
        if (request.path.rstrip("/") or "/") != self.path:
            raise Refused(HTTPStatus.NOT_FOUND, f"no webhook at {request.path[:100]!r}")
        if request.method != "POST":
            raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, f"{request.method[:20]} instead of POST")
        return await self._handle(request)


class _Server(web.Server):
    """aiohttp's connection manager, telling `_Connections` when connections open and close."""

    def __init__(self, handle: Handle, connections: _Connections) -> None:
        # No access log (the platforms' requests are not news); no lingering: a refused body's rest is not
        # read and thrown away, the connection is closed after the answer.
        super().__init__(handle, access_log=None, lingering_time=0, logger=_HTTP_LOG)
        self._tracked = connections

    def connection_made(self, handler: web.RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self._tracked.opened(handler)

    def connection_lost(self, handler: web.RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self._tracked.closed(handler)


class _MalformedRequests(logging.Filter):
    """aiohttp answers a request it cannot parse (a bad method or chunk size, a header line too long) with
    400 and logs it as an error with a traceback. From the network that is not news, and a stranger must not
    be able to fill the log with tracebacks: it becomes one line at debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError | ConnectionError):
            return True  # anything else is a fault of ours: logged as aiohttp logs it
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.msg, record.args = "malformed request refused: %s", (" ".join(str(error).split())[:200],)
        record.exc_info, record.exc_text = None, None
        return _HTTP_LOG.isEnabledFor(logging.DEBUG)


_HTTP_LOG = log.getChild("http")  # aiohttp's own messages about the webhook servers' connections
_HTTP_LOG.addFilter(_MalformedRequests())


class _Connections:
    """The open connections: idle ones in the order they became idle, each with its header deadline, and
    those reading a body in the order they began."""

    def __init__(self, name: str, limits: WebhookLimits) -> None:
        self.name = name
        self.limits = limits
        self._open: set[web.RequestHandler] = set()
        self._idle: dict[web.RequestHandler, asyncio.TimerHandle] = {}  # oldest first
        self._reading: dict[web.RequestHandler, None] = {}  # oldest first
        self._full = False
        self._evicted = 0

    def opened(self, connection: web.RequestHandler) -> None:
        self._open.add(connection)
        self.idle(connection)
        if len(self._open) > self.limits.max_connections:
            self._drop(self._victim(connection))
            self._evicted += 1
            if not self._full:
                self._full = True
                log.warning("%s: %d connections open, closing the oldest idle", self.name, len(self._open))
        elif self._full and len(self._open) < self.limits.max_connections // 2:
            self._full = False
            log.warning("%s: connections back under the cap; %d were closed", self.name, self._evicted)
            self._evicted = 0

    def _victim(self, newcomer: web.RequestHandler) -> web.RequestHandler:
        """Who makes room: the oldest idle connection, else the slowest body, else the newcomer."""
        for connection in self._idle:
            if connection is not newcomer:
                return connection
        return next(iter(self._reading), newcomer)

    def reading(self, connection: web.RequestHandler, reading: bool) -> None:
        if reading and connection in self._open:
            self._reading[connection] = None
        else:
            self._reading.pop(connection, None)

    def busy(self, connection: web.RequestHandler) -> None:
        """A request's headers are in: the connection is not idle until it is answered."""
        timer = self._idle.pop(connection, None)
        if timer is not None:
            timer.cancel()

    def idle(self, connection: web.RequestHandler) -> None:
        """Waiting for headers from now on: closed if they do not arrive in time."""
        if connection not in self._open:
            return
        self.busy(connection)  # re-inserted last: the newest idle one
        loop = asyncio.get_running_loop()
        self._idle[connection] = loop.call_later(self.limits.header_timeout, self._expire, connection)

    def closed(self, connection: web.RequestHandler) -> None:
        self.busy(connection)
        self._reading.pop(connection, None)
        self._open.discard(connection)

    def close_all(self) -> None:
        for connection in list(self._open):
            self._drop(connection)

    def _expire(self, connection: web.RequestHandler) -> None:
        if connection in self._idle:
            log.debug("%s: no request headers in %s s, closed", self.name, self.limits.header_timeout)
            self._drop(connection)

    def _drop(self, connection: web.RequestHandler) -> None:
        """Forget the connection now, close it on the loop's next turn: a newcomer is dropped from inside
        aiohttp's connection_made, before the task that serves it has started, and that task must see the
        connection closed, not find it already torn down."""
        self.closed(connection)
        asyncio.get_running_loop().call_soon(connection.force_close)
