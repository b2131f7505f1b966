"""Finding 7: a checkout key listed every customer's email and history through
`customers`. Contract version 2: checkout keys look customers up, they do not
browse them, so `customers` is FORBIDDEN on the field for them. And `node(id:)`
answers through each type's typed lookup, so it obeys the same permission,
declared once, as `customer(id:)`, `campaign(id:)` and `discountUsages`."""

from __future__ import annotations

import pytest

from graphql_api.access.roles import GRANTS, Permission, Role

from ..support import GraphQLClient, apply, create_campaign, create_customer, snapshot

LIST = "{ customers(first: 100) { totalCount nodes { email discountUsages { nodes { discountAmount } } } } }"


@pytest.fixture
def world(production_app, client_for, checkout_key):
    admin = GraphQLClient(client_for(production_app))
    checkout = GraphQLClient(client_for(production_app, key=checkout_key))
    customer = create_customer(admin, email="alice@example.com")
    campaign = create_campaign(admin)
    usage = apply(admin, campaign["id"], customer["id"])["usage"]
    checkout("{ __typename }")  # caches the key: what follows is the requests' own SQL
    return admin, checkout, customer, campaign, usage


def test_checkout_may_not_list_customers_but_looks_them_up(world, admin_engine, sql):
    """Finding 7: `customers` is FORBIDDEN to checkout keys, before it reads any customer."""
    admin, checkout, customer, _campaign, _usage = world
    before = snapshot(admin_engine)
    sql.reset()
    refused = checkout.request(LIST)
    assert refused.status_code == 200 and refused.codes == ["FORBIDDEN"], refused.body
    assert "may not list customers" in refused.errors[0]["message"]
    assert refused.data is None and "alice" not in str(refused.body)
    assert not [s for s in sql.statements if "customers" in s or "discount_usages" in s]
    assert snapshot(admin_engine) == before

    # What a storefront needs stays: lookups by ID and a customer's history.
    looked_up = checkout(
        """query($id: ID!) { customer(id: $id) { email discountUsages { totalCount } }
                             node(id: $id) { ... on Customer { email } }
                             discountUsages(customerId: $id) { totalCount } }""",
        {"id": customer["id"]},
    )
    assert looked_up == {"customer": {"email": "alice@example.com", "discountUsages": {"totalCount": 1}},
                         "node": {"email": "alice@example.com"}, "discountUsages": {"totalCount": 1}}
    assert admin(LIST)["customers"]["totalCount"] == 1  # admin keys still browse
    assert snapshot(admin_engine) == before


LOOKUPS = {
    # type: (its permission, the typed lookup of an object of it, whose ID it takes)
    "Customer": (Permission.READ_CUSTOMERS, "query($id: ID!) { customer(id: $id) { id } }", "Customer"),
    "Campaign": (Permission.READ_CAMPAIGNS, "query($id: ID!) { campaign(id: $id) { id } }", "Campaign"),
    "DiscountUsage": (Permission.READ_USAGES, "query($id: ID!) { discountUsages(customerId: $id) { totalCount } }",
                      "Customer"),
}
NODE = "query($id: ID!) { node(id: $id) { id } }"


@pytest.mark.parametrize("type_name", sorted(LOOKUPS))
def test_node_refuses_what_the_typed_lookup_refuses(world, type_name, monkeypatch, admin_engine):
    """Finding 7: node(id:) obeys the permission of the typed lookup of every
    type it can return. Taking a type's permission from checkout keys refuses
    both ways; with it, node answers as the lookup does."""
    _admin, checkout, customer, campaign, usage = world
    ids = {"Customer": customer["id"], "Campaign": campaign["id"], "DiscountUsage": usage["id"]}
    permission, typed, typed_takes = LOOKUPS[type_name]
    assert checkout(NODE, {"id": ids[type_name]})["node"] == {"id": ids[type_name]}
    assert checkout(typed, {"id": ids[typed_takes]})

    before = snapshot(admin_engine)
    monkeypatch.setitem(GRANTS, Role.CHECKOUT, GRANTS[Role.CHECKOUT] - {permission})
    for document, object_id in ((typed, ids[typed_takes]), (NODE, ids[type_name])):
        refused = checkout.request(document, {"id": object_id})
        assert refused.codes == ["FORBIDDEN"], (document, refused.body)
        assert refused.data is None or object_id not in str(refused.data)
    assert snapshot(admin_engine) == before


def test_checkout_may_not_list_a_campaigns_targets(production_app, client_for, checkout_key, admin_engine):
    """Finding 7, the same list by another road: a targeted campaign's
    targetCustomers (and their IDs) are FORBIDDEN to checkout keys."""
    admin = GraphQLClient(client_for(production_app))
    checkout = GraphQLClient(client_for(production_app, key=checkout_key))
    alice = create_customer(admin, email="alice@example.com")
    campaign = create_campaign(admin, isTargeted=True, targetCustomerIds=[alice["id"]])
    before = snapshot(admin_engine)
    for selection in ("targetCustomers { email }", "targetCustomerIds"):
        refused = checkout.request(f'query($id: ID!) {{ campaign(id: $id) {{ name {selection} }} }}',
                                   {"id": campaign["id"]})
        assert refused.codes == ["FORBIDDEN"] and "alice" not in str(refused.body), refused.body
        assert "may not list customers" in refused.errors[0]["message"]
    targets = admin('query($id: ID!) { campaign(id: $id) { targetCustomers { email } } }', {"id": campaign["id"]})
    assert targets == {"campaign": {"targetCustomers": [{"email": "alice@example.com"}]}}
    assert snapshot(admin_engine) == before
