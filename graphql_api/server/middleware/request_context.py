"""Request ids, X-Process-Time, the security headers and the content
security policy on every response; afterwards one log line and the request
metrics."""

from __future__ import annotations

import itertools
import logging
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...observability import metrics
from ..asgi import request_header
from ...observability.logs import REQUESTS

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# JSON answers need nothing from a browser.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# GraphiQL's page: everything from this server; only styles may be inline
# (its editors set style attributes).
GRAPHIQL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


# As raw ASGI headers, added to every response start without parsing its headers.
_SECURITY_RAW = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]
_API_CSP_RAW = API_CSP.encode("latin-1")
_GRAPHIQL_CSP_RAW = GRAPHIQL_CSP.encode("latin-1")
_OURS = frozenset({b"x-request-id", b"x-process-time", b"content-security-policy"})


def _declares_body(scope: Scope) -> bool:
    length = request_header(scope, b"content-length")
    return (length is not None and length.strip() not in ("", "0")) or \
        request_header(scope, b"transfer-encoding") is not None


def _with_our_headers(raw: list, request_id: str, seconds: float, close: bool = False) -> list:
    """The response's headers plus the request id, the processing time, the
    security headers the app did not set itself, the content security policy
    for its kind of content, and `Connection: close` when asked."""
    headers, present, is_page = [], set(), False
    for name, value in raw:
        name = name.lower()
        if name in _OURS:
            continue
        present.add(name)
        if name == b"content-type" and value.startswith(b"text/html"):
            is_page = True
        headers.append((name, value))
    headers.append((b"x-request-id", request_id.encode("latin-1")))
    headers.append((b"x-process-time", b"%.6f" % seconds))
    headers.extend(header for header in _SECURITY_RAW if header[0] not in present)
    headers.append((b"content-security-policy", _GRAPHIQL_CSP_RAW if is_page else _API_CSP_RAW))
    if close and b"connection" not in present:
        headers.append((b"connection", b"close"))
    return headers


request_log = logging.getLogger(REQUESTS)


class RequestIds:
    """Unique request ids without a system call per request: 64 random bits
    per process, then a counter (32 hex digits, like a UUID's). os.urandom
    (what uuid4 calls) releases the interpreter lock, and on a busy server
    the event loop then waits for a database thread to hand it back, up to
    the interpreter's switch interval, on every request."""

    def __init__(self):
        self._reseed()
        # A forked child must not repeat its parent's ids.
        os.register_at_fork(after_in_child=self._reseed)

    def _reseed(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._numbers = itertools.count(1)

    def new(self) -> str:
        return f"{self._prefix}{next(self._numbers):016x}"


request_ids = RequestIds()


class RequestContextMiddleware:
    """Request id, X-Process-Time and the security headers on every response;
    afterwards one log line and the request metrics."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = request_header(scope, b"x-request-id") or ""
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else request_ids.new()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = [500]
        # A response sent before the request's body was read (a refusal) closes
        # the connection: otherwise the client could go on trickling a body
        # that nobody reads, and keep the connection for as long as it likes.
        body_pending = [_declares_body(scope)]

        async def receive_noting_the_body() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                body_pending[0] = False
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": _with_our_headers(
                    message.get("headers", ()), request_id, time.perf_counter() - started, body_pending[0])}
            await send(message)

        try:
            await self.app(scope, receive_noting_the_body if body_pending[0] else receive, send_with_headers)
        finally:
            self._record(scope, state, status[0], time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, state: dict, status: int, seconds: float) -> None:
        caller = state.get("caller")
        outcome = state.get("outcome") or ("ok" if status < 400 else f"http_{status}")
        if scope["path"] == "/graphql":
            metrics.observe_request(state.get("operation_name"), state.get("operation_type"), outcome, seconds)
        if not request_log.isEnabledFor(logging.INFO):  # then skip building the record's fields
            return
        request_log.info(
            "%s %s %s", scope["method"], scope["path"], status,
            extra={
                "request_id": state["request_id"],
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "client": (scope.get("client") or ("", 0))[0],
                "operation_name": state.get("operation_name"),
                "operation_type": state.get("operation_type"),
                "outcome": outcome,
                "key_id": caller.public_id if caller else None,
            },
        )
