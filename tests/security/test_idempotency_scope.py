"""Finding 12: idempotency keys were unique across the service, so storefront
B's key made storefront A's apply with the same idempotency key fail, and B
sending A's idempotency key with A's input got A's usage back, the customer's
email with it. Contract version 2: an idempotency key is scoped to the API
key that sent it; the usage records its API key, the unique key is (API key,
idempotency key), and a replay is looked up within the caller's key only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ..conftest import make_key
from ..support import GraphQLClient, create_campaign, create_customer, snapshot

APPLY = """mutation($input: ApplyDiscountInput!) { applyDiscount(input: $input) {
  usage { id discountAmount customer { email } } userErrors { code } } }"""


@pytest.fixture
def storefronts(production_app, client_for, database_url):
    admin = GraphQLClient(client_for(production_app))
    a = GraphQLClient(client_for(production_app, key=make_key(database_url, "checkout", "storefront A")))
    b = GraphQLClient(client_for(production_app, key=make_key(database_url, "checkout", "storefront B")))
    return admin, a, b


def apply(client, campaign, customer, cart_value="600", key="order-1"):
    variables = {"input": {"campaignId": campaign["id"], "customerId": customer["id"], "cartValue": cart_value,
                           "idempotencyKey": key}}
    return client(APPLY, variables)["applyDiscount"]


def usage_keys(engine):
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT k.name, u.idempotency_key FROM discount_usages u JOIN api_keys k ON k.id = u.api_key_id "
            "ORDER BY u.id")).all()


def test_another_key_does_not_block_or_see_a_usage(storefronts, admin_engine):
    """Finding 12: B's apply under A's idempotency key, with another input, is
    B's own usage, not IDEMPOTENCY_KEY_REUSED; with A's very input it is B's
    own usage too, never a replay of A's (nor A's customer's email)."""
    admin, a, b = storefronts
    campaign = create_campaign(admin, maxUsagePerCustomerPerDay=5)
    alice = create_customer(admin, email="alice@example.com")
    bob = create_customer(admin, email="bob@example.com")

    first = apply(a, campaign, alice)
    assert first["userErrors"] == [] and first["usage"]["customer"]["email"] == "alice@example.com"
    other_input = apply(b, campaign, bob, cart_value="400")
    assert other_input["userErrors"] == [] and other_input["usage"]["customer"]["email"] == "bob@example.com"

    same_input = apply(b, campaign, alice, key="order-2")
    apply(a, campaign, alice, key="order-2")
    assert same_input["userErrors"] == []
    ids = {first["usage"]["id"], other_input["usage"]["id"], same_input["usage"]["id"]}
    assert len(ids) == 3
    assert usage_keys(admin_engine) == [("storefront A", "order-1"), ("storefront B", "order-1"),
                                        ("storefront B", "order-2"), ("storefront A", "order-2")]


def test_a_replay_is_the_callers_own_and_writes_nothing(storefronts, admin_engine):
    """Finding 12: a replay answers the caller's own first usage and writes
    nothing; a different input under the caller's own key is still refused."""
    admin, a, b = storefronts
    campaign = create_campaign(admin, maxUsagePerCustomerPerDay=5)
    alice = create_customer(admin, email="alice@example.com")
    bob = create_customer(admin, email="bob@example.com")
    first_a = apply(a, campaign, alice)["usage"]
    first_b = apply(b, campaign, bob)["usage"]
    before = snapshot(admin_engine)

    assert apply(a, campaign, alice)["usage"] == first_a
    assert apply(b, campaign, bob)["usage"] == first_b
    refused = apply(b, campaign, alice)  # A's input, under B's own key: B's key was used with bob
    assert refused == {"usage": None, "userErrors": [{"code": "IDEMPOTENCY_KEY_REUSED"}]}
    assert snapshot(admin_engine) == before
