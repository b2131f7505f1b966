"""Campaign.stats through the API: net of reversals, business days across a
daylight-saving change, the burn rate and projected exhaustion on a
controlled clock, roles, and a constant number of statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from graphql_api.server.app import create_app

from ..support import GraphQLClient, apply, create_campaign, create_customer, iso

STATS = """query($id: ID!, $days: Int) { campaign(id: $id) { stats {
  usageCount uniqueCustomers totalDiscount averageDiscount burnRatePerHour projectedExhaustionAt
  byDay(days: $days) { date usageCount totalDiscount } } } }"""
REVERSE = """mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) { userErrors { code } } }"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def stats(gql, campaign, days=3):
    return gql(STATS, {"id": campaign["id"], "days": days})["campaign"]["stats"]


@pytest.fixture
def berlin(settings, database, clock, client_for):
    zoned = replace(settings, business_timezone=ZoneInfo("Europe/Berlin"))
    return GraphQLClient(client_for(create_app(zoned, database=database, clock=clock)))


def test_a_new_campaign_has_zero_figures(gql, clock):
    campaign = create_campaign(gql)
    assert stats(gql, campaign, days=2) == {
        "usageCount": 0, "uniqueCustomers": 0, "totalDiscount": "0.00", "averageDiscount": "0.00",
        "burnRatePerHour": "0.00", "projectedExhaustionAt": None,
        "byDay": [{"date": "2026-06-14", "usageCount": 0, "totalDiscount": "0.00"},
                  {"date": "2026-06-15", "usageCount": 0, "totalDiscount": "0.00"}]}


def test_business_days_across_the_autumn_clock_change_each_appear_once(berlin, clock):
    # Berlin leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC): that day has 25 hours.
    clock.set(utc(2026, 10, 23, 12))
    alice, bob = create_customer(berlin), create_customer(berlin)
    campaign = create_campaign(berlin, discountFlat="10", discountPercentage=..., maxUsagePerCustomerPerDay=5,
                               startDate=iso(utc(2026, 10, 1)), endDate=iso(utc(2026, 12, 1)))
    used = {}
    for moment, who in ((utc(2026, 10, 24, 21, 59), alice),   # 23:59 on the 24th, summer time
                        (utc(2026, 10, 24, 22, 0), alice),    # 00:00 on the 25th
                        (utc(2026, 10, 25, 22, 59), bob),     # 23:59 on the 25th, winter time
                        (utc(2026, 10, 25, 23, 0), bob)):     # 00:00 on the 26th
        clock.set(moment)
        used[moment] = apply(berlin, campaign["id"], who["id"])["usage"]["id"]
    clock.set(utc(2026, 10, 26, 12))
    figures = stats(berlin, campaign, days=4)
    assert figures["byDay"] == [
        {"date": "2026-10-23", "usageCount": 0, "totalDiscount": "0.00"},
        {"date": "2026-10-24", "usageCount": 1, "totalDiscount": "10.00"},
        {"date": "2026-10-25", "usageCount": 2, "totalDiscount": "20.00"},
        {"date": "2026-10-26", "usageCount": 1, "totalDiscount": "10.00"},
    ]
    assert (figures["usageCount"], figures["uniqueCustomers"], figures["totalDiscount"]) == (4, 2, "40.00")

    # Net of reversals, on the day the discount was given; a full reversal counts on no day.
    berlin(REVERSE, {"i": {"usageId": used[utc(2026, 10, 24, 22, 0)], "amount": "2.50", "reason": "r"}})
    berlin(REVERSE, {"i": {"usageId": used[utc(2026, 10, 25, 23, 0)], "reason": "r"}})
    figures = stats(berlin, campaign, days=4)
    assert [(d["usageCount"], d["totalDiscount"]) for d in figures["byDay"]] == \
        [(0, "0.00"), (1, "10.00"), (2, "17.50"), (0, "0.00")]
    assert (figures["usageCount"], figures["uniqueCustomers"], figures["totalDiscount"],
            figures["averageDiscount"]) == (3, 2, "27.50", "9.17")


def test_burn_rate_and_projected_exhaustion_follow_the_clock(gql, clock):
    customer = create_customer(gql)
    campaign = create_campaign(gql, discountFlat="25", discountPercentage=..., totalBudget="1000",
                               maxUsagePerCustomerPerDay=10, endDate=iso(clock.now + timedelta(days=2)))
    start = clock.now
    for minutes in (0, 20, 40):  # 75.00 within the hour
        clock.set(start + timedelta(minutes=minutes))
        apply(gql, campaign["id"], customer["id"])
    clock.set(start + timedelta(minutes=50))
    figures = stats(gql, campaign)
    assert figures["burnRatePerHour"] == "75.00"
    # 925.00 left at 75.00 an hour: 12 h 20 min from now.
    assert figures["projectedExhaustionAt"] == (clock.now + timedelta(hours=12, minutes=20)).isoformat()

    clock.set(start + timedelta(minutes=61))  # the first usage has left the hour
    assert stats(gql, campaign)["burnRatePerHour"] == "50.00"
    clock.set(start + timedelta(hours=2))
    assert stats(gql, campaign)["burnRatePerHour"] == "0.00"
    assert stats(gql, campaign)["projectedExhaustionAt"] is None


def test_no_projection_when_the_campaign_ends_first(gql, clock):
    customer = create_customer(gql)
    campaign = create_campaign(gql, discountFlat="1", discountPercentage=..., totalBudget="1000",
                               endDate=iso(clock.now + timedelta(hours=5)))
    apply(gql, campaign["id"], customer["id"])  # 999.00 left at 1.00 an hour
    assert stats(gql, campaign)["projectedExhaustionAt"] is None


@pytest.mark.parametrize("days", [0, 367, -1])
def test_days_out_of_range_are_refused(gql, days):
    campaign = create_campaign(gql)
    refused = gql.error(STATS, {"id": campaign["id"], "days": days})
    assert refused.codes == ["INVALID_INPUT"] and refused.errors[0]["extensions"]["field"] == ["days"]


def test_366_days_is_the_longest_window(gql):
    campaign = create_campaign(gql)
    assert len(stats(gql, campaign, days=366)["byDay"]) == 366


def test_checkout_keys_may_not_read_stats(gql, app, client_for, checkout_key):
    campaign = create_campaign(gql)
    checkout = GraphQLClient(client_for(app, checkout_key))
    assert checkout.error(STATS, {"id": campaign["id"]}).codes == ["FORBIDDEN"]


def test_stats_of_many_campaigns_cost_a_constant_number_of_statements(gql, sql_counter, clock):
    query = """{ campaigns(first: 50) { nodes { stats { usageCount uniqueCustomers totalDiscount averageDiscount
        burnRatePerHour projectedExhaustionAt byDay(days: 30) { date usageCount totalDiscount } } } } }"""

    def add(count):
        customers = [create_customer(gql)["id"] for _ in range(3)]
        for _ in range(count):
            campaign = create_campaign(gql, maxUsagePerCustomerPerDay=10)
            for customer in customers:
                apply(gql, campaign["id"], customer)

    def statements():
        sql_counter.reset()
        gql(query)
        return sql_counter.count

    add(2)
    few = statements()
    add(20)
    assert statements() == few == 3  # the campaigns page, the aggregates, the days
