"""The plain-field executor (graphql_api/graphql/execution.py) answers exactly
as graphql-core's own executor does, errors included; it only gets there
with less work."""

from __future__ import annotations

import enum
from typing import Optional

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.graphql.engine.execution import PlainFieldExecutor, plain_fields
from graphql_api.graphql.schema import schema as service_schema
from graphql_api.graphql.engine.adapter import core_schema

from ..support import AVAILABLE, CAMPAIGN_FIELDS, apply, create_campaign, create_customer

STOCK_EXECUTE_FIELDS = StrawberryGraphQLCoreExecutionContext.execute_fields


def both_ways(monkeypatch, run):
    """`run()` with the shortcut, then with graphql-core's path for every field."""
    shortcut = run()
    with monkeypatch.context() as patch:
        patch.setattr(PlainFieldExecutor, "execute_fields", STOCK_EXECUTE_FIELDS)
        stock = run()
    return shortcut, stock


def test_the_shortcut_covers_plain_fields_and_only_them():
    # The offer lists take `first`: resolvers, never skipped.
    assert plain_fields(core_schema(service_schema).get_type("AvailableDiscounts")) == {}
    checkout = plain_fields(core_schema(service_schema).get_type("Checkout"))
    assert checkout["usages"].is_list and not checkout["cartDiscount"].is_list
    offer = plain_fields(core_schema(service_schema).get_type("DiscountOffer"))
    assert set(offer) == {"campaign", "discountType", "discountAmount", "finalAmount", "isBest", "savings",
                          "usesLeftToday", "usesLeft", "resetsAt", "couponCode"}
    campaign = plain_fields(core_schema(service_schema).get_type("Campaign"))
    assert {"id", "name", "usedBudget"} <= set(campaign)
    # Resolvers (and so loaders, permissions, errors, the status worked out at read time) are never skipped.
    assert "targetCustomers" not in campaign and "targetCustomerIds" not in campaign and "status" not in campaign
    assert plain_fields(core_schema(service_schema).query_type) == {}


SHAPES = [
    AVAILABLE,
    # aliases, a field twice, fragments, directives and __typename
    """query($input: CartInput!) { offers: availableDiscounts(input: $input) {
         __typename
         best: bestCartDiscount { ...Offer amount: discountAmount discountAmount }
         cartDiscounts { ... on DiscountOffer { savings @include(if: true) isBest @skip(if: true) } ...Offer }
         deliveryDiscounts { campaign { __typename ...Campaign } } } }
       fragment Offer on DiscountOffer { discountType finalAmount campaign { id } }
       fragment Campaign on Campaign { name description maxDiscountAmount deletedAt }""",
]


@pytest.mark.parametrize("query", SHAPES)
def test_checkout_responses_are_the_same_both_ways(gql, monkeypatch, query):
    customer = create_customer(gql)
    create_campaign(gql, name="Ten", discountPercentage="10", description="d")
    create_campaign(gql, name="Flat", discountPercentage=..., discountFlat="25", maxDiscountAmount="20")
    create_campaign(gql, name="Ship", discountType="DELIVERY", discountPercentage="50",
                    isTargeted=True, targetCustomerIds=[customer["id"]])
    variables = {"input": {"customerId": customer["id"], "cartValue": "600", "deliveryCharge": "80"}}

    shortcut, stock = both_ways(monkeypatch, lambda: gql.request(query, variables).body)
    assert shortcut == stock
    assert "errors" not in shortcut
    assert len(shortcut["data"]["availableDiscounts" if "offers:" not in query else "offers"]["cartDiscounts"]) == 2


def test_prepared_runs_share_plain_selections_only_where_no_variable_changes_them(gql, monkeypatch):
    """From its second run a document is prepared, and the runs of one with
    no directives share their collected subfields and which are plain. With
    @include on a variable, each run must collect its own."""
    customer = create_customer(gql)
    create_campaign(gql, name="Ten", discountPercentage="10")
    cart = {"customerId": customer["id"], "cartValue": "600", "deliveryCharge": "80"}
    switched = """query($input: CartInput!, $names: Boolean!) { availableDiscounts(input: $input) {
        cartDiscounts { discountAmount campaign { id name @include(if: $names) } } } }"""
    fixed = """query($input: CartInput!) { availableDiscounts(input: $input) {
        cartDiscounts { discountAmount campaign { id name } } } }"""
    for names in (True, False, True, False):
        [offer] = gql.request(switched, {"input": cart, "names": names}).body["data"]["availableDiscounts"]["cartDiscounts"]
        assert set(offer["campaign"]) == ({"id", "name"} if names else {"id"})
        [offer] = gql.request(fixed, {"input": cart}).body["data"]["availableDiscounts"]["cartDiscounts"]
        assert offer == {"discountAmount": "60.00", "campaign": {"id": offer["campaign"]["id"], "name": "Ten"}}
    collected = []
    stock_collect = StrawberryGraphQLCoreExecutionContext.collect_subfields
    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "collect_subfields",
                        lambda self, *args: collected.append(args) or stock_collect(self, *args))
    gql.request(fixed, {"input": cart})
    assert collected == []  # all shared from the earlier runs
    gql.request(switched, {"input": cart, "names": True})
    assert collected


def test_admin_lists_and_usage_are_the_same_both_ways(gql, monkeypatch):
    customer = create_customer(gql)
    campaign = create_campaign(gql, isTargeted=True, targetCustomerIds=[customer["id"]])
    usage = apply(gql, campaign["id"], customer["id"])["usage"]
    query = f"""query($customer: ID!, $usage: ID!) {{
        campaigns(first: 5) {{ edges {{ cursor node {{ {CAMPAIGN_FIELDS} targetCustomers {{ id email }} }} }}
                               pageInfo {{ hasNextPage endCursor }} }}
        discountUsages(customerId: $customer) {{ edges {{ node {{ id usedAt originalAmount
                                                                 campaign {{ name }} customer {{ name }} }} }} }}
        node(id: $usage) {{ id ... on DiscountUsage {{ finalAmount }} }} }}"""
    variables = {"customer": customer["id"], "usage": usage["id"]}

    shortcut, stock = both_ways(monkeypatch, lambda: gql.request(query, variables).body)
    assert shortcut == stock
    assert shortcut["data"]["node"]["id"] == usage["id"]


# A small schema whose sources break its own types, to compare the errors.
@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Part:
    label: str


@strawberry.type
class Thing:
    name: str
    colour: Colour
    note: Optional[str]
    count: int
    part: Part
    spare: Optional[Part]
    parts: list[Part]
    maybe_parts: Optional[list[Optional[Part]]]
    some_parts: list[Optional[Part]]


def thing(name, **broken) -> Thing:
    values = dict(name=name, colour=Colour.RED, note=None, count=1, part=Part(label="p"), spare=None,
                  parts=[Part(label="a"), Part(label="b")], maybe_parts=[Part(label="c"), None],
                  some_parts=[None, Part(label="e")])
    return Thing(**{**values, **broken})


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Optional[Thing]]:
        return [
            thing("ok"),
            thing(None),  # a null in a non-null scalar
            thing("bad colour", colour="blue"),
            thing("bad count", count="many"),
            thing("no part", part=None),  # a null in a non-null object
            thing("bad label", part=Part(label=None)),  # a null deeper down
            thing("wrong type", spare="not a part"),
            thing("null item", parts=[Part(label="a"), None]),
            thing("bad nullable item", maybe_parts=[Part(label=None), Part(label="d")]),
            thing("not a list", parts=Part(label="x")),
            thing("bad item in a non-null list", some_parts=[Part(label="f"), Part(label=None)]),
        ]


EVERYTHING = "{ things { name colour note count part { label } spare { label } parts { label } maybePart: maybeParts { label } someParts { label } } }"


@pytest.mark.parametrize("query, broken", [
    (EVERYTHING, 10),
    ("{ things { count n: name ...on Thing { note } } }", 2),  # the bad colour is not selected
    ("{ things { __typename part { __typename label } parts { ... on Part { label } } } }", 4),
])
def test_broken_values_fail_exactly_as_graphql_core_reports_them(query, broken):
    shortcut = strawberry.Schema(query=Query, execution_context_class=PlainFieldExecutor).execute_sync(query)
    stock = strawberry.Schema(query=Query).execute_sync(query)
    assert shortcut.data == stock.data
    assert [(e.message, e.path) for e in shortcut.errors] == [(e.message, e.path) for e in stock.errors]
    assert len(shortcut.errors) == broken
    assert shortcut.data["things"][0] is not None
