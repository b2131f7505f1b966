"""The cap on requests in flight (graphql_api/server/admission.py), with a real
server: one request held inside a row lock fills the only slot; what comes
next waits its turn, or is turned away with 503 OVERLOADED, and health checks
are never held up."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from graphql_api.server.admission import Slots
from graphql_api.graphql.ids import decode_id

from ..api.test_contention import wait_for_blocked_service_backend
from ..servers import start_server, stop_server
from ..support import APPLY, AVAILABLE
from .load import api_client, apply_input, make_campaign, make_customers

pytestmark = pytest.mark.concurrency


@pytest.fixture
def start(database_url):
    started = []

    def start_with(**env):
        process, base_url = start_server(database_url, MAX_IN_FLIGHT_REQUESTS="1", DB_LOCK_TIMEOUT_MS="30000", **env)
        started.append(process)
        return base_url

    yield start_with
    for process in started:
        stop_server(process)


async def hold_the_only_slot(client, admin_engine, campaign, customer):
    """An apply that waits on a row lock the test holds; returns (holder, task)."""
    holder = admin_engine.connect()
    holder.begin()
    holder.execute(text("SELECT 1 FROM campaigns WHERE id = :id FOR UPDATE"),
                   {"id": decode_id(campaign["id"], "Campaign")})
    task = asyncio.create_task(client.post("/graphql", json={"query": APPLY,
                                                             "variables": apply_input(campaign["id"], customer)}))
    await asyncio.to_thread(wait_for_blocked_service_backend, admin_engine)
    return holder, task


def usage_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM discount_usages")).scalar()


def test_requests_past_the_cap_wait_their_turn(start, admin_engine, admin_key):
    base_url = start(QUEUE_TIMEOUT_SECONDS="60")

    async def scenario():
        async with api_client(base_url, admin_key) as client:
            customers = await make_customers(client, 2, "queue")
            locked = await make_campaign(client, name="locked")
            free = await make_campaign(client, name="free")
            holder, first = await hold_the_only_slot(client, admin_engine, locked, customers[0])
            # Without the cap this apply (another campaign, no lock in its way) would finish at once.
            second = asyncio.create_task(client.post("/graphql", json={
                "query": APPLY, "variables": apply_input(free["id"], customers[1])}))
            await asyncio.sleep(1.0)
            waited = not second.done() and not first.done()
            usages_while_waiting = await asyncio.to_thread(usage_count, admin_engine)
            health = await client.get("/health")
            holder.rollback()
            holder.close()
            return waited, usages_while_waiting, health, await first, await second

    waited, usages_while_waiting, health, first, second = asyncio.run(scenario())
    assert waited and usages_while_waiting == 0
    assert health.status_code == 200  # not behind the queue
    for response in (first, second):
        assert response.status_code == 200
        assert response.json()["data"]["applyDiscount"]["userErrors"] == []
    assert usage_count(admin_engine) == 2


@pytest.mark.parametrize("limits", [
    {"QUEUE_TIMEOUT_SECONDS": "0.5"},  # waited too long
    {"MAX_QUEUED_REQUESTS": "0", "QUEUE_TIMEOUT_SECONDS": "60"},  # no room to wait at all
])
def test_past_the_queue_a_request_is_turned_away_and_changes_nothing(start, admin_engine, admin_key, limits):
    base_url = start(**limits)

    async def scenario():
        async with api_client(base_url, admin_key) as client:
            # one at a time: with no room to wait, concurrent set-up would be turned away too
            customers = [*await make_customers(client, 1, "shed-a"), *await make_customers(client, 1, "shed-b")]
            locked = await make_campaign(client, name="locked")
            free = await make_campaign(client, name="free")
            holder, first = await hold_the_only_slot(client, admin_engine, locked, customers[0])
            turned_away = [
                await client.post("/graphql", json={"query": APPLY, "variables": apply_input(free["id"], customers[1])}),
                await client.post("/graphql", json={"query": AVAILABLE, "variables": {
                    "input": {"customerId": customers[1], "cartValue": "600", "deliveryCharge": "80"}}}),
            ]
            still_holding = not first.done()
            metrics = await client.get("/metrics")
            holder.rollback()
            holder.close()
            return turned_away, still_holding, metrics, await first

    turned_away, still_holding, metrics, first = asyncio.run(scenario())
    assert still_holding
    for response in turned_away:
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "reason": "OVERLOADED"}
        assert "capacity" in error["message"]
    assert "campaign_graphql_requests_turned_away_total 2.0" in metrics.text
    assert "campaign_graphql_requests_in_flight 1.0" in metrics.text
    # The held request was unaffected; the turned-away apply wrote nothing.
    assert first.json()["data"]["applyDiscount"]["userErrors"] == []
    assert usage_count(admin_engine) == 1


def test_the_cap_defaults_to_the_pool_size():
    from graphql_api.settings import Settings

    assert Settings.from_env({"DB_POOL_SIZE": "7"}).in_flight_limit == 7
    assert Settings.from_env({"DB_POOL_SIZE": "7", "MAX_IN_FLIGHT_REQUESTS": "3"}).in_flight_limit == 3
    with pytest.raises(ValueError, match="MAX_IN_FLIGHT_REQUESTS"):
        Settings.from_env({"MAX_IN_FLIGHT_REQUESTS": "0"})



class TestSlots:
    """The queue itself (admission.Slots), on one event loop."""

    def run(self, scenario):
        return asyncio.run(asyncio.wait_for(scenario(), 5))

    def test_waiters_get_freed_slots_in_arrival_order(self):
        async def scenario():
            slots = Slots(1)
            assert slots.take_now() and not slots.take_now()
            order = []

            async def wait(name):
                assert await slots.take(5)
                order.append(name)

            waiters = [asyncio.create_task(wait(name)) for name in "abc"]
            await asyncio.sleep(0)
            for _ in waiters:
                slots.release()
                await asyncio.sleep(0.01)
            await asyncio.gather(*waiters)
            slots.release()
            return order, slots.free, len(slots.waiters)

        assert self.run(scenario) == (list("abc"), 1, 0)

    def test_a_waiter_gives_up_after_its_timeout_and_leaves_the_queue(self):
        async def scenario():
            slots = Slots(1)
            slots.take_now()
            got = await slots.take(0.05)
            queued = len(slots.waiters)
            slots.release()
            return got, queued, slots.free

        assert self.run(scenario) == (False, 0, 1)

    def test_a_cancelled_waiter_leaves_the_queue(self):
        async def scenario():
            slots = Slots(1)
            slots.take_now()
            waiter = asyncio.create_task(slots.take(5))
            await asyncio.sleep(0.01)
            waiter.cancel()
            await asyncio.gather(waiter, return_exceptions=True)
            queued = len(slots.waiters)
            slots.release()
            return queued, slots.free

        assert self.run(scenario) == (0, 1)

    def test_a_slot_handed_to_a_waiter_cancelled_in_the_same_turn_goes_to_the_next(self):
        async def scenario():
            slots = Slots(1)
            slots.take_now()
            first = asyncio.create_task(slots.take(5))
            second = asyncio.create_task(slots.take(5))
            await asyncio.sleep(0.01)
            slots.release()  # hands the slot to `first` ...
            first.cancel()  # ... which is cancelled before it runs again
            [cancelled] = await asyncio.gather(first, return_exceptions=True)
            got = await second
            return isinstance(cancelled, asyncio.CancelledError), got, slots.free, len(slots.waiters)

        assert self.run(scenario) == (True, True, 0, 0)
