"""The key cache and the failed-attempt throttle: an expiring entry under load
costs one lookup, unknown key ids are cached too, and a client out of
attempts is refused before any database work."""

import asyncio
import secrets

import pytest
from sqlalchemy import text

from graphql_api.access.authenticator import Authenticator, Throttled, Unauthenticated
from graphql_api.access.ratelimit import BucketLimits, MemoryBuckets

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


def test_a_valid_key_is_never_charged_an_attempt(database, admin_key):
    keys = authenticator(database, limits=BucketLimits(capacity=2, restore_rate=0.001), cache_seconds=0)

    async def scenario():
        for _ in range(10):  # each a fresh lookup (no cache), none charged
            await keys.authenticate(f"Bearer {admin_key}", CLIENT)
        for _ in range(2):  # the two failed attempts this client has
            with pytest.raises(Unauthenticated):
                await keys.authenticate(f"Bearer {random_key()}", CLIENT)
        # Out of attempts, even a valid key's lookup waits: no database work for this client.
        with pytest.raises(Throttled):
            await keys.authenticate(f"Bearer {admin_key}", CLIENT)

    asyncio.run(scenario())


class UnreachableDatabase:
    async def read(self, work, *args):
        from graphql_api.db.database import DatabaseUnavailable

        raise DatabaseUnavailable("DATABASE_UNREACHABLE", "The database is unavailable; retry shortly.")


def test_an_attempt_the_database_could_not_answer_is_not_charged(admin_key):
    from graphql_api.db.database import DatabaseUnavailable

    keys = authenticator(UnreachableDatabase(), limits=BucketLimits(capacity=3, restore_rate=0.001),
                         cache_seconds=5)

    async def during_an_outage():
        for _ in range(20):  # a 503 each time, never a 429
            with pytest.raises(DatabaseUnavailable):
                await keys.authenticate(f"Bearer {admin_key}", CLIENT)

    asyncio.run(during_an_outage())


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


def test_refusing_an_unknown_id_does_the_same_work_as_refusing_a_wrong_secret(database, admin_key, monkeypatch):
    """Finding 9: the same lookups and the same hashing either way, so the
    time to refuse does not tell whether a key id exists."""
    import graphql_api.access.authenticator as authenticator_module

    hashed = []
    real = authenticator_module.secret_matches
    monkeypatch.setattr(authenticator_module, "secret_matches",
                        lambda record, secret: hashed.append(secret) or real(record, secret))
    public_id = admin_key.split("_")[1]
    work = {}
    for name, key in {"unknown id": random_key(),
                      "wrong secret": f"csk_{public_id}_{secrets.token_urlsafe(32)}"}.items():
        counting = CountingDatabase(database)
        keys = authenticator(counting, cache_seconds=5)
        hashed.clear()
        for _ in range(3):  # the first attempt looks the id up, the others use the cache
            with pytest.raises(Unauthenticated):
                asyncio.run(keys.authenticate(f"Bearer {key}", CLIENT))
        work[name] = (counting.reads, len(hashed))
    assert work["unknown id"] == work["wrong secret"] == (1, 3)
