"""A cap on the GraphQL requests one worker process executes at once.

A worker that starts every request the moment it arrives interleaves them all
on one event loop: under load each gets a sliver of the CPU, all of them
finish late and some after seconds. With the cap, at most `max_in_flight`
requests execute; the others wait their turn in arrival order (`Slots`) and
run at full speed once admitted, so latency stays even instead of collapsing
into a long tail.

The default cap is the connection pool's size: every admitted request can have
a connection at once, and no request holds the event loop's attention while it
only waits for one. A request that waits longer than `queue_timeout` seconds,
or finds `max_queued` others already waiting, is turned away at once with 503
SERVICE_UNAVAILABLE (reason OVERLOADED) and Retry-After, which a client or a
load balancer can act on, instead of timing out after it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

from ..observability import metrics
from .asgi import send_json_error
from ..error_codes import TopLevelCode

logger = logging.getLogger("graphql_api.admission")


class Slots:
    """`size` slots, handed to waiters in arrival order; a waiter gives up
    after its timeout. A wait costs one future and one timer; anyio's
    semaphore inside a `move_on_after` cancel scope, which did this before,
    cost measurably more when every request queued (bench/HISTORY.md).

    A released slot goes straight to the first waiter, so `free` is above
    zero only when nobody waits; a waiter that gives up leaves the queue."""

    def __init__(self, size: int):
        self.free = size
        self.waiters: deque[asyncio.Future] = deque()

    def take_now(self) -> bool:
        if self.free > 0:
            self.free -= 1
            return True
        return False

    async def take(self, timeout: float) -> bool:
        """True once a slot is ours; False when `timeout` seconds passed first."""
        if self.take_now():
            return True
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.waiters.append(waiter)
        expiry = loop.call_later(timeout, _give_up, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if _handed_a_slot(waiter):  # in the same turn the task was cancelled: pass it on
                self.release()
            raise
        finally:
            expiry.cancel()
            if not _handed_a_slot(waiter) and waiter in self.waiters:  # gave up, or cancelled
                self.waiters.remove(waiter)

    def release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self.free += 1


def _handed_a_slot(waiter: asyncio.Future) -> bool:
    return waiter.done() and not waiter.cancelled() and waiter.result()


def _give_up(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(False)


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, *, max_in_flight: int, max_queued: int, queue_timeout: float,
                 paths: frozenset[str] = frozenset({"/graphql"})):
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.paths = paths
        self.slots = Slots(max_in_flight)
        self.waiting = 0
        self.turned_away = 0  # since the last log line
        self.logged_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if not self.slots.take_now() and not await self._wait_for_slot():
            await self._turn_away(scope, send)
            return
        metrics.REQUESTS_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            metrics.REQUESTS_IN_FLIGHT.dec()
            self.slots.release()

    async def _wait_for_slot(self) -> bool:
        if self.waiting >= self.max_queued:
            return False
        self.waiting += 1
        metrics.REQUESTS_QUEUED.inc()
        try:
            return await self.slots.take(self.queue_timeout)
        finally:
            self.waiting -= 1
            metrics.REQUESTS_QUEUED.dec()

    async def _turn_away(self, scope: Scope, send: Send) -> None:
        metrics.REQUESTS_TURNED_AWAY.inc()
        scope.setdefault("state", {})["outcome"] = "OVERLOADED"
        self.turned_away += 1
        if time.monotonic() - self.logged_at >= 10:  # one line per 10 s, however many are turned away
            logger.warning("at capacity: turned %d request(s) away; %d executing, %d waiting",
                           self.turned_away, self.max_in_flight, self.waiting)
            self.turned_away, self.logged_at = 0, time.monotonic()
        await send_json_error(
            send, 503, TopLevelCode.SERVICE_UNAVAILABLE,
            "The server is at capacity; retry in 1 s.",
            headers={"Retry-After": "1"}, extensions={"reason": "OVERLOADED"},
        )
