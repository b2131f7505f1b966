"""Finding 11: a lone surrogate in a JSON string (`"\\ud800"`), a body that
is JSON but not an object (`null`, `"x"`, `1`, `[1]`), and bytes that are not
UTF-8 were 500s: strawberry read members of whatever the body held, and the
surrogate failed wherever the string was encoded. Each is now a 400
BAD_REQUEST in GraphQL's error shape, in a body and in a GET's `variables`
and `extensions`, before any SQL."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest

from graphql_api.server.app import create_app

from ..support import snapshot

CREATE = 'mutation($name: String!) { createCustomer(input: {email: "eve@example.com", name: $name}) { customer { id } } }'
BODIES = {
    "lone surrogate in the query": b'{"query": "{ __typename \\ud800 }"}',
    "lone surrogate in operationName": b'{"query": "{ __typename }", "operationName": "\\udc00"}',
    "lone surrogate in a variable": b'{"query": "' + CREATE.replace('"', '\\"').encode() + b'", '
                                    b'"variables": {"name": "Eve \\ud800"}}',
    "lone surrogate in a key": b'{"query": "{ __typename }", "extensions": {"\\ud800": 1}}',
    "null": b"null",
    "a bare string": b'"x"',
    "a number": b"1",
    "true": b"true",
    "an array of numbers": b"[1, 2]",
    "an array of strings": b'["x"]',
    "an array with a null": b'[null, {"query": "{ __typename }"}]',
    "a batched operation of the wrong shape": b'[{"query": 1}]',
    "a batched operation with a string for variables": b'[{"query": "{ __typename }", "variables": "x"}]',
    "invalid UTF-8 after the JSON": b'{"query": "{ __typename }"}\xff',
    "invalid UTF-8 in a string": b'{"query": "{ __typename \xc3\x28 }"}',
    "UTF-8 of a surrogate": b'{"query": "{ __typename \xed\xa0\x80 }"}',
}
PARAMETERS = {
    "lone surrogate": '{"a": "\\ud800"}',
    "lone surrogate in a key": '{"\\udfff": 1}',
}
# Refused by strawberry already; kept so that they stay refused.
SHAPES = {"a bare string": '"x"', "a number": "1", "an array": "[1]", "not JSON": "{"}


def assert_bad_request(answer):
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert set(body) == {"errors"} and len(body["errors"]) == 1
    error = body["errors"][0]
    assert isinstance(error["message"], str) and error["extensions"] == {"code": "BAD_REQUEST"}


@pytest.fixture
def client(production_settings, database, clock, client_for, sql):
    """In production with batches on, so that arrays are read as batches."""
    opened = client_for(create_app(replace(production_settings, batch_max_operations=10),
                                   database=database, clock=clock))
    assert opened.post("/graphql", json={"query": "{ __typename }"}).status_code == 200  # the key, cached
    sql.reset()
    return opened


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES)
def test_a_malformed_body_is_a_bad_request(client, sql, admin_engine, body):
    answer = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert_bad_request(answer)
    assert sql.count == 0
    assert snapshot(admin_engine)["customers"] == []


@pytest.mark.parametrize("name", ["variables", "extensions"])
@pytest.mark.parametrize("value", [*PARAMETERS.values(), *SHAPES.values()], ids=[*PARAMETERS, *SHAPES])
def test_a_malformed_get_parameter_is_a_bad_request(client, sql, name, value):
    answer = client.get(f"/graphql?query={quote('{ __typename }')}&{name}={quote(value)}")
    assert_bad_request(answer)
    assert sql.count == 0
