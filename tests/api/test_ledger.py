"""Reversals through the API: exactly the net amount, what a full reversal
frees and a partial one does not, replays, hostile input, roles, and the
append-only tables."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..support import USER_ERRORS, GraphQLClient, apply, create_campaign, create_customer, snapshot

REVERSE = f"""mutation($i: ReverseDiscountUsageInput!) {{ reverseDiscountUsage(input: $i) {{
  reversal {{ id amount reason reversedAt usage {{ id reversedAmount }} }}
  usage {{ id discountAmount reversedAmount netDiscountAmount isFullyReversed replayed
          reversals {{ amount reason }} campaign {{ usedBudget remainingBudget usageCount status }} }}
  {USER_ERRORS} }} }}"""
USAGE = """query($id: ID!) { discountUsage(id: $id) { id discountAmount reversedAmount netDiscountAmount
  isFullyReversed replayed reversals { id amount reason } } }"""
CAMPAIGN = "query($id: ID!) { campaign(id: $id) { usedBudget remainingBudget usageCount status } }"
ADD_CODES = "mutation($i: AddCouponCodesInput!) { addCouponCodes(input: $i) { addedCount } }"


def reverse(gql, usage_id, amount=None, reason="refund", **extra):
    given = {"usageId": usage_id, "reason": reason, **extra}
    if amount is not None:
        given["amount"] = amount
    return gql(REVERSE, {"i": given})["reverseDiscountUsage"]


def applied(gql, campaign, customer, **extra) -> dict:
    result = apply(gql, campaign["id"], customer["id"], **extra)
    assert result["userErrors"] == [], result
    return result["usage"]


def campaign_state(gql, campaign):
    return gql(CAMPAIGN, {"id": campaign["id"]})["campaign"]


def ledger_rows(engine) -> dict:
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("discount_reversals", "discount_usages", "campaign_events")}


@pytest.fixture
def customer(gql):
    return create_customer(gql)


@pytest.fixture
def campaign(gql):
    # 35% of 600: 210.00 per usage.
    return create_campaign(gql, discountPercentage="35", totalBudget="1000", maxUsagePerCustomerPerDay=5)


def test_reverse_exactly_the_net_amount_and_one_cent_more_is_refused(gql, campaign, customer):
    usage = applied(gql, campaign, customer)
    half = reverse(gql, usage["id"], "105.00", reason="  returned one of two  ")
    assert half["userErrors"] == []
    assert half["reversal"]["amount"] == "105.00" and half["reversal"]["reason"] == "returned one of two"
    assert half["usage"] | {"campaign": None} == {
        "id": usage["id"], "discountAmount": "210.00", "reversedAmount": "105.00", "netDiscountAmount": "105.00",
        "isFullyReversed": False, "replayed": False, "reversals": [{"amount": "105.00", "reason": "returned one of two"}],
        "campaign": None}
    assert half["usage"]["campaign"]["usedBudget"] == "105.00"

    too_much = reverse(gql, usage["id"], "105.01")
    assert too_much["reversal"] is None and too_much["usage"] is None
    assert too_much["userErrors"] == [{"field": ["input", "amount"], "code": "REVERSAL_EXCEEDS_USAGE",
                                       "message": "At most 105.00 of this usage can still be reversed."}]

    rest = reverse(gql, usage["id"], "105.00")
    assert rest["usage"]["isFullyReversed"] is True and rest["usage"]["netDiscountAmount"] == "0.00"
    assert rest["usage"]["campaign"]["usedBudget"] == "0.00"
    # Nothing is left: even the default amount is refused.
    assert reverse(gql, usage["id"])["userErrors"] == [{
        "field": ["input", "usageId"], "code": "REVERSAL_EXCEEDS_USAGE",
        "message": "This usage is fully reversed: nothing is left to reverse."}]
    assert reverse(gql, usage["id"], "0.01")["userErrors"][0]["code"] == "REVERSAL_EXCEEDS_USAGE"
    read = gql(USAGE, {"id": usage["id"]})["discountUsage"]
    assert [r["amount"] for r in read["reversals"]] == ["105.00", "105.00"] and read["reversedAmount"] == "210.00"


def test_without_an_amount_all_that_is_left_is_reversed(gql, campaign, customer):
    usage = applied(gql, campaign, customer)
    reverse(gql, usage["id"], "10.00")
    rest = reverse(gql, usage["id"])
    assert rest["reversal"]["amount"] == "200.00" and rest["usage"]["isFullyReversed"] is True


def test_a_partial_reversal_keeps_counting_and_a_full_one_frees_every_limit(gql, customer):
    limited = create_campaign(gql, name="limited", discountFlat="10", discountPercentage=..., totalBudget="1000",
                              maxUsagePerCustomerPerDay=1, maxUsagePerCustomer=1, maxTotalUsage=1,
                              requiresCode=True)
    assert gql(ADD_CODES, {"i": {"campaignId": limited["id"], "codes": ["ONCE-ONLY"], "usesPerCode": 1}})
    usage = applied(gql, limited, customer, couponCode="once-only")
    assert campaign_state(gql, limited)["usageCount"] == 1

    reverse(gql, usage["id"], "9.99")
    # Still counts: daily, lifetime, total and the code's single use.
    refused = apply(gql, limited["id"], customer["id"], couponCode="ONCE-ONLY")["userErrors"][0]["code"]
    assert refused == "INVALID_COUPON_CODE"
    assert campaign_state(gql, limited)["usageCount"] == 1

    freed = reverse(gql, usage["id"])
    assert freed["usage"]["isFullyReversed"] is True
    assert freed["usage"]["campaign"]["usageCount"] == 0
    again = apply(gql, limited["id"], customer["id"], couponCode="ONCE-ONLY")
    assert again["userErrors"] == [] and again["usage"]["discountAmount"] == "10.00"
    codes = gql("""query($id: ID!) { campaign(id: $id) { usageCount codes { nodes { code usageCount } } } }""",
                {"id": limited["id"]})["campaign"]
    assert codes == {"usageCount": 1, "codes": {"nodes": [{"code": "ONCE-ONLY", "usageCount": 1}]}}


def test_an_exhausted_campaign_is_offered_again_once_a_reversal_frees_budget(gql, customer):
    small = create_campaign(gql, discountFlat="100", discountPercentage=..., totalBudget="100",
                            maxUsagePerCustomerPerDay=5)
    usage = applied(gql, small, customer)
    assert campaign_state(gql, small)["status"] == "BUDGET_EXHAUSTED"
    offers = "query($i: CartInput!) { availableDiscounts(input: $i) { cartDiscounts { discountAmount } } }"
    cart = {"i": {"customerId": customer["id"], "cartValue": "600"}}
    assert gql(offers, cart)["availableDiscounts"]["cartDiscounts"] == []

    reverse(gql, usage["id"], "40.00")
    assert campaign_state(gql, small) | {"usageCount": None} == {
        "usedBudget": "60.00", "remainingBudget": "40.00", "status": "ACTIVE", "usageCount": None}
    assert gql(offers, cart)["availableDiscounts"]["cartDiscounts"] == [{"discountAmount": "40.00"}]


def test_a_replay_by_idempotency_key_reverses_nothing_more(gql, campaign, customer, admin_engine):
    usage = applied(gql, campaign, customer)
    first = reverse(gql, usage["id"], "50.00", idempotencyKey="refund-1")
    assert first["usage"]["replayed"] is False
    before = ledger_rows(admin_engine)
    again = reverse(gql, usage["id"], "50.00", idempotencyKey="refund-1")
    assert again["reversal"]["id"] == first["reversal"]["id"] and again["usage"]["replayed"] is True
    assert again["usage"]["reversedAmount"] == "50.00"
    # Left out, the amount matches what the first request gave back.
    assert reverse(gql, usage["id"], idempotencyKey="refund-1")["reversal"]["id"] == first["reversal"]["id"]
    assert reverse(gql, usage["id"], "60.00", idempotencyKey="refund-1")["userErrors"][0]["code"] == \
        "IDEMPOTENCY_KEY_REUSED"
    assert ledger_rows(admin_engine) == before
    assert campaign_state(gql, campaign)["usedBudget"] == "160.00"


def test_a_deleted_campaigns_usage_is_reversed_too(gql, campaign, customer):
    usage = applied(gql, campaign, customer)
    gql("mutation($id: ID!) { deleteCampaign(id: $id) { deletedCampaignId } }", {"id": campaign["id"]})
    reversed_ = reverse(gql, usage["id"])
    assert reversed_["userErrors"] == [] and reversed_["usage"]["campaign"]["usedBudget"] == "0.00"


@pytest.mark.parametrize("given, field, code", [
    ({"amount": "-1.00"}, ["input", "amount"], "INVALID_INPUT"),
    ({"amount": "0"}, ["input", "amount"], "INVALID_INPUT"),
    ({"reason": ""}, ["input", "reason"], "INVALID_INPUT"),
    ({"reason": "   "}, ["input", "reason"], "INVALID_INPUT"),
    ({"reason": "x" * 256}, ["input", "reason"], "INVALID_INPUT"),
    ({"reason": "nul\u0000"}, ["input", "reason"], "INVALID_INPUT"),
    ({"idempotencyKey": ""}, ["input", "idempotencyKey"], "INVALID_INPUT"),
])
def test_hostile_input_is_a_user_error_and_writes_nothing(gql, campaign, customer, admin_engine, sql_counter,
                                                           given, field, code):
    usage = applied(gql, campaign, customer)
    before = snapshot(admin_engine)
    counted = sql_counter.count
    result = gql(REVERSE, {"i": {"usageId": usage["id"], "reason": "refund", **given}})["reverseDiscountUsage"]
    assert result["reversal"] is None and [(e["field"], e["code"]) for e in result["userErrors"]] == [(field, code)]
    assert sql_counter.count == counted  # decided on the input alone
    assert snapshot(admin_engine) == before


def test_a_reason_of_255_characters_is_kept(gql, campaign, customer):
    usage = applied(gql, campaign, customer)
    assert reverse(gql, usage["id"], "1.00", reason="r" * 255)["reversal"]["reason"] == "r" * 255


def test_three_fraction_digits_are_refused_before_anything_runs(gql, campaign, customer, admin_engine):
    usage = applied(gql, campaign, customer)
    before = snapshot(admin_engine)
    refused = gql.error(REVERSE, {"i": {"usageId": usage["id"], "reason": "refund", "amount": "1.005"}})
    assert refused.codes == ["INVALID_INPUT"] and refused.errors[0]["extensions"]["field"] == ["i", "amount"]
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize("usage_id", ["RGlzY291bnRVc2FnZTo5OTk5", "not-an-id", "Q3VzdG9tZXI6MQ=="])
def test_an_unknown_or_foreign_usage_id_is_not_found(gql, campaign, customer, admin_engine, usage_id):
    applied(gql, campaign, customer)
    before = snapshot(admin_engine)
    result = reverse(gql, usage_id, "1.00")
    assert result["userErrors"] == [{"field": ["input", "usageId"], "code": "NOT_FOUND",
                                     "message": "No such discount usage."}]
    assert snapshot(admin_engine) == before


def test_a_customers_id_is_a_foreign_usage_id(gql, campaign, customer):
    assert reverse(gql, customer["id"], "1.00")["userErrors"][0]["code"] == "NOT_FOUND"
    assert gql(USAGE, {"id": customer["id"]})["discountUsage"] is None
    assert gql(USAGE, {"id": campaign["id"]})["discountUsage"] is None


def test_checkout_keys_reverse_and_look_usages_up(gql, campaign, customer, app, client_for, checkout_key):
    usage = applied(gql, campaign, customer)
    checkout = GraphQLClient(client_for(app, checkout_key))
    assert reverse(checkout, usage["id"], "10.00")["userErrors"] == []
    assert checkout(USAGE, {"id": usage["id"]})["discountUsage"]["reversedAmount"] == "10.00"
    reversal_id = checkout(USAGE, {"id": usage["id"]})["discountUsage"]["reversals"][0]["id"]
    node = checkout("query($id: ID!) { node(id: $id) { ... on DiscountReversal { amount usage { id } } } }",
                    {"id": reversal_id})["node"]
    assert node == {"amount": "10.00", "usage": {"id": usage["id"]}}


def test_idempotency_keys_of_reversals_are_scoped_to_the_api_key(gql, campaign, customer, app, client_for,
                                                                 checkout_key):
    usage = applied(gql, campaign, customer)
    checkout = GraphQLClient(client_for(app, checkout_key))
    mine = reverse(gql, usage["id"], "10.00", idempotencyKey="same-key")
    theirs = reverse(checkout, usage["id"], "10.00", idempotencyKey="same-key")
    assert mine["reversal"]["id"] != theirs["reversal"]["id"] and theirs["usage"]["replayed"] is False
    assert theirs["usage"]["reversedAmount"] == "20.00"


@pytest.mark.parametrize("statement", [
    "UPDATE discount_reversals SET amount = amount + 1",
    "DELETE FROM discount_reversals",
    "UPDATE campaign_events SET actor = 'someone else'",
    "DELETE FROM campaign_events",
])
def test_reversals_and_campaign_events_are_append_only_in_the_database(gql, campaign, customer, admin_engine,
                                                                       statement):
    usage = applied(gql, campaign, customer)
    reverse(gql, usage["id"], "1.00")
    with pytest.raises(DBAPIError, match="append-only"):
        with admin_engine.begin() as connection:
            connection.execute(text(statement))
    assert ledger_rows(admin_engine)["discount_reversals"] == 1
    assert ledger_rows(admin_engine)["campaign_events"] >= 1
