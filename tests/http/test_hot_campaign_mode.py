"""Hot-campaign mode (`budgetSlots`): the budget lent out to slot rows.

The exactness tests of the budget, caps, codes, thresholds and reversals
are the other modules' own, collected here a second time with every
campaign they make at 16 slots (their own run is the 1-slot one); each ends
with `campaign-service check`, which checks the slots too. The tests below
are of what only this mode does: lending, an edit lending anew, leaving
the mode, and the live figures of a campaign whose applies touch no
campaign row."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import text

from graphql_api.graphql.ids import decode_id

from ..api.test_contention import wait_for_blocked_service_backend
from ..support import APPLY, UPDATE_CAMPAIGN
from . import load
from .load import CAMPAIGNS, api_client, apply_all, apply_input, make_campaign, make_customers, post
from .test_checkout_races import (  # noqa: F401 - collected again, at 16 slots
    run_check,
    test_caps_and_codes_hold_across_two_processes,
    test_checkouts_applies_and_edits_on_the_same_rows_never_deadlock,
    test_one_order_gets_one_discount_per_type_and_an_exclusive_one_alone,
)
# Not test_an_edit_committed_while_an_apply_waits_for_the_lock_decides_the_apply:
# in this mode the apply does not queue behind the campaign's lock (it
# commits before the waiting edit, which is as correct); its counterpart
# for this mode is below.
from .test_concurrency import (  # noqa: F401
    queued_behind_a_held_campaign_lock,
    test_an_apply_that_finds_the_budget_spent_meanwhile_decides_again,
    test_budget_for_exactly_fifty_under_two_hundred_concurrent_applies,
    test_daily_limit_holds_under_twenty_concurrent_applies,
    test_one_key_raced_across_two_campaigns_applies_once,
    test_twenty_concurrent_retries_with_one_key_apply_once,
)
from .test_ledger_races import (  # noqa: F401 - its two_servers and strict_servers fixtures too
    REVERSE,
    budget_events,
    campaign_events,
    campaign_row_id,
    strict_servers,
    two_servers,
    test_applies_checkouts_and_reversals_on_shared_rows_never_deadlock,
    test_one_refund_retried_twenty_times_at_once_is_one_reversal_and_nineteen_replays,
    test_one_usage_reversed_in_full_twenty_times_at_once_is_reversed_once,
    test_racing_applies_record_each_budget_threshold_once,
    test_reversals_free_budget_that_racing_applies_take,
)
from .test_subscriptions import watched_sale

pytestmark = pytest.mark.concurrency

SLOTS = 16


@pytest.fixture(autouse=True)
def sixteen_slots(monkeypatch):
    monkeypatch.setattr(load, "BUDGET_SLOTS", SLOTS)




UPDATE = """mutation($id: ID!, $input: UpdateCampaignInput!) {
  updateCampaign(id: $id, input: $input) { campaign { usedBudget totalBudget budgetSlots usageCount }
                                           userErrors { field code message } } }"""
CAMPAIGN = "query($id: ID!) { campaign(id: $id) { usedBudget remainingBudget usageCount budgetSlots status } }"


def slots(engine, name: str) -> list:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT s.slot, s.budget, s.uses FROM campaign_budget_slots s JOIN campaigns c ON c.id = s.campaign_id "
            "WHERE c.name = :name ORDER BY s.slot"), {"name": name}).all()


def figures(engine, name: str):
    with engine.connect() as connection:
        return connection.execute(text(
            f"SELECT c.used_budget, c.usage_count FROM {CAMPAIGNS} c WHERE c.name = :name"), {"name": name}).one()


def test_a_new_campaign_lends_up_to_its_first_threshold_and_applies_spend_from_the_slots(server, admin_key,
                                                                                        admin_engine, database_url):
    async def scenario():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 40, "lend")
            campaign = await make_campaign(client, name="lending", discountFlat="10", discountPercentage=...,
                                           totalBudget="1000", maxTotalUsage=45)
            lent = slots(admin_engine, "lending")
            results = await apply_all([server], admin_key, [apply_input(campaign["id"], c) for c in customers], 20)
            read = await post(client, CAMPAIGN, {"id": campaign["id"]})
            return campaign, lent, results, read["campaign"]

    _campaign, lent, results, read = asyncio.run(scenario())
    # 499.99 (a cent below the 50 % threshold) and the 45 uses, split over 16 slots.
    assert len(lent) == SLOTS
    assert sum(row.budget for row in lent) == Decimal("499.99")
    assert max(row.budget for row in lent) - min(row.budget for row in lent) <= Decimal("0.01")
    assert sum(row.uses for row in lent) == 45
    assert all(result["usage"] for result in results)
    assert read == {"usedBudget": "400.00", "remainingBudget": "600.00", "usageCount": 40, "budgetSlots": SLOTS,
                    "status": "ACTIVE"}
    assert figures(admin_engine, "lending") == (Decimal("400.00"), 40)
    assert run_check(database_url).returncode == 0


def test_an_edit_collects_the_slots_and_lends_again_and_one_slot_ends_the_mode(server, admin_key, admin_engine,
                                                                              database_url):
    async def scenario():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 10, "edit-slots")
            campaign = await make_campaign(client, name="edited slots", discountFlat="10", discountPercentage=...,
                                           totalBudget="1000")
            await apply_all([server], admin_key, [apply_input(campaign["id"], c) for c in customers], 5)
            too_low = await post(client, UPDATE, {"id": campaign["id"], "input": {"totalBudget": "99.99"}})
            refused = await post(client, UPDATE, {"id": campaign["id"], "input": {"budgetSlots": 65}})
            doubled = await post(client, UPDATE, {"id": campaign["id"], "input": {"totalBudget": "2000"}})
            lent_after_edit = slots(admin_engine, "edited slots")
            single = await post(client, UPDATE, {"id": campaign["id"], "input": {"budgetSlots": 1}})
            return too_low, refused, doubled, lent_after_edit, single

    too_low, refused, doubled, lent, single = asyncio.run(scenario())
    # The true used budget (100.00), not what the pool counts as lent, decides the check.
    assert too_low["updateCampaign"]["userErrors"] == [{
        "field": ["input", "totalBudget"], "code": "INVALID_INPUT",
        "message": "totalBudget may not be below the budget already used (100.00)."}]
    assert refused["updateCampaign"]["userErrors"][0]["field"] == ["input", "budgetSlots"]
    assert doubled["updateCampaign"]["campaign"] == {"usedBudget": "100.00", "totalBudget": "2000.00",
                                                     "budgetSlots": SLOTS, "usageCount": 10}
    # Lent anew against the new total: up to a cent below 50 % of 2000.
    assert sum(row.budget for row in lent) == Decimal("899.99")
    assert single["updateCampaign"]["campaign"] == {"usedBudget": "100.00", "totalBudget": "2000.00",
                                                    "budgetSlots": 1, "usageCount": 10}
    assert slots(admin_engine, "edited slots") == []
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT used_budget, usage_count FROM campaigns WHERE name = 'edited slots'")
                                  ).one() == (Decimal("100.00"), 10)
    assert run_check(database_url).returncode == 0


def test_a_subscriber_sees_the_true_budget_of_a_campaign_whose_applies_touch_only_slots(two_servers, admin_key,
                                                                                         admin_engine):
    """Events may come one for several applies that arrived together, but
    in order, never with a lent amount counted as used, the last one after
    the final commit, and each threshold once."""
    async def scenario():
        _campaign, socket, events = await watched_sale(two_servers, admin_key, "live slots")
        received = []
        while not received or received[-1]["payload"]["data"]["campaignBudget"]["usedBudget"] != "1000.00":
            try:
                received.append(await asyncio.wait_for(socket.receive(), 10))
            except TimeoutError:
                raise AssertionError(received[-3:])
        thresholds = [await events.receive()]
        await socket.connection.close()
        await events.connection.close()
        return received, thresholds

    received, thresholds = asyncio.run(scenario())
    used = [Decimal(message["payload"]["data"]["campaignBudget"]["usedBudget"]) for message in received]
    assert used == sorted(used) and used[-1] == Decimal("1000.00")
    assert all(amount % 10 == 0 for amount in used)
    assert figures(admin_engine, "live slots") == (Decimal("1000.00"), 100)
    assert thresholds == [{"type": "next", "id": "events", "payload": {"data": {"campaignEvents": {
        "kind": "BUDGET_THRESHOLD", "threshold": 50, "actor": None}}}}]


def test_an_edit_committed_while_an_apply_waits_for_the_slots_decides_the_apply(server, admin_engine, admin_key):
    """The test holds every slot of the campaign. The edit (the customer
    stops being a target) takes the campaign's lock and waits to collect the
    slots; the apply, decided on the read before the edit, finds no free
    slot and waits for the campaign's lock (shared, before it would wait
    for a slot). Once the edit commits, the
    apply must decide on what it committed: NOT_TARGETED, nothing spent."""
    async def setup():
        async with api_client(server, admin_key) as client:
            customer, someone_else = await make_customers(client, 2, "slot-edit")
            campaign = await make_campaign(client, name="slot edit", isTargeted=True,
                                           targetCustomerIds=[someone_else, customer])
            return customer, someone_else, campaign

    customer, someone_else, campaign = asyncio.run(setup())

    async def scenario():
        holder = admin_engine.connect()
        holder.begin()
        held = holder.execute(text("SELECT slot FROM campaign_budget_slots WHERE campaign_id = :id FOR UPDATE"),
                              {"id": decode_id(campaign["id"], "Campaign")}).all()
        try:
            async with api_client(server, admin_key) as client:
                edit = asyncio.create_task(post(client, UPDATE_CAMPAIGN, {
                    "id": campaign["id"], "input": {"targetCustomerIds": [someone_else]}}))
                await asyncio.to_thread(wait_for_blocked_service_backend, admin_engine, count=1)
                apply = asyncio.create_task(post(client, APPLY, apply_input(campaign["id"], customer)))
                await asyncio.to_thread(wait_for_blocked_service_backend, admin_engine, count=2)
                holder.rollback()
                return len(held), await edit, await apply
        finally:
            holder.close()

    held, edited, applied = asyncio.run(scenario())
    assert held == SLOTS
    assert edited["updateCampaign"]["userErrors"] == []
    assert [e["code"] for e in applied["applyDiscount"]["userErrors"]] == ["NOT_TARGETED"]
    assert figures(admin_engine, "slot edit") == (Decimal("0.00"), 0)


def test_an_apply_that_read_the_normal_mode_decides_on_the_slots_an_edit_just_lent_to(server, admin_engine,
                                                                                       admin_key, database_url):
    """The apply reads the campaign in the normal mode and waits for its
    lock behind an edit that switches it to 16 slots, lending them its one
    use. Under the lock the apply must collect those slots and decide on the
    true figures (one use left), not on the pool that counts it as lent."""
    async def setup():
        async with api_client(server, admin_key) as client:
            (customer,) = await make_customers(client, 1, "switch")
            campaign = await make_campaign(client, name="switched", maxTotalUsage=1, budgetSlots=1)
            return customer, campaign

    customer, campaign = asyncio.run(setup())

    async def edit():
        async with api_client(server, admin_key) as client:
            return await post(client, UPDATE, {"id": campaign["id"], "input": {"budgetSlots": SLOTS}})

    async def apply():
        async with api_client(server, admin_key) as client:
            return await post(client, APPLY, apply_input(campaign["id"], customer))

    edited, applied = queued_behind_a_held_campaign_lock(admin_engine, campaign["id"], edit, apply)
    assert edited["updateCampaign"]["userErrors"] == []
    assert applied["applyDiscount"]["userErrors"] == [] and applied["applyDiscount"]["usage"]
    assert figures(admin_engine, "switched") == (Decimal("60.00"), 1)
    assert run_check(database_url).returncode == 0


def test_a_reversal_gives_back_to_the_pool_and_collects_only_when_it_reopens_a_threshold(server, admin_engine,
                                                                                        admin_key, database_url):
    """60 applies of 10.00 on 1000.00: 50 % crossed, the slots lent up to
    799.99. Ten full reversals take it back to 500.00 without touching the
    slots (the applies spending from them go on); the eleventh, to 490.00,
    would leave the slots able to cross 50 % again unseen, so it collects
    and lends up to 499.99. Two more applies then cross 50 % again under the
    campaign's lock, and that crossing is recorded too."""
    async def scenario():
        async with api_client(server, admin_key) as client:
            customers = await make_customers(client, 62, "give-back")
            campaign = await make_campaign(client, name="given back", discountFlat="10", discountPercentage=...,
                                           totalBudget="1000", maxUsagePerCustomerPerDay=1000)
            applied = await apply_all([server], admin_key, [apply_input(campaign["id"], c) for c in customers[:60]],
                                      10)
            lent = slots(admin_engine, "given back")
            reversed_, seen = [], []
            for result in applied[:11]:
                answer = await post(client, REVERSE, {"input": {"usageId": result["usage"]["id"], "reason": "refund"}})
                reversed_.append(answer["reverseDiscountUsage"])
                seen.append((slots(admin_engine, "given back"), figures(admin_engine, "given back")))
            again = await apply_all([server], admin_key, [apply_input(campaign["id"], c) for c in customers[60:]], 1)
            return applied, lent, reversed_, seen, again

    applied, lent, reversed_, seen, again = asyncio.run(scenario())
    assert all(result["usage"] for result in applied + again)
    assert all(answer["userErrors"] == [] and answer["usage"]["isFullyReversed"] for answer in reversed_)
    assert sum(row.budget for row in lent) == Decimal("199.99")  # 799.99 lent at 500.00, 100.00 spent since
    for n, (now_lent, (used, count)) in enumerate(seen[:10], start=1):
        assert now_lent == lent, n  # the slots as they were
        assert (used, count) == (Decimal("600.00") - 10 * n, 60 - n)
    collected_lent, (used, count) = seen[10]
    assert (used, count) == (Decimal("490.00"), 49)
    assert sum(row.budget for row in collected_lent) == Decimal("9.99")  # up to a cent below 50 % again
    assert figures(admin_engine, "given back") == (Decimal("510.00"), 51)
    thresholds = [event for event in budget_events(campaign_events(admin_engine,
                                                                   campaign_row_id(admin_engine, "given back")))]
    assert thresholds == [("BUDGET_THRESHOLD", 50, None), ("BUDGET_THRESHOLD", 50, None)], thresholds
    assert run_check(database_url).returncode == 0
