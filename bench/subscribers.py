"""Watchers of a sale for `make bench`: N sockets, each subscribed to the
budget of every campaign named, reading every event until stopped (SIGTERM),
then printing how many they received.

    python bench/subscribers.py BASE_URL KEY SOCKETS CAMPAIGN_ID...

The watchers stand in for browsers on other machines, but share this
machine's cores with the server under test. So they speak the websocket
protocol on a bare asyncio protocol that only counts frames: a full client
(the `websockets` package) spent more of a core on its side than the server
spent sending (bench/HISTORY.md). The tests use the full client.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import struct
import sys
from urllib.parse import urlsplit

BUDGET = "subscription($id: ID!) { campaignBudget(id: $id) { usedBudget } }"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame, as a client must send it (RFC 6455, 5.3)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))
    return header + mask + masked


def fail(why: str) -> None:
    """Out of a protocol callback, where an exception would only be logged."""
    print(why, file=sys.stderr, flush=True)
    os._exit(1)


class Watcher(asyncio.Protocol):
    """Counts the text frames that arrive after the handshake; answers pings."""

    def __init__(self, host: str, key: str, campaigns: list[str], opened: asyncio.Queue):
        self.host, self.key, self.campaigns, self.opened = host, key, campaigns, opened
        self.buffer = b""
        self.upgraded = self.acked = False
        self.events = 0

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        nonce = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET /graphql HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {nonce}\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())

    def send(self, message: dict) -> None:
        self.transport.write(client_frame(TEXT, json.dumps(message).encode()))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                fail(f"no upgrade: {head[:200]!r}")
            self.upgraded, self.buffer = True, rest
            self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.key}"}})
        self._frames()

    def _frames(self) -> None:
        buffer, start = self.buffer, 0
        while len(buffer) - start >= 2:
            opcode, length = buffer[start] & 0x0F, buffer[start + 1] & 0x7F
            offset = start + 2
            if length == 126:
                if len(buffer) - offset < 2:
                    break
                (length,) = struct.unpack_from("!H", buffer, offset)
                offset += 2
            elif length == 127:
                if len(buffer) - offset < 8:
                    break
                (length,) = struct.unpack_from("!Q", buffer, offset)
                offset += 8
            if len(buffer) - offset < length:
                break
            payload = buffer[offset:offset + length]
            start = offset + length
            if opcode == TEXT:
                if self.acked:
                    if b'"next"' not in payload:
                        fail(f"not an event: {payload[:200]!r}")
                    self.events += 1
                else:
                    if json.loads(payload)["type"] != "connection_ack":
                        fail(f"not acknowledged: {payload[:200]!r}")
                    self.acked = True
                    for n, campaign in enumerate(self.campaigns):
                        self.send({"id": str(n), "type": "subscribe",
                                   "payload": {"query": BUDGET, "variables": {"id": campaign}}})
                    self.opened.put_nowait(self)
            elif opcode == PING:
                self.transport.write(client_frame(PONG, payload))
            elif opcode == CLOSE:
                fail(f"closed by the server: {payload!r}")
        self.buffer = buffer[start:]


async def main() -> None:
    base, key, sockets, *campaigns = sys.argv[1:]
    url = urlsplit(base)
    loop = asyncio.get_running_loop()
    opened: asyncio.Queue = asyncio.Queue()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    watchers = []
    for _ in range(int(sockets)):
        _, watcher = await loop.create_connection(
            lambda: Watcher(url.netloc, key, campaigns, opened), url.hostname, url.port)
        watchers.append(watcher)
    for _ in watchers:
        await asyncio.wait_for(opened.get(), 30)
    await asyncio.sleep(1)  # the subscriptions are registered
    print("ready", flush=True)
    await stop.wait()
    print(json.dumps({"events": sum(watcher.events for watcher in watchers)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
