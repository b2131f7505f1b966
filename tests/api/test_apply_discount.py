from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from graphql_api.graphql.ids import encode_id

from ..support import APPLY, T0, apply, create_campaign, create_customer, iso, snapshot


@pytest.fixture
def customer(gql):
    return create_customer(gql)


def budget_state(engine, campaign_id):
    from graphql_api.graphql.ids import decode_id

    pk = decode_id(campaign_id, "Campaign")
    with engine.connect() as connection:
        used, total = connection.execute(text("SELECT used_budget, total_budget FROM campaigns WHERE id = :id"), {"id": pk}).one()
        usage_sum = connection.execute(
            text("SELECT coalesce(sum(discount_amount), 0) FROM discount_usages WHERE campaign_id = :id"), {"id": pk}
        ).scalar_one()
    return used, total, usage_sum


def test_apply_records_the_usage_and_spends_the_budget(gql, customer, admin_engine, clock):
    campaign = create_campaign(gql, discountPercentage="35")
    payload = apply(gql, campaign["id"], customer["id"], cart_value="600", deliveryCharge="80")
    assert payload["userErrors"] == []
    usage = payload["usage"]
    assert (usage["discountType"], usage["originalAmount"], usage["discountAmount"], usage["finalAmount"]) == (
        "CART", "600.00", "210.00", "390.00")
    assert usage["usedAt"] == iso(clock.now)
    assert usage["campaign"]["id"] == campaign["id"] and usage["customer"]["id"] == customer["id"]
    assert budget_state(admin_engine, campaign["id"]) == (Decimal("210.00"), Decimal("10000.00"), Decimal("210.00"))
    data = gql("query($id: ID!) { campaign(id: $id) { usedBudget remainingBudget } }", {"id": campaign["id"]})
    assert data["campaign"] == {"usedBudget": "210.00", "remainingBudget": "9790.00"}


def test_delivery_usage_amounts_are_on_the_delivery_charge(gql, customer):
    campaign = create_campaign(gql, discountType="DELIVERY", discountPercentage=..., discountFlat="100")
    usage = apply(gql, campaign["id"], customer["id"], cart_value="600", deliveryCharge="80")["usage"]
    assert (usage["originalAmount"], usage["discountAmount"], usage["finalAmount"]) == ("80.00", "80.00", "0.00")


def test_last_cents_of_budget(gql, customer, admin_engine):
    campaign = create_campaign(gql, discountPercentage=..., discountFlat="100", totalBudget="150",
                               maxUsagePerCustomerPerDay=5)
    assert apply(gql, campaign["id"], customer["id"])["usage"]["discountAmount"] == "100.00"
    assert apply(gql, campaign["id"], customer["id"])["usage"]["discountAmount"] == "50.00"
    refused = apply(gql, campaign["id"], customer["id"])
    assert refused["usage"] is None and refused["userErrors"][0]["code"] == "BUDGET_EXHAUSTED"
    assert budget_state(admin_engine, campaign["id"]) == (Decimal("150.00"), Decimal("150.00"), Decimal("150.00"))


@pytest.mark.parametrize(
    "campaign_overrides, cart, code, field",
    [
        ({"startDate": iso(T0 + timedelta(days=1)), "endDate": iso(T0 + timedelta(days=2))}, {}, "CAMPAIGN_NOT_ACTIVE", "campaignId"),
        ({"startDate": iso(T0 - timedelta(days=2)), "endDate": iso(T0 - timedelta(days=1))}, {}, "CAMPAIGN_NOT_ACTIVE", "campaignId"),
        ({"minCartValue": "600.01"}, {}, "MIN_CART_VALUE_NOT_MET", "cartValue"),
        ({"discountType": "DELIVERY"}, {"deliveryCharge": "0"}, "NOTHING_TO_DISCOUNT", "deliveryCharge"),
        ({}, {"cartValue": "0"}, "NOTHING_TO_DISCOUNT", "cartValue"),
    ],
)
def test_refusals_change_nothing(gql, customer, admin_engine, campaign_overrides, cart, code, field):
    campaign = create_campaign(gql, **campaign_overrides)
    before = snapshot(admin_engine)
    payload = apply(gql, campaign["id"], customer["id"], **({"cart_value": "600"} | {k if k != "cartValue" else "cart_value": v for k, v in cart.items()}))
    assert payload["usage"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, ["input", field])]
    assert snapshot(admin_engine) == before


def test_paused_campaign(gql, customer):
    campaign = create_campaign(gql)
    gql("mutation($id: ID!) { updateCampaign(id: $id, input: {active: false}) { userErrors { code } } }", {"id": campaign["id"]})
    assert apply(gql, campaign["id"], customer["id"])["userErrors"][0]["code"] == "CAMPAIGN_NOT_ACTIVE"


