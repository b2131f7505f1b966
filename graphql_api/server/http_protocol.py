"""uvicorn's HTTP protocol with deadlines a client cannot reset by trickling.

uvicorn closes a kept-alive connection that stays idle, but any byte cancels
that timer, even a bare CRLF that begins no request, and a connection that
sends nothing, or sends its headers a byte at a time, is kept forever. Here
one deadline always runs while the connection waits for a client: from the
connection opening or a request's first byte, the headers must be complete
within HEADER_TIMEOUT_SECONDS; after a response, the next request must begin
within IDLE_TIMEOUT_SECONDS. Bytes that begin no request reset neither. (The
body has its own deadline, in BodyLimitMiddleware.)"""

from __future__ import annotations

import asyncio
import functools
from typing import Optional

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@functools.lru_cache(maxsize=1)
def _header_timeout() -> float:
    # Read from the environment in each worker: uvicorn builds the protocol itself.
    from ..settings import Settings

    return Settings.from_env().header_timeout_seconds


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    _deadline: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(_header_timeout())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(_header_timeout())  # replaces the idle deadline

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn armed its keep-alive timer: nothing is in flight, the
        # connection waits for a next request. Ours is not cancelled by bytes.
        if self.timeout_keep_alive_task is not None:
            self._arm(self.timeout_keep_alive)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
