"""The key cache: when an entry expires under load, the requests in flight
share one database lookup."""

import asyncio

from graphql_api.access.authenticator import Authenticator


class CountingDatabase:
    """The real database, counting the units of work handed to it."""

    def __init__(self, database):
        self.database = database
        self.reads = 0

    async def read(self, work, *args):
        self.reads += 1
        return await self.database.read(work, *args)


def test_concurrent_requests_share_one_key_lookup_when_the_cache_expires(database, admin_key):
    counting = CountingDatabase(database)
    now = [0.0]
    authenticator = Authenticator(counting, cache_seconds=5, clock=lambda: now[0])
    header = f"Bearer {admin_key}"

    async def twenty_at_once():
        return await asyncio.gather(*[authenticator.authenticate(header) for _ in range(20)])

    first = asyncio.run(twenty_at_once())
    assert counting.reads == 1 and {caller.public_id for caller in first} == {first[0].public_id}
    asyncio.run(twenty_at_once())
    assert counting.reads == 1  # cached
    now[0] = 6.0  # expired
    asyncio.run(twenty_at_once())
    assert counting.reads == 2


def test_a_caller_that_gives_up_does_not_cancel_the_shared_lookup(database, admin_key):
    counting = CountingDatabase(database)
    authenticator = Authenticator(counting, cache_seconds=5)
    header = f"Bearer {admin_key}"

    async def one_gives_up():
        impatient = asyncio.ensure_future(authenticator.authenticate(header))
        patient = asyncio.ensure_future(authenticator.authenticate(header))
        await asyncio.sleep(0)
        impatient.cancel()
        return await patient

    assert asyncio.run(one_gives_up()).role is not None
    assert counting.reads == 1
