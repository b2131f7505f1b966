"""The key cache and the failed-attempt throttle: an expiring entry under load
costs one lookup, unknown key ids are cached too, and a client out of
attempts is refused before any database work."""

import asyncio
import secrets

import pytest
from sqlalchemy import text

from graphql_api.access.authenticator import Authenticator, Throttled, Unauthenticated
from graphql_api.ratelimit import BucketLimits, MemoryBuckets

CLIENT = "192.0.2.7"
GENEROUS = BucketLimits(capacity=1_000, restore_rate=1)


class CountingDatabase:
    """The real database, counting the key lookups handed to it."""

    def __init__(self, database):
        self.database = database
        self.lookups = 0
        self.reads = 0

    async def read(self, work, *args):
        self.reads += 1
        if work.__name__ == "key_by_public_id":
            self.lookups += 1
        return await self.database.read(work, *args)


def authenticator(database, limits=GENEROUS, **options) -> Authenticator:
    return Authenticator(database, buckets=MemoryBuckets(), failure_limits=limits, **options)


def random_key() -> str:
    return f"csk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def test_concurrent_requests_share_one_key_lookup_when_the_cache_expires(database, admin_key):
    counting = CountingDatabase(database)
    now = [0.0]
    keys = authenticator(counting, cache_seconds=5, clock=lambda: now[0])
    header = f"Bearer {admin_key}"

    async def twenty_at_once():
        return await asyncio.gather(*[keys.authenticate(header, CLIENT) for _ in range(20)])

    first = asyncio.run(twenty_at_once())
    assert counting.lookups == 1 and {caller.public_id for caller in first} == {first[0].public_id}
    asyncio.run(twenty_at_once())
    assert counting.lookups == 1  # cached
    now[0] = 6.0  # expired
    asyncio.run(twenty_at_once())
    assert counting.lookups == 2


def test_a_caller_that_gives_up_does_not_cancel_the_shared_lookup(database, admin_key):
    counting = CountingDatabase(database)
    keys = authenticator(counting, cache_seconds=5)
    header = f"Bearer {admin_key}"

    async def one_gives_up():
        impatient = asyncio.ensure_future(keys.authenticate(header, CLIENT))
        patient = asyncio.ensure_future(keys.authenticate(header, CLIENT))
        await asyncio.sleep(0)
        impatient.cancel()
        return await patient

    assert asyncio.run(one_gives_up()).role is not None
    assert counting.lookups == 1


def test_an_unknown_key_id_is_looked_up_once_while_cached(database):
    counting = CountingDatabase(database)
    keys = authenticator(counting, cache_seconds=5)
    unknown = random_key()

    async def three_times():
        for _ in range(3):
            with pytest.raises(Unauthenticated):
                await keys.authenticate(f"Bearer {unknown}", CLIENT)

    asyncio.run(three_times())
    assert counting.lookups == 1


def test_a_client_out_of_attempts_is_refused_before_any_database_work(database, admin_key):
    counting = CountingDatabase(database)
    keys = authenticator(counting, limits=BucketLimits(capacity=5, restore_rate=0.001), cache_seconds=5)

    async def guess(times):
        outcomes = []
        for _ in range(times):
            try:
                await keys.authenticate(f"Bearer {random_key()}", CLIENT)
            except (Unauthenticated, Throttled) as refusal:
                outcomes.append(type(refusal).__name__)
        return outcomes

    outcomes = asyncio.run(guess(20))
    assert outcomes == ["Unauthenticated"] * 5 + ["Throttled"] * 15
    assert counting.reads == 5  # one lookup per allowed attempt, none once throttled
    # Another client is not affected, and a valid key still works for it.
    assert asyncio.run(keys.authenticate(f"Bearer {admin_key}", "198.51.100.1")).role is not None


def test_a_valid_key_gives_its_attempt_back(database, admin_key):
    keys = authenticator(database, limits=BucketLimits(capacity=1, restore_rate=0.001), cache_seconds=0)

    async def many():
        for _ in range(5):  # each is a fresh lookup (no cache), each refunded
            await keys.authenticate(f"Bearer {admin_key}", CLIENT)

    asyncio.run(many())


def test_a_failed_attempt_does_not_touch_last_used_at(database, admin_engine, admin_key):
    public_id = admin_key.split("_")[1]
    with admin_engine.begin() as connection:
        connection.execute(text("UPDATE api_keys SET last_used_at = NULL WHERE public_id = :id"), {"id": public_id})
    wrong_secret = f"csk_{public_id}_{secrets.token_urlsafe(32)}"
    keys = authenticator(database, cache_seconds=0)
    with pytest.raises(Unauthenticated):
        asyncio.run(keys.authenticate(f"Bearer {wrong_secret}", CLIENT))
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT last_used_at FROM api_keys WHERE public_id = :id"),
                                  {"id": public_id}).scalar() is None
    asyncio.run(keys.authenticate(f"Bearer {admin_key}", CLIENT))
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT last_used_at FROM api_keys WHERE public_id = :id"),
                                  {"id": public_id}).scalar() is not None
