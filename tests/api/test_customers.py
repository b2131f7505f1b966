from ..support import USER_ERRORS, create_customer, snapshot

CREATE = f"mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{ customer {{ id email name }} {USER_ERRORS} }} }}"


def test_create_normalizes_email_and_trims_name(gql):
    customer = create_customer(gql, email="  Alice.Smith@EXAMPLE.Com ", name="  Alice Smith ")
    assert customer["email"] == "Alice.Smith@example.com"
    assert customer["name"] == "Alice Smith"
    assert customer["createdAt"].endswith("+00:00")


def test_email_is_unique_ignoring_case(gql, admin_engine):
    create_customer(gql, email="bob@example.com")
    before = snapshot(admin_engine)
    payload = gql(CREATE, {"input": {"email": "BOB@Example.com", "name": "Bob"}})["createCustomer"]
    assert payload["customer"] is None
    assert payload["userErrors"] == [
        {"field": ["input", "email"], "code": "EMAIL_TAKEN", "message": "A customer with this email address already exists."}
    ]
    assert snapshot(admin_engine) == before


def test_invalid_email_and_name_are_both_reported(gql, admin_engine):
    payload = gql(CREATE, {"input": {"email": "nope", "name": "   "}})["createCustomer"]
    assert payload["customer"] is None
    assert sorted(tuple(e["field"]) for e in payload["userErrors"]) == [("input", "email"), ("input", "name")]
    assert {e["code"] for e in payload["userErrors"]} == {"INVALID_INPUT"}
    assert snapshot(admin_engine)["customers"] == []


def test_lookup_by_id_and_node(gql):
    customer = create_customer(gql)
    data = gql(
        "query($id: ID!) { customer(id: $id) { id email } node(id: $id) { id ... on Customer { name } } }",
        {"id": customer["id"]},
    )
    assert data["customer"] == {"id": customer["id"], "email": customer["email"]}
    assert data["node"] == {"id": customer["id"], "name": "Test Customer"}


def test_unknown_or_foreign_ids_look_up_as_null(gql):
    from graphql_api.graphql.ids import encode_id

    data = gql(
        "query($a: ID!, $b: ID!, $c: ID!) { a: customer(id: $a) { id } b: customer(id: $b) { id } c: node(id: $c) { id } }",
        {"a": encode_id("Customer", 999), "b": encode_id("Campaign", 1), "c": "garbage!"},
    )
    assert data == {"a": None, "b": None, "c": None}


def test_customer_without_usages_has_an_empty_history(gql):
    customer = create_customer(gql)
    data = gql(
        "query($id: ID!) { customer(id: $id) { discountUsages { totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }",
        {"id": customer["id"]},
    )
    assert data["customer"]["discountUsages"] == {
        "totalCount": 0, "nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}
    }
