"""A client that sends what it should not gets a clear error, never a 500,
never a stack trace or SQL, and nothing is written."""

import pytest

from graphql_api.graphql.ids import encode_id

from ..support import APPLY, AVAILABLE, CREATE_CAMPAIGN, campaign_input, create_campaign, create_customer, snapshot

CREATE_CUSTOMER = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }"


@pytest.fixture
def world(gql):
    customer = create_customer(gql)
    campaign = create_campaign(gql)
    return customer, campaign


def assert_clean_failure(result):
    assert result.status_code < 500
    assert "INTERNAL_SERVER_ERROR" not in result.codes, result.body
    assert result.errors or any(
        payload.get("userErrors") for payload in (result.data or {}).values() if isinstance(payload, dict)
    ), result.body
    text = str(result.body)
    for leak in ("Traceback", "psycopg2", "SELECT ", "INSERT ", "sqlalchemy", 'File "'):
        assert leak not in text, result.body


@pytest.mark.parametrize(
    "cart_value",
    ["1.234", "NaN", "Infinity", "-Infinity", "1e999999999", "12345678901234567890", "0x10", "", "ten", True,
     [], {"a": 1}, None, 1.0e300, "9" * 1000],
)
def test_bad_money_in_a_query(gql, world, cart_value):
    customer, _ = world
    result = gql.request(AVAILABLE, {"input": {"customerId": customer["id"], "cartValue": cart_value}})
    assert_clean_failure(result)
    assert result.codes and set(result.codes) <= {"INVALID_INPUT"}, result.body
    assert [error["extensions"]["field"] for error in result.errors] == [["input", "cartValue"]]


@pytest.mark.parametrize("cart_value", ["1.234", "NaN", "-1", "99999999999", "1e999999999"])
def test_bad_money_in_a_mutation_writes_nothing(gql, world, admin_engine, cart_value):
    customer, campaign = world
    before = snapshot(admin_engine)
    result = gql.request(APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"], "cartValue": cart_value}})
    assert_clean_failure(result)
    assert set(result.codes) <= {"INVALID_INPUT"}
    if not result.errors:
        assert {e["code"] for e in result.data["applyDiscount"]["userErrors"]} == {"INVALID_INPUT"}
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "n" * 10_000},
        {"description": "d" * 100_000},
        {"totalBudget": "1e12"},
        {"totalBudget": "-1"},
        {"discountPercentage": "1000000"},
        {"discountPercentage": "-5"},
        {"maxUsagePerCustomerPerDay": 2**31},
        {"maxUsagePerCustomerPerDay": -1},
        {"maxUsagePerCustomerPerDay": "two"},
        {"startDate": "yesterday"},
        {"startDate": "0000-00-00T00:00:00"},
        {"startDate": "9999-12-31T23:59:59-23:59"},
        {"endDate": 12345},
        {"discountType": "EVERYTHING"},
        {"isTargeted": True, "targetCustomerIds": ["x" * 10_000]},
        {"isTargeted": True, "targetCustomerIds": []},
        {"isTargeted": "yes"},
        {"name": "nul\u0000"},
        {"description": "nul\u0000"},
    ],
)
def test_bad_campaigns_write_nothing(gql, world, admin_engine, overrides):
    before = snapshot(admin_engine)
    result = gql.request(CREATE_CAMPAIGN, {"input": campaign_input(**overrides)})
    assert_clean_failure(result)
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize(
    "customer_input",
    [{"email": "not an email", "name": "x"}, {"email": "a@b.c" * 1000, "name": "x"},
     {"email": "a@example.com", "name": "n" * 10_000}, {"email": 5, "name": "x"}, {"email": "a@example.com"},
     {"email": "a@example.com", "name": "x", "admin": True}, {"email": "a@example.com\u0000", "name": "x"},
     {"email": "a@example.com", "name": "nul\u0000name"}],
)
def test_bad_customers_write_nothing(gql, admin_engine, customer_input):
    before = snapshot(admin_engine)
    assert_clean_failure(gql.request(CREATE_CUSTOMER, {"input": customer_input}))
    assert snapshot(admin_engine) == before


def test_ids_of_the_wrong_type_or_garbage(gql, world, admin_engine):
    customer, campaign = world
    before = snapshot(admin_engine)
    for campaign_id in [customer["id"], "", "%%%", "Q2FtcGFpZ246LTE", "Q2FtcGFpZ246OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "x" * 5000]:
        result = gql.request(APPLY, {"input": {"campaignId": campaign_id, "customerId": customer["id"], "cartValue": "10"}})
        assert_clean_failure(result)
        assert [e["code"] for e in result.data["applyDiscount"]["userErrors"]] == ["NOT_FOUND"]
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize(
    "body",
    ["{", "{ customers { nodes { id } ", "query { nope }", "mutation { applyDiscount }", "{ __typename } }",
     "query A { __typename } query A { __typename }", "subscription { x }"],
)
def test_malformed_documents(gql, body):
    result = gql.request(body)
    assert_clean_failure(result)
    assert set(result.codes) <= {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}, result.body


def test_not_json_and_wrong_methods(http):
    assert http.post("/graphql", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert http.post("/graphql", content=b"[1, 2", headers={"content-type": "application/json"}).status_code == 400
    assert http.put("/graphql", json={"query": "{ __typename }"}).status_code == 405
    response = http.post("/graphql", json={"variables": {}})
    assert response.status_code == 400


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_past_the_recursion_limit_is_a_bad_request(http, opening):
    deep, deep_enough_for_a_url = opening * 100_000, opening * 3_000
    for response in [
        http.post("/graphql", content=deep, headers={"content-type": "application/json"}),
        http.post("/graphql", content='{"query": "{ __typename }", "variables": ' + deep,
                  headers={"content-type": "application/json"}),
        http.get("/graphql", params={"query": "{ __typename }", "variables": deep_enough_for_a_url}),
    ]:
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_unknown_customer_id_formats_in_queries(gql):
    for customer_id in [encode_id("Customer", 2**63), encode_id("Customer", 0), "=" * 10]:
        result = gql.request(AVAILABLE, {"input": {"customerId": customer_id, "cartValue": "1"}})
        assert result.codes == ["NOT_FOUND"], result.body


def test_nul_in_an_idempotency_key(gql, world, admin_engine):
    customer, campaign = world
    before = snapshot(admin_engine)
    result = gql.request(APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"],
                                           "cartValue": "10", "idempotencyKey": "k\u0000"}})
    assert_clean_failure(result)
    assert [e["field"] for e in result.data["applyDiscount"]["userErrors"]] == [["input", "idempotencyKey"]]
    assert snapshot(admin_engine) == before
