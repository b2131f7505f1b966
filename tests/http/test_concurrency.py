"""Concurrency claims, proven with real concurrent HTTP requests against a
served app and checked against what PostgreSQL committed."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import text

from graphql_api.graphql.ids import decode_id

from ..api.test_contention import wait_for_blocked_service_backend
from ..support import APPLY, AVAILABLE, UPDATE_CAMPAIGN
from .load import api_client, apply_all, apply_input, ledger, make_campaign, make_customers, outcome, post

pytestmark = pytest.mark.concurrency

def test_a_hundred_concurrent_requests_all_complete(server, admin_key):
    """More requests than pool connections, each needing several database
    hops (page, targets loader): none may wait forever for a connection."""

    async def scenario():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 5, "hundred")
            for index in range(10):
                await make_campaign(client, name=f"c{index}", isTargeted=True, targetCustomerIds=customers)
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=100)
        async with api_client(server, admin_key, limits=limits) as client:
            listing = "{ campaigns(first: 50) { nodes { id targetCustomers { id email } } } }"
            checkout = {"input": {"customerId": customers[0], "cartValue": "600", "deliveryCharge": "80"}}
            requests = [post(client, listing, {}) if n % 2 else post(client, AVAILABLE, checkout) for n in range(100)]
            return await asyncio.gather(*requests)

    results = asyncio.run(scenario())
    assert len(results) == 100
    listings = [r for r in results if "campaigns" in r]
    assert len(listings) == 50 and all(len(r["campaigns"]["nodes"]) == 10 for r in listings)
    assert all(len(r["availableDiscounts"]["cartDiscounts"]) == 10 for r in results if "availableDiscounts" in r)


def test_budget_for_exactly_fifty_under_two_hundred_concurrent_applies(server, admin_engine, admin_key):
    async def scenario():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 100, "budget")
            campaign = await make_campaign(client, discountPercentage=..., discountFlat="10.00", totalBudget="500",
                                           maxUsagePerCustomerPerDay=5)
        inputs = [apply_input(campaign["id"], customers[n % 100]) for n in range(200)]
        return await apply_all([server], admin_key, inputs, clients=40)

    outcomes = Counter(outcome(p) for p in asyncio.run(scenario()))
    assert outcomes == {"OK": 50, "BUDGET_EXHAUSTED": 150}
    [(_, used, total, usage_sum, usages)] = ledger(admin_engine)
    assert used == total == usage_sum == Decimal("500.00") and usages == 50


def test_daily_limit_holds_under_twenty_concurrent_applies(server, admin_engine, admin_key):
    async def scenario():
        async with api_client(server, admin_key) as client:
            [customer] = await make_customers(client, 1, "daily")
            campaign = await make_campaign(client, maxUsagePerCustomerPerDay=2)
        return await apply_all([server], admin_key, [apply_input(campaign["id"], customer)] * 20, clients=20)

    outcomes = Counter(outcome(p) for p in asyncio.run(scenario()))
    assert outcomes == {"OK": 2, "DAILY_LIMIT_REACHED": 18}
    [(_, used, _, usage_sum, usages)] = ledger(admin_engine)
    assert usages == 2 and used == usage_sum == Decimal("120.00")


def test_twenty_concurrent_retries_with_one_key_apply_once(server, admin_engine, admin_key):
    async def scenario():
        async with api_client(server, admin_key) as client:
            [customer] = await make_customers(client, 1, "retry")
            campaign = await make_campaign(client, maxUsagePerCustomerPerDay=50)
        inputs = [apply_input(campaign["id"], customer, idempotencyKey="order-42")] * 20
        return await apply_all([server], admin_key, inputs, clients=20)

    payloads = asyncio.run(scenario())
    assert all(p["userErrors"] == [] for p in payloads)
    assert len({p["usage"]["id"] for p in payloads}) == 1
    [(_, used, _, usage_sum, usages)] = ledger(admin_engine)
    assert usages == 1 and used == usage_sum == Decimal("60.00")


def test_one_key_raced_across_two_campaigns_applies_once(server, admin_engine, admin_key):
    """Different campaigns lock different rows, so only the unique key can stop
    the second insert; the loser must answer IDEMPOTENCY_KEY_REUSED, not 500."""

    async def scenario():
        async with api_client(server, admin_key) as client:
            [customer] = await make_customers(client, 1, "race")
            first = await make_campaign(client, name="first", maxUsagePerCustomerPerDay=50)
            second = await make_campaign(client, name="second", maxUsagePerCustomerPerDay=50)
        inputs = [apply_input((first if n % 2 else second)["id"], customer, idempotencyKey="shared") for n in range(20)]
        return await apply_all([server], admin_key, inputs, clients=20)

    payloads = asyncio.run(scenario())
    winners = {p["usage"]["id"] for p in payloads if p["usage"]}
    assert len(winners) == 1
    assert {outcome(p) for p in payloads} <= {"OK", "IDEMPOTENCY_KEY_REUSED"}
    assert sum(row.usages for row in ledger(admin_engine)) == 1
    assert all(row.used_budget == row.usage_sum for row in ledger(admin_engine))


def queued_behind_a_held_campaign_lock(admin_engine, campaign_id, *queued):
    """Starts each of `queued` (coroutine factories) in turn, each once the
    ones before it wait on the campaign's row lock, which the test holds;
    then lets them go in that order and returns what they answered."""

    async def scenario():
        holder = admin_engine.connect()
        holder.begin()
        holder.execute(text("SELECT 1 FROM campaigns WHERE id = :id FOR UPDATE"),
                       {"id": decode_id(campaign_id, "Campaign")})
        tasks = []
        try:
            for count, start in enumerate(queued, 1):
                tasks.append(asyncio.create_task(start()))
                await asyncio.to_thread(wait_for_blocked_service_backend, admin_engine, count=count)
        finally:
            holder.rollback()
            holder.close()
        return [await task for task in tasks]

    return asyncio.run(scenario())


def test_an_edit_committed_while_an_apply_waits_for_the_lock_decides_the_apply(server, admin_engine, admin_key):
    """The apply decides on an unlocked read, then waits for the campaign's
    lock to record. An edit that commits meanwhile (here: the customer stops
    being a target) must be seen: the record is refused because the revision
    changed, and the standing is read again because the statement that waited
    reads it from a snapshot taken before the wait."""

    async def setup():
        async with api_client(server, admin_key) as client:
            customer, someone_else = await make_customers(client, 2, "edit")
            campaign = await make_campaign(client, isTargeted=True, targetCustomerIds=[someone_else, customer])
            return customer, someone_else, campaign

    customer, someone_else, campaign = asyncio.run(setup())

    async def edit():
        async with api_client(server, admin_key) as client:
            return await post(client, UPDATE_CAMPAIGN, {
                "id": campaign["id"], "input": {"targetCustomerIds": [someone_else]}})

    async def apply():
        async with api_client(server, admin_key) as client:
            return await post(client, APPLY, apply_input(campaign["id"], customer))

    edited, applied = queued_behind_a_held_campaign_lock(admin_engine, campaign["id"], edit, apply)
    assert edited["updateCampaign"]["userErrors"] == []
    assert [e["code"] for e in applied["applyDiscount"]["userErrors"]] == ["NOT_TARGETED"]
    [(_, used, _total, usage_sum, usages)] = ledger(admin_engine)
    assert used == usage_sum == Decimal("0.00") and usages == 0


def test_an_apply_that_finds_the_budget_spent_meanwhile_decides_again(server, admin_engine, admin_key):
    """Two applies both read 100.00 of budget left and decide on 60.00 each;
    the second to get the lock finds 40.00 left and must get 40.00."""

    async def setup():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 2, "race")
            campaign = await make_campaign(client, totalBudget="100")
            return customers, campaign

    customers, campaign = asyncio.run(setup())

    def apply_for(customer):
        async def apply():
            async with api_client(server, admin_key) as client:
                return await post(client, APPLY, apply_input(campaign["id"], customer))
        return apply

    answers = queued_behind_a_held_campaign_lock(admin_engine, campaign["id"], *map(apply_for, customers))
    assert all(answer["applyDiscount"]["userErrors"] == [] for answer in answers)
    assert sorted(answer["applyDiscount"]["usage"]["discountAmount"] for answer in answers) == ["40.00", "60.00"]
    [(_, used, total, usage_sum, usages)] = ledger(admin_engine)
    assert used == total == usage_sum == Decimal("100.00") and usages == 2
