"""The daily limit counts the calendar day in BUSINESS_TIMEZONE, across
midnight and across daylight-saving changes, driven by the service's clock."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from graphql_api.server.app import create_app

from ..support import GraphQLClient, apply, create_campaign, create_customer, iso


@pytest.fixture
def zoned_gql(settings, database, clock, request, client_for):
    zoned = replace(settings, business_timezone=ZoneInfo(request.param))
    return GraphQLClient(client_for(create_app(zoned, database=database, clock=clock)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def setup_campaign(gql, clock):
    customer = create_customer(gql)
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=1,
                               startDate=iso(clock.now - timedelta(days=30)), endDate=iso(clock.now + timedelta(days=30)))
    return customer["id"], campaign["id"]


def outcome(gql, campaign_id, customer_id):
    payload = apply(gql, campaign_id, customer_id)
    return "OK" if payload["usage"] else payload["userErrors"][0]["code"]


@pytest.mark.parametrize("zoned_gql", ["Europe/Berlin"], indirect=True)
def test_midnight_in_the_business_zone_not_in_utc(zoned_gql, clock):
    # Berlin is UTC+2 in June: local midnight is 22:00 UTC.
    clock.set(utc(2026, 6, 15, 21, 59, 59))
    customer, campaign = setup_campaign(zoned_gql, clock)
    assert outcome(zoned_gql, campaign, customer) == "OK"             # 23:59:59 on the 15th in Berlin
    assert outcome(zoned_gql, campaign, customer) == "DAILY_LIMIT_REACHED"
    clock.set(utc(2026, 6, 15, 22, 0, 0))                               # 00:00 on the 16th in Berlin
    assert outcome(zoned_gql, campaign, customer) == "OK"
    clock.set(utc(2026, 6, 16, 0, 30))                                  # UTC midnight passed, Berlin did not
    assert outcome(zoned_gql, campaign, customer) == "DAILY_LIMIT_REACHED"


@pytest.mark.parametrize("zoned_gql", ["America/New_York"], indirect=True)
def test_the_day_daylight_saving_starts_is_one_business_day(zoned_gql, clock):
    # 8 March 2026 in New York runs from 05:00 UTC to 04:00 UTC next day (23 hours).
    clock.set(utc(2026, 3, 8, 5, 0))
    customer, campaign = setup_campaign(zoned_gql, clock)
    assert outcome(zoned_gql, campaign, customer) == "OK"
    clock.set(utc(2026, 3, 9, 3, 59, 59))                               # 23:59:59 EDT, same day
    assert outcome(zoned_gql, campaign, customer) == "DAILY_LIMIT_REACHED"
    clock.set(utc(2026, 3, 9, 4, 0))                                    # midnight EDT: a new day
    assert outcome(zoned_gql, campaign, customer) == "OK"


@pytest.mark.parametrize("zoned_gql", ["America/New_York"], indirect=True)
def test_the_day_daylight_saving_ends_is_one_business_day(zoned_gql, clock):
    # 1 November 2026 in New York runs from 04:00 UTC to 05:00 UTC next day (25 hours).
    clock.set(utc(2026, 11, 1, 4, 0))
    customer, campaign = setup_campaign(zoned_gql, clock)
    assert outcome(zoned_gql, campaign, customer) == "OK"
    clock.set(utc(2026, 11, 2, 4, 59, 59))                              # 23:59:59 EST, 25 hours later
    assert outcome(zoned_gql, campaign, customer) == "DAILY_LIMIT_REACHED"
    clock.set(utc(2026, 11, 2, 5, 0))
    assert outcome(zoned_gql, campaign, customer) == "OK"


@pytest.mark.parametrize("zoned_gql", ["Asia/Kolkata"], indirect=True)
def test_offers_follow_the_same_business_day(zoned_gql, clock):
    clock.set(utc(2026, 6, 15, 18, 29))                                 # 23:59 in India
    customer, campaign = setup_campaign(zoned_gql, clock)
    assert outcome(zoned_gql, campaign, customer) == "OK"
    query = 'query($c: ID!) { availableDiscounts(input: {customerId: $c, cartValue: "600"}) { cartDiscounts { discountAmount } } }'
    assert zoned_gql(query, {"c": customer})["availableDiscounts"]["cartDiscounts"] == []
    clock.set(utc(2026, 6, 15, 18, 30))                                 # 00:00 in India
    assert len(zoned_gql(query, {"c": customer})["availableDiscounts"]["cartDiscounts"]) == 1
