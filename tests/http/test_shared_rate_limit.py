"""The cost bucket shared through Redis: a burst split across two server
processes drains one bucket, not two, and the refill restores it."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import httpx2
import pytest

from ..conftest import make_key
from ..servers import start_server, stop_server

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set: shared rate limits need a Redis server (.ci/run sets it)"
)

ONE_POINT = {"query": "{ campaigns(first: 1) { totalCount } }"}  # costs exactly 1
LIMITS = {"RATE_LIMIT_CAPACITY": "10", "RATE_LIMIT_RESTORE_RATE": "0.5"}


def burst(base_urls, key, count):
    headers = {"Authorization": f"Bearer {key}"}
    return [
        httpx2.post(f"{base_urls[n % len(base_urls)]}/graphql", json=ONE_POINT, headers=headers, timeout=30)
        for n in range(count)
    ]


def two_servers(database_url, **env):
    # A Redis call slower than REDIS_TIMEOUT_SECONDS (0.1 s) falls back to a
    # bucket of the process's own, which is not what these tests are about; on
    # a loaded CI machine that happened once (a refusal after the wait).
    started = [start_server(database_url, DB_POOL_SIZE="2", REDIS_TIMEOUT_SECONDS="2", **LIMITS, **env)
               for _ in range(2)]
    return [process for process, _ in started], [url for _, url in started]


def test_redis_buckets_take_and_give():
    from graphql_api.access.ratelimit import BucketLimits, RedisBuckets

    async def scenario():
        buckets = RedisBuckets(REDIS_URL)
        key, limits = f"test-{uuid.uuid4().hex}", BucketLimits(capacity=10, restore_rate=0.001)
        try:
            first = await buckets.take(key, 7, limits)
            refused = await buckets.take(key, 7, limits)
            after_refund = await buckets.give(key, 5, limits)
            second = await buckets.take(key, 7, limits)
        finally:
            await buckets.close()
        return first, refused, after_refund, second

    first, refused, after_refund, second = asyncio.run(scenario())
    assert first.allowed and 2.9 < first.available < 3.1
    assert not refused.allowed and refused.retry_after > 1000  # 4 points at 0.001 a second
    assert 7.9 < after_refund < 8.1
    assert second.allowed


def test_a_burst_across_two_processes_drains_one_shared_bucket(database_url):
    key = make_key(database_url, "checkout", "burst")
    processes, urls = two_servers(database_url, REDIS_URL=REDIS_URL)
    try:
        started = time.monotonic()
        responses = burst(urls, key, 30)
        elapsed = time.monotonic() - started
        allowed = [r for r in responses if r.status_code == 200]
        refused = [r for r in responses if r.status_code == 429]
        # 10 points, and what refilled at 0.5 a second while the burst ran (one more on a fast machine).
        refilled = int(elapsed * float(LIMITS["RATE_LIMIT_RESTORE_RATE"])) + 1
        assert 10 <= len(allowed) <= 10 + refilled and len(allowed) + len(refused) == 30
        assert {r.json()["errors"][0]["extensions"]["code"] for r in refused} == {"THROTTLED"}
        assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
        assert {urls[0], urls[1]} == {str(r.request.url).rsplit("/graphql", 1)[0] for r in allowed}

        time.sleep(int(refused[-1].headers["retry-after"]))
        assert burst(urls[1:], key, 1)[0].status_code == 200  # restored, and seen by the other process
    finally:
        for process in processes:
            stop_server(process)


def test_without_redis_each_process_has_its_own_bucket(database_url):
    """The contrast that shows why REDIS_URL matters with several processes."""
    key = make_key(database_url, "checkout", "burst-memory")
    processes, urls = two_servers(database_url, REDIS_URL="")
    try:
        allowed = sum(r.status_code == 200 for r in burst(urls, key, 30))
        assert allowed >= 20
    finally:
        for process in processes:
            stop_server(process)
