"""Failover without losing a confirmed apply.

Two PostgreSQL servers on this machine, the second a synchronous streaming
standby of the first (tests/pg_cluster.py), and one service process with a
multi-host DATABASE_URL (`target_session_attrs=read-write`). Under concurrent
applies the standby stops taking WAL for a second, so that it lags (an
asynchronous standby would then miss applies already confirmed), then the
primary is killed with SIGKILL, the standby loses what it had not flushed,
and it is promoted. A client that gets
SERVICE_UNAVAILABLE retries with its idempotency key, as the README tells
clients to."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

import httpx2
import pytest
from websockets.asyncio.client import connect

from graphql_api.graphql.ids import decode_id
from graphql_api.settings import sqlalchemy_url

from ..conftest import make_key
from ..pg_cluster import primary_and_standby
from ..servers import server_log, start_server, stop_server
from ..support import APPLY
from .load import api_client, make_campaign, make_customers

pytestmark = pytest.mark.concurrency

CLIENTS = 8
CUSTOMERS = 200
BEFORE_STALL_SECONDS = 2.0
# Below DB_LOCK_TIMEOUT_MS: the applies waiting for the standby hold the campaign's row lock.
STALL_SECONDS = 1.0
NO_PRIMARY_SECONDS = 1.5
AFTER_PROMOTION_SECONDS = 6.0
# How long after the promotion a refusal may still start: the pool finds the
# new primary on its next connection; this bounds it generously, the measured
# figure is printed.
RECOVERY_BOUND_SECONDS = 10.0
BUDGET = "subscription($id: ID!) { campaignBudget(id: $id) { usedBudget } }"


@dataclass
class Attempt:
    index: int
    started: float
    ended: float
    usage_id: str | None = None
    unavailable: bool = False
    other: object = None


@dataclass
class Timeline:
    stalled_at: float | None = None
    killed_at: float | None = None
    promoted_at: float | None = None
    attempts: list[Attempt] = field(default_factory=list)


def _classify(response: httpx2.Response, attempt: Attempt) -> None:
    try:
        body = response.json()
    except ValueError:
        attempt.other = (response.status_code, response.text[:300])
        return
    errors = body.get("errors") or []
    if any(error.get("extensions", {}).get("code") == "SERVICE_UNAVAILABLE" for error in errors):
        attempt.unavailable = True
        return
    payload = (body.get("data") or {}).get("applyDiscount") or {}
    if response.status_code == 200 and not errors and payload.get("usage") and not payload.get("userErrors"):
        attempt.usage_id = payload["usage"]["id"]
    else:
        attempt.other = (response.status_code, body)


async def _drive(base_url: str, key: str, campaign_id: str, customers: list[str], timeline: Timeline,
                 stop_at: list[float]) -> None:
    counter = iter(range(10**9))

    async def client_loop(client):
        while time.monotonic() < stop_at[0]:
            index = next(counter)
            variables = {"input": {"campaignId": campaign_id, "customerId": customers[index % len(customers)],
                                   "cartValue": "100", "idempotencyKey": f"failover-{index}"}}
            while True:  # one apply, retried with its key until it is answered
                attempt = Attempt(index, time.monotonic(), 0.0)
                try:
                    response = await client.post("/graphql", json={"query": APPLY, "variables": variables})
                    _classify(response, attempt)
                except httpx2.HTTPError as error:
                    attempt.other = repr(error)
                attempt.ended = time.monotonic()
                timeline.attempts.append(attempt)
                if not attempt.unavailable:
                    break
                await asyncio.sleep(0.2)

    clients = [api_client(base_url, key) for _ in range(CLIENTS)]
    try:
        await asyncio.gather(*(client_loop(client) for client in clients))
    finally:
        for client in clients:
            await client.aclose()


async def _watch(base_url: str, key: str, campaign_id: str, received: list, stop: asyncio.Event) -> None:
    async with connect(base_url.replace("http://", "ws://") + "/graphql",
                       subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "b", "type": "subscribe",
                                      "payload": {"query": BUDGET, "variables": {"id": campaign_id}}}))
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
            except asyncio.TimeoutError:
                continue
            if message["type"] == "next":
                received.append((time.monotonic(), message["payload"]["data"]["campaignBudget"]["usedBudget"]))


def test_no_confirmed_apply_is_lost_when_the_primary_dies(tmp_path):
    primary, standby = primary_and_standby(tmp_path / "cluster")
    try:
        primary.query("CREATE DATABASE campaigns")
        url = (f"postgresql://postgres@/campaigns?host=127.0.0.1,127.0.0.1&port={primary.port},{standby.port}"
               "&target_session_attrs=read-write")
        migrated = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "migrate"],
                                  env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
        assert migrated.returncode == 0, migrated.stderr
        key = make_key(sqlalchemy_url(url), "admin", "failover")
        process, base_url = start_server(url, DB_POOL_SIZE="4")
        try:
            timeline, received, check = asyncio.run(_scenario(base_url, key, primary, standby, url))
            assert process.poll() is None, "the server process should have lived through the failover"
        finally:
            stop_server(process)
            log = server_log(process)
        _verify(timeline, received, check, standby, log)
    finally:
        primary.stop()
        standby.stop()


async def _scenario(base_url, key, primary, standby, url):
    async with api_client(base_url, key) as client:
        customers = await make_customers(client, CUSTOMERS, "failover")
        campaign = await make_campaign(client, name="failover", discountFlat="1.00", discountPercentage=...,
                                       totalBudget="100000", maxUsagePerCustomerPerDay=1000)
    timeline, received, stop = Timeline(), [], asyncio.Event()
    stop_at = [time.monotonic() + 3600]
    watcher = asyncio.create_task(_watch(base_url, key, campaign["id"], received, stop))
    await asyncio.sleep(1)  # subscribed

    async def fail_over():
        await asyncio.sleep(BEFORE_STALL_SECONDS)
        receiver = await asyncio.to_thread(standby.freeze_receiver)
        timeline.stalled_at = time.monotonic()
        await asyncio.sleep(STALL_SECONDS)
        timeline.killed_at = time.monotonic()
        await asyncio.to_thread(primary.kill)
        await asyncio.to_thread(standby.lose_frozen_receiver, receiver)
        await asyncio.sleep(NO_PRIMARY_SECONDS)
        await asyncio.to_thread(standby.promote)
        timeline.promoted_at = time.monotonic()
        stop_at[0] = timeline.promoted_at + AFTER_PROMOTION_SECONDS

    await asyncio.gather(_drive(base_url, key, campaign["id"], customers, timeline, stop_at), fail_over())
    await asyncio.sleep(3)  # the last events reach the watcher
    stop.set()
    await watcher
    check = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "graphql_api.server.cli", "check"],
                                    env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    return timeline, received, check


def _verify(timeline: Timeline, received: list, check, standby, log: str) -> None:
    attempts = timeline.attempts
    strange = [attempt.other for attempt in attempts if attempt.other is not None]
    assert not strange, strange[:5]
    confirmed = {decode_id(attempt.usage_id, "DiscountUsage") for attempt in attempts if attempt.usage_id}
    stored = {row[0] for row in standby.query("SELECT id FROM discount_usages", "campaigns")}
    assert confirmed - stored == set(), "an apply the service confirmed is missing on the new primary"
    # A retry with the key of an apply that did commit is answered with that usage, so nothing is counted twice.
    assert len(confirmed) == len({attempt.index for attempt in attempts if attempt.usage_id})
    (used, total, usages, amounts), = standby.query(
        "SELECT c.used_budget, c.total_budget, count(u.id), coalesce(sum(u.discount_amount), 0) "
        "FROM campaigns c LEFT JOIN discount_usages u ON u.campaign_id = c.id GROUP BY c.id", "campaigns")
    assert used == amounts <= total and usages == len(stored) >= len(confirmed)
    assert check.returncode == 0, check.stdout + check.stderr
    # Synchronous: while the standby did not stream, no apply was confirmed (each commit waited for it).
    assert not [attempt for attempt in attempts if attempt.usage_id and attempt.started > timeline.stalled_at
                and attempt.ended < timeline.killed_at]

    unavailable = [attempt for attempt in attempts if attempt.unavailable]
    assert unavailable, "the applies in flight when the primary died should have been refused"
    assert all(attempt.ended >= timeline.killed_at for attempt in unavailable), "refused before the kill"
    last_refused_start = max(attempt.started for attempt in unavailable)
    assert last_refused_start <= timeline.promoted_at + RECOVERY_BOUND_SECONDS, log[-3000:]
    served_again = [attempt for attempt in attempts if attempt.usage_id and attempt.started > timeline.promoted_at]
    assert served_again, "the same server process should serve applies again after the promotion"
    first_after = min(attempt.ended for attempt in served_again) - timeline.promoted_at
    print(f"failover: {len(confirmed)} applies confirmed, {len(unavailable)} refused with SERVICE_UNAVAILABLE "
          f"(the last started {last_refused_start - timeline.promoted_at:+.2f} s from the promotion); "
          f"first apply served {first_after:.2f} s after the promotion")

    # The live listener found the new primary: events after the promotion, the last one the final state.
    assert any(at > timeline.promoted_at for at, _ in received), "no budget event after the failover"
    assert Decimal(received[-1][1]) == used
