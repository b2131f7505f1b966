"""One webhook post, to the address that was checked.

The endpoint's name is resolved once; every address it gave must be allowed
(`destination_error`), and the post connects to one of those addresses, not
to whatever the name resolves to a moment later. Resolving again to connect
would let a name that changes in between (DNS rebinding) reach the shop's
own network. TLS still verifies the certificate against the name, and the
request carries it as its Host. Redirects are answers, never followed; no
proxy is used, since a proxy would connect to a name we have not checked.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from ..core.webhooks import signature
from ..graphql.ids import encode_id
from .service import addresses_error, resolved_addresses

USER_AGENT = "campaign-service-webhooks"
# What is read of an answer: its status is what counts.
MAX_ANSWER_BYTES = 64 * 1024
# A name's addresses tried in turn, at most: each may take the whole timeout to refuse.
MAX_ADDRESSES = 3


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: Optional[int]
    error: Optional[str]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # The socket is in place before the handshake, for the watchdog to reach.
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
        self.sock.do_handshake()


def post(url: str, secret: str, event_id: int, attempt: int, body: bytes, timeout: float,
         allow_private: bool) -> Outcome:
    """Posts `body`, all of it within `timeout` seconds, the name's lookup
    included: the socket's own timeout bounds each read, and a watchdog
    closes the socket at the deadline, so an endpoint that answers a byte at
    a time cannot hold the delivery worker (and the leases of its batch) for
    longer."""
    deadline = time.monotonic() + timeout
    addresses = resolved_addresses(url, timeout)
    refused = addresses_error(addresses, allow_private)
    if refused is not None:
        return Outcome(False, None, refused)
    parts = urlsplit(url)
    pinned = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Event-Id": encode_id("CampaignEvent", event_id), "X-Delivery-Attempt": str(attempt),
        "X-Signature": signature(secret, int(time.time()), body),
    }
    error = UNREACHABLE
    for address in addresses[:MAX_ADDRESSES]:  # in turn, as a connection to a name tries each of its addresses
        left = deadline - time.monotonic()
        if left <= 0:
            return Outcome(False, None, TIMED_OUT)
        connection = pinned(parts.hostname, port, address, left)
        aborted = threading.Event()
        watchdog = threading.Timer(left, _abort, (connection, aborted))
        watchdog.start()
        try:
            try:
                connection.connect()
            except OSError as failure:  # nothing was sent: the next address may answer
                error = _described(failure, deadline, aborted)
                continue
            if aborted.is_set():  # the watchdog fired before there was a socket to close
                return Outcome(False, None, TIMED_OUT)
            try:
                connection.request("POST", target, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read(MAX_ANSWER_BYTES)
            except (OSError, http.client.HTTPException) as failure:
                return Outcome(False, None, _described(failure, deadline, aborted))
        finally:
            watchdog.cancel()
            connection.close()
        if aborted.is_set():  # cut off: what looked like the end of the answer was the watchdog's
            return Outcome(False, None, TIMED_OUT)
        if 200 <= answer.status < 300:
            return Outcome(True, answer.status, None)
        return Outcome(False, answer.status, f"HTTP {answer.status}")
    return Outcome(False, None, error)


def _abort(connection: http.client.HTTPConnection, aborted: threading.Event) -> None:
    """At the deadline: whatever the post is waiting for ends (an error, or
    an end of file that `aborted` tells from a real one)."""
    aborted.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


# The delivery log's words for a failed post. Fixed texts: nothing the
# endpoint sent back is stored (it could be any service's banner, or bytes
# PostgreSQL refuses to store).
UNREACHABLE = "The endpoint could not be reached."
TIMED_OUT = "The endpoint did not answer in time."
REFUSED = "The endpoint refused the connection."
TLS_FAILED = "The TLS handshake failed or the certificate did not verify."
NOT_HTTP = "The endpoint's answer was not HTTP."
CLOSED = "The endpoint closed the connection before answering."


def _described(failure: Exception, deadline: float, aborted: threading.Event) -> str:
    if aborted.is_set() or isinstance(failure, TimeoutError) or time.monotonic() >= deadline:
        return TIMED_OUT
    if isinstance(failure, ConnectionRefusedError):
        return REFUSED
    if isinstance(failure, ssl.SSLError):  # a certificate that does not verify included
        return TLS_FAILED
    if isinstance(failure, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
        return CLOSED
    if isinstance(failure, http.client.HTTPException):
        return NOT_HTTP
    return UNREACHABLE
