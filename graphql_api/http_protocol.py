"""uvicorn's HTTP protocol with a deadline for a request's headers.

uvicorn closes a kept-alive connection that stays idle, but a connection that
sends nothing, or sends its headers a byte at a time, is kept forever. Here a
request's headers must be complete within HEADER_TIMEOUT_SECONDS of the
connection opening or of the request's first byte; past that the connection
is closed. (The body has its own deadline, in BodyLimitMiddleware.)"""

from __future__ import annotations

import asyncio
import functools
from typing import Optional

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@functools.lru_cache(maxsize=1)
def _header_timeout() -> float:
    # Read from the environment in each worker: uvicorn builds the protocol itself.
    from .settings import Settings

    return Settings.from_env().header_timeout_seconds


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    _header_deadline: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:  # a kept-alive connection's next request
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._header_deadline = self.loop.call_later(_header_timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
