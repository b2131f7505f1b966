"""Webhook rules: which endpoints may be called, how a delivery is signed,
and when a failed one is tried again."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
from typing import Callable, Sequence
from urllib.parse import urlsplit

from .audit import EventKind
from .errors import ErrorCode, UserError

URL_MAX_LENGTH = 2048
# Retries: exponential from 1 s, capped at 10 minutes, each with full jitter
# so that a receiver coming back is not hit by every sender at once.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 600.0


def _invalid(field: str, message: str) -> UserError:
    return UserError(ErrorCode.INVALID_INPUT, message, (field,))


def webhook_errors(url: str, events: Sequence[str]) -> list[UserError]:
    """The input's form: an http(s) URL with a host, and known event kinds.
    Where the host points is decided when it is resolved (`address_allowed`)."""
    errors = []
    parts = urlsplit(url) if len(url) <= URL_MAX_LENGTH else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.username or \
            parts.password:
        errors.append(_invalid("url", f"The url must be an http or https URL of at most {URL_MAX_LENGTH} "
                                      "characters, with a host and no user or password."))
    known = {kind.value for kind in EventKind}
    if not events or any(event not in known for event in events):
        errors.append(_invalid("events", "Name one or more of: " + ", ".join(sorted(known)) + "."))
    return errors


# IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64 (RFC 6052, 8215),
# IPv4-translated (RFC 2765) and IPv4-compatible (deprecated).
_CARRYING_IPV4_IN_LOW_BITS = tuple(ipaddress.ip_network(prefix) for prefix in (
    "64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96", "::/96"))


def address_allowed(address: str, allow_private: bool) -> bool:
    """Only globally reachable addresses are endpoints on the internet;
    loopback, private, shared, link-local, reserved and multicast ones are
    the shop's own network: refused unless the deployment allows them
    (WEBHOOK_ALLOW_PRIVATE_ADDRESSES)."""
    ip = ipaddress.ip_address(address)
    # An IPv6 address that carries an IPv4 one (mapped, translated, compatible,
    # NAT64, 6to4, Teredo) is as public as that one.
    if ip.version == 6:
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is None and any(ip in prefix for prefix in _CARRYING_IPV4_IN_LOW_BITS):
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is not None and not address_allowed(str(carried), allow_private):
            return False
        if ip.is_site_local:  # fec0::/10: deprecated, and never an endpoint on the internet
            return allow_private
    # is_global: the IANA registry's "globally reachable", so also shared (carrier-grade
    # NAT, 100.64.0.0/10) and the other special ranges is_private leaves out.
    public = ip.is_global and not ip.is_multicast
    return public or allow_private


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """X-Signature: HMAC-SHA256 over "<timestamp>.<body>", as t=<timestamp>,v1=<hex>."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_delay(attempts: int, draw: Callable[[], float] = random.random) -> float:
    """Seconds until the next try after `attempts` failed ones."""
    ceiling = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return max(0.1, ceiling * draw())