def test_not_targeted(gql, customer):
    target = create_customer(gql)
    campaign = create_campaign(gql, isTargeted=True, targetCustomerIds=[target["id"]])
    assert apply(gql, campaign["id"], customer["id"])["userErrors"][0]["code"] == "NOT_TARGETED"
    assert apply(gql, campaign["id"], target["id"])["userErrors"] == []


def test_daily_limit_resets_at_midnight_of_the_business_day(gql, customer, clock):
    clock.set(datetime(2026, 6, 15, 23, 59, 59, tzinfo=timezone.utc))
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=2)
    assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []
    assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []
    refused = apply(gql, campaign["id"], customer["id"])
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("DAILY_LIMIT_REACHED", ["input", "customerId"])]
    other_campaign = create_campaign(gql)
    assert apply(gql, other_campaign["id"], customer["id"])["userErrors"] == []  # the limit is per campaign
    clock.set(datetime(2026, 6, 16, 0, 0, tzinfo=timezone.utc))
    assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []


@pytest.mark.parametrize("campaign_id_kind, customer_id_kind, expected_fields", [
    ("missing", "ok", [["input", "campaignId"]]),
    ("wrong_type", "ok", [["input", "campaignId"]]),
    ("ok", "missing", [["input", "customerId"]]),
    ("ok", "wrong_type", [["input", "customerId"]]),
    ("missing", "missing", [["input", "campaignId"], ["input", "customerId"]]),
])
def test_unknown_ids_are_not_found(gql, customer, admin_engine, campaign_id_kind, customer_id_kind, expected_fields):
    campaign = create_campaign(gql)
    ids = {
        "campaign": {"ok": campaign["id"], "missing": encode_id("Campaign", 999), "wrong_type": customer["id"]},
        "customer": {"ok": customer["id"], "missing": encode_id("Customer", 999), "wrong_type": campaign["id"]},
    }
    before = snapshot(admin_engine)
    payload = apply(gql, ids["campaign"][campaign_id_kind], ids["customer"][customer_id_kind])
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_FOUND", f) for f in expected_fields]
    assert snapshot(admin_engine) == before


class TestIdempotency:
    def test_same_key_same_input_returns_the_first_usage(self, gql, customer, admin_engine, clock):
        campaign = create_campaign(gql, maxUsagePerCustomerPerDay=5)
        first = apply(gql, campaign["id"], customer["id"], cart_value="600", deliveryCharge="80", idempotencyKey="order-1")
        clock.advance(minutes=1)
        again = apply(gql, campaign["id"], customer["id"], cart_value=600, deliveryCharge="80.00", idempotencyKey="order-1")
        assert again == first
        assert budget_state(admin_engine, campaign["id"])[0] == Decimal("60.00")

    def test_same_key_different_input_is_refused(self, gql, customer, admin_engine):
        campaign = create_campaign(gql, maxUsagePerCustomerPerDay=5)
        apply(gql, campaign["id"], customer["id"], idempotencyKey="order-1")
        before = snapshot(admin_engine)
        for changed in ({"cart_value": "601"}, {"deliveryCharge": "1"}):
            payload = apply(gql, campaign["id"], customer["id"], idempotencyKey="order-1", **changed)
            assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
                ("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])]
        other = create_campaign(gql)
        before = snapshot(admin_engine)
        payload = apply(gql, other["id"], customer["id"], idempotencyKey="order-1")
        assert payload["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert snapshot(admin_engine) == before

    def test_a_refused_attempt_records_nothing_so_a_retry_is_judged_afresh(self, gql, customer):
        campaign = create_campaign(gql, minCartValue="500")
        refused = apply(gql, campaign["id"], customer["id"], cart_value="400", idempotencyKey="k")
        assert refused["userErrors"][0]["code"] == "MIN_CART_VALUE_NOT_MET"
        assert apply(gql, campaign["id"], customer["id"], cart_value="400", idempotencyKey="k")["userErrors"][0]["code"] == "MIN_CART_VALUE_NOT_MET"
        assert apply(gql, campaign["id"], customer["id"], cart_value="500", idempotencyKey="k")["userErrors"] == []

    @pytest.mark.parametrize("key", ["", "k" * 256])
    def test_key_length(self, gql, customer, key):
        campaign = create_campaign(gql)
        payload = apply(gql, campaign["id"], customer["id"], idempotencyKey=key)
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", ["input", "idempotencyKey"])]


def test_negative_amounts_are_user_errors(gql, customer, admin_engine):
    campaign = create_campaign(gql)
    before = snapshot(admin_engine)
    payload = gql(APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"],
                                    "cartValue": "-1", "deliveryCharge": "-2"}})["applyDiscount"]
    assert sorted(e["field"][1] for e in payload["userErrors"]) == ["cartValue", "deliveryCharge"]
    assert snapshot(admin_engine) == before
