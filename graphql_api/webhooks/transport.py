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

import http.client
import socket
import ssl
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
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, secret: str, event_id: int, attempt: int, body: bytes, timeout: float,
         allow_private: bool) -> Outcome:
    addresses = resolved_addresses(url)
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
    error = "The endpoint could not be reached."
    for address in addresses:  # in turn, as a connection to a name tries each of its addresses
        connection = pinned(parts.hostname, port, address, timeout)
        try:
            connection.connect()
        except OSError as failure:  # nothing was sent: the next address may answer
            connection.close()
            error = _described(failure)
            continue
        try:
            connection.request("POST", target, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read(MAX_ANSWER_BYTES)
        except (OSError, http.client.HTTPException) as failure:
            return Outcome(False, None, _described(failure))
        finally:
            connection.close()
        if 200 <= answer.status < 300:
            return Outcome(True, answer.status, None)
        return Outcome(False, answer.status, f"HTTP {answer.status}")
    return Outcome(False, None, error)


def _described(failure: Exception) -> str:
    return (str(failure) or type(failure).__name__)[:255]
