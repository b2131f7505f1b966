"""The checkout's caps, codes and orders under real concurrent requests,
spread over two server processes on one database; then `campaign-service
check` finds the whole database consistent."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import text

from ..servers import started
from .load import (CAMPAIGNS, api_client, apply_all, apply_input, make_campaign, make_customers, outcome, post,
                   send_all)

pytestmark = pytest.mark.concurrency

ADD_CODES = "mutation($i: AddCouponCodesInput!) { addCouponCodes(input: $i) { addedCount userErrors { code } } }"
BEST = """mutation($input: ApplyBestDiscountsInput!) { applyBestDiscounts(input: $input) {
  checkout { usages { id discountType } } userErrors { code } } }"""


@pytest.fixture(scope="module")
def two_servers(database_url):
    with started(database_url, 2, DB_POOL_SIZE="4") as urls:
        yield urls


def usages(engine, where: str, **parameters) -> list:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT * FROM discount_usages WHERE {where}"), parameters).all()


def run_check(database_url) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "check"], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database_url}, timeout=120)


async def _setup(url, key, customers, **campaign):
    async with api_client(url, key) as client:
        made = await make_customers(client, customers, campaign.pop("prefix"))
        created = await make_campaign(client, **campaign)
        return made, created


def test_caps_and_codes_hold_across_two_processes(two_servers, admin_engine, admin_key, database_url):
    async def scenario():
        buyers, coded = await _setup(two_servers[0], admin_key, 300, prefix="race", name="one code",
                                     requiresCode=True, discountPercentage=..., discountFlat="5")
        async with api_client(two_servers[1], admin_key) as client:
            added = await post(client, ADD_CODES, {"i": {"campaignId": coded["id"], "codes": ["ONLY-ONCE"]}})
            assert added["addCouponCodes"]["addedCount"] == 1
            capped = await make_campaign(client, name="a hundred uses", maxTotalUsage=100, totalBudget="100000")
            lifetime = await make_campaign(client, name="three per customer", maxUsagePerCustomer=3,
                                           maxUsagePerCustomerPerDay=100)
        code_race = await apply_all(two_servers, admin_key, [
            apply_input(coded["id"], buyers[n], couponCode="only-once") for n in range(50)], clients=50)
        total_race = await apply_all(two_servers, admin_key, [
            apply_input(capped["id"], buyer) for buyer in buyers], clients=64)
        customer_race = await apply_all(two_servers, admin_key, [
            apply_input(lifetime["id"], buyers[0]) for _ in range(30)], clients=30)
        return coded, capped, lifetime, code_race, total_race, customer_race

    coded, capped, lifetime, code_race, total_race, customer_race = asyncio.run(scenario())
    assert Counter(map(outcome, code_race)) == {"OK": 1, "INVALID_COUPON_CODE": 49}
    assert Counter(map(outcome, total_race)) == {"OK": 100, "TOTAL_USAGE_LIMIT_REACHED": 200}
    assert Counter(map(outcome, customer_race)) == {"OK": 3, "CUSTOMER_LIMIT_REACHED": 27}
    with admin_engine.connect() as connection:
        counts = dict(connection.execute(text(f"SELECT name, usage_count FROM {CAMPAIGNS} c")).all())
        code = connection.execute(text("SELECT usage_count FROM coupon_codes WHERE code = 'ONLY-ONCE'")).scalar()
    assert counts == {"one code": 1, "a hundred uses": 100, "three per customer": 3} and code == 1
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_order_gets_one_discount_per_type_and_an_exclusive_one_alone(two_servers, admin_engine, admin_key,
                                                                         database_url):
    async def scenario():
        shoppers, cart = await _setup(two_servers[0], admin_key, 40, prefix="order", name="cart",
                                      maxUsagePerCustomerPerDay=100)
        async with api_client(two_servers[1], admin_key) as client:
            await make_campaign(client, name="delivery", discountType="DELIVERY", maxUsagePerCustomerPerDay=100)
            await make_campaign(client, name="second cart", discountPercentage="9", maxUsagePerCustomerPerDay=100)
            exclusive = await make_campaign(client, name="exclusive", exclusive=True, discountPercentage="5",
                                            maxUsagePerCustomerPerDay=100)
        best = await send_all(two_servers, admin_key, BEST, [
            {"input": {"customerId": shopper, "cartValue": "600", "deliveryCharge": "20",
                       "orderReference": "one-order"}} for shopper in shoppers], clients=40, field="applyBestDiscounts")
        # The exclusive campaign and another raced onto fresh orders, 20 times.
        raced = await apply_all(two_servers, admin_key, [
            apply_input(campaign_id, shoppers[n], orderReference=f"raced-{n}")
            for n in range(20) for campaign_id in (exclusive["id"], cart["id"])], clients=40)
        return best, raced

    best, raced = asyncio.run(scenario())
    assert sum(1 for result in best if result["checkout"]) == 1
    assert Counter(result["userErrors"][0]["code"] for result in best if not result["checkout"]) == \
        {"NO_DISCOUNT_APPLIES": 39}
    on_order = usages(admin_engine, "order_reference = 'one-order'")
    assert sorted(row.discount_type for row in on_order) == ["CART", "DELIVERY"]
    for n in range(20):
        pair = [outcome(raced[2 * n]), outcome(raced[2 * n + 1])]
        assert sorted(pair) == ["NOT_COMBINABLE", "OK"], pair
        assert len(usages(admin_engine, "order_reference = :ref", ref=f"raced-{n}")) == 1
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_checkouts_applies_and_edits_on_the_same_rows_never_deadlock(two_servers, admin_engine, admin_key,
                                                                     database_url):
    """applyBestDiscounts locks several campaigns, applyDiscount one, an edit
    one: in one order (customer, order, codes, campaigns by id), so that under
    contention every request ends with an answer, none with a deadlock."""
    update = "mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { campaign { id } } }"

    async def scenario():
        shoppers, first = await _setup(two_servers[0], admin_key, 20, prefix="lock", name="first",
                                       maxUsagePerCustomerPerDay=1000, requiresCode=True)
        async with api_client(two_servers[0], admin_key) as client:
            second = await make_campaign(client, name="second", discountType="DELIVERY", maxUsagePerCustomerPerDay=1000)
            codes = [f"LOCK-{n}" for n in range(20)]
            await post(client, ADD_CODES, {"i": {"campaignId": first["id"], "codes": codes, "usesPerCode": None}})
        jobs = []
        for n in range(120):
            shopper = shoppers[n % 20]
            if n % 3 == 0:
                jobs.append(send_all(two_servers, admin_key, BEST, [{"input": {
                    "customerId": shopper, "cartValue": "600", "deliveryCharge": "20", "orderReference": f"o-{n}",
                    "couponCodes": [f"LOCK-{n % 20}", f"LOCK-{(n + 1) % 20}"]}}], 1, "applyBestDiscounts"))
            elif n % 3 == 1:
                jobs.append(apply_all(two_servers, admin_key, [apply_input(first["id"], shopper,
                                                                           couponCode=f"LOCK-{n % 20}")], 1))
            else:
                jobs.append(send_all(two_servers, admin_key, update, [{"id": second["id"],
                                                                       "i": {"priority": n}}], 1, "updateCampaign"))
        return await asyncio.gather(*jobs)

    results = asyncio.run(scenario())  # post() asserts every answer is a 200 without top-level errors
    assert len(results) == 120
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr
