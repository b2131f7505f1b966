"""A value the schema's types refuse inside an input is an INVALID_INPUT error
whose `extensions.field` is the path to it: the argument's (or variable's)
name, then the keys and indexes into its value. The same whether the value
is written in the document or sent as a variable, and the same on a
document's first run and on the next, from the engine's document cache."""

import itertools
import json

import pytest
from graphql import parse, validate

from graphql_api.graphql.engine import documents
from graphql_api.graphql.schema import schema
from graphql_api.graphql.engine.adapter import core_schema

from ..support import CREATE_CAMPAIGN, campaign_input, create_customer, snapshot

AVAILABLE = "query($input: CartInput!) { availableDiscounts(input: $input) { bestCartDiscount { discountAmount } } }"
CAMPAIGN_FIELDS = "campaign { startDate endDate } userErrors { field code }"


@pytest.fixture
def customer_id(gql):
    return create_customer(gql)["id"]


@pytest.fixture
def refusals(gql, monkeypatch):
    """(code, field) of each error of a request. It runs twice and the second
    answer must be the first: a new document is validated on its first run,
    and when it validated, the second run takes it from the cache."""
    validations = []
    requests = itertools.count()
    validate_as_strawberry = documents.validate_as_strawberry

    def counted(*args, **kwargs):
        validations.append(args)
        return validate_as_strawberry(*args, **kwargs)

    monkeypatch.setattr(documents, "validate_as_strawberry", counted)

    def refused(query, variables=None):
        query = f"{query} # request {next(requests)}"  # a document the engine has not seen
        validations.clear()
        first = gql.request(query, variables)
        assert len(validations) == 1
        again = gql.request(query, variables)
        assert len(validations) == (1 if not validate(core_schema(schema), parse(query)) else 2)
        validations.clear()
        assert first.status_code == again.status_code == 200, first.body
        assert (first.data, first.errors) == (again.data, again.errors)
        assert first.data is None and first.errors, first.body
        return [(error["extensions"]["code"], error["extensions"].get("field")) for error in first.errors]

    return refused


def literal(value) -> str:
    """A Python value as a GraphQL literal (enum values are not needed here)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if value is None:
        return "null"
    return json.dumps(value)


def inline_available(customer_id, **cart) -> str:
    cart = literal({"customerId": customer_id, **cart})
    return f"{{ availableDiscounts(input: {cart}) {{ bestCartDiscount {{ discountAmount }} }} }}"


def inline_create(**overrides) -> str:
    values = campaign_input(**overrides)
    values.pop("discountType")
    fields = literal(values)[1:-1]
    return f"mutation {{ createCampaign(input: {{discountType: CART, {fields}}}) {{ {CAMPAIGN_FIELDS} }} }}"


@pytest.mark.parametrize("field", ["cartValue", "deliveryCharge"])
@pytest.mark.parametrize("value", ["1.005", "NaN", "Infinity", 1.005, "1e999999999", "ten", True])
def test_a_refused_amount_names_its_field(refusals, customer_id, field, value):
    cart = {"cartValue": "10", field: value}
    expected = [("INVALID_INPUT", ["input", field])]
    assert refusals(AVAILABLE, {"input": {"customerId": customer_id, **cart}}) == expected
    assert refusals(inline_available(customer_id, **cart)) == expected


def test_every_refused_field_is_named(refusals, customer_id):
    cart = {"cartValue": "1.005", "deliveryCharge": "NaN"}
    expected = [("INVALID_INPUT", ["input", "cartValue"]), ("INVALID_INPUT", ["input", "deliveryCharge"])]
    assert refusals(AVAILABLE, {"input": {"customerId": customer_id, **cart}}) == expected
    assert refusals(inline_available(customer_id, **cart)) == expected


def test_a_missing_or_unknown_input_field_names_the_input(refusals, customer_id):
    assert refusals(AVAILABLE, {"input": {"customerId": customer_id}}) == [("INVALID_INPUT", ["input"])]
    assert refusals(AVAILABLE, {"input": {"customerId": customer_id, "cartValue": "1", "coupon": "x"}}) \
        == [("INVALID_INPUT", ["input"])]
    assert refusals(AVAILABLE) == [("INVALID_INPUT", ["input"])]


def test_a_bare_scalar_variable_is_named_by_itself(refusals, customer_id):
    query = ("query($customer: ID!, $amount: Decimal!) { availableDiscounts(input: "
             "{customerId: $customer, cartValue: $amount}) { bestCartDiscount { discountAmount } } }")
    assert refusals(query, {"customer": customer_id, "amount": "1.005"}) == [("INVALID_INPUT", ["amount"])]
    assert refusals("query($n: Int) { customers(first: $n) { totalCount } }", {"n": 2**31}) \
        == [("INVALID_INPUT", ["n"])]


def test_a_null_for_a_variable_with_a_default_in_a_non_null_place(refusals, customer_id):
    query = ('query($amount: Decimal = "1.00") { availableDiscounts(input: '
             f'{{customerId: "{customer_id}", cartValue: $amount}}) {{ bestCartDiscount {{ discountAmount }} }} }}')
    assert refusals(query, {"amount": None}) == [("INVALID_INPUT", ["amount"])]


def test_an_int_out_of_range(refusals, admin_engine):
    assert refusals("{ customers(first: 2147483648) { totalCount } }") == [("INVALID_INPUT", ["first"])]
    assert refusals("query($n: Int = 2147483648) { customers(first: $n) { totalCount } }") \
        == [("INVALID_INPUT", ["n"])]
    before = snapshot(admin_engine)
    expected = [("INVALID_INPUT", ["input", "maxUsagePerCustomerPerDay"])]
    overrides = {"maxUsagePerCustomerPerDay": 2**31}
    assert refusals(CREATE_CAMPAIGN, {"input": campaign_input(**overrides)}) == expected
    assert refusals(inline_create(**overrides)) == expected
    assert snapshot(admin_engine) == before


def test_a_list_item_is_named_by_its_index(refusals):
    overrides = {"isTargeted": True, "targetCustomerIds": ["Q3VzdG9tZXI6MQ", None]}
    expected = [("INVALID_INPUT", ["input", "targetCustomerIds", 1])]
    assert refusals(CREATE_CAMPAIGN, {"input": campaign_input(**overrides)}) == expected
    assert refusals(inline_create(**overrides)) == expected


@pytest.mark.parametrize(
    "moment",
    ["2026-01-01", "2026-01-01T10:30", "2026-01-01T10", "2026-01-01T10:30:00+0200", "20260101T103000",
     "2026-W01-1T10:30:00", " 2026-01-01T10:30:00", "2026-01-01T10:30:00 ", "2026-01-01T10:30:00+24:00",
     "2026-02-30T10:30:00", "2026-01-01T10:30:60", "2026-01-01T10:30:00,5", "tomorrow", ""],
)
def test_a_datetime_must_be_an_rfc_3339_date_and_time(refusals, admin_engine, moment):
    before = snapshot(admin_engine)
    expected = [("INVALID_INPUT", ["input", "startDate"])]
    assert refusals(CREATE_CAMPAIGN, {"input": campaign_input(startDate=moment)}) == expected
    assert refusals(inline_create(startDate=moment)) == expected
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize(
    "moment, stored",
    [
        ("2026-06-01T10:30:00Z", "2026-06-01T10:30:00+00:00"),
        ("2026-06-01t10:30:00.25z", "2026-06-01T10:30:00.250000+00:00"),
        ("2026-06-01 12:30:00+02:00", "2026-06-01T10:30:00+00:00"),
        ("2026-06-01T05:30:00-05:00", "2026-06-01T10:30:00+00:00"),
        ("2026-06-01T10:30:00", "2026-06-01T10:30:00+00:00"),  # no offset: UTC
    ],
)
def test_the_forms_of_date_and_time_accepted(gql, moment, stored):
    created = gql(CREATE_CAMPAIGN, {"input": campaign_input(startDate=moment)})["createCampaign"]
    assert created["campaign"]["startDate"] == stored
    created = gql(inline_create(startDate=moment))["createCampaign"]
    assert created["campaign"]["startDate"] == stored


def test_other_document_problems_stay_validation_errors(refusals):
    assert refusals("query($unused: Int) { __typename }") == [("GRAPHQL_VALIDATION_FAILED", None)]
