"""The view's path for plain operations (one operation POSTed as a JSON
object) answers exactly as strawberry's general `run` does; it only gets
there with less work. Everything else goes through `run`."""

from __future__ import annotations

import json

import pytest

from graphql_api.graphql.view import GraphQLView

from ..support import APPLY, AVAILABLE

UNKNOWN_CUSTOMER = {"input": {"customerId": "Q3VzdG9tZXI6OTk5OTk5", "cartValue": "600"}}
TWO_OPERATIONS = "query A { __typename } query B { __typename }"

BODIES = [
    {"query": "{ __typename }"},
    {"query": AVAILABLE, "variables": UNKNOWN_CUSTOMER},  # a NOT_FOUND error with a path
    {"query": AVAILABLE, "variables": {"input": {"customerId": 7}}},  # variables that do not coerce
    {"query": AVAILABLE},  # a required variable missing
    {"query": APPLY, "variables": {"input": {"campaignId": "x", "customerId": "y", "cartValue": "-1"}}},
    {"query": "{ nope }"},
    {"query": "{"},
    {"query": TWO_OPERATIONS},
    {"query": TWO_OPERATIONS, "operationName": "B"},
    {"query": TWO_OPERATIONS, "operationName": "C"},
    {"query": "subscription { x }"},
    {"query": "{ __typename }", "variables": None, "operationName": None, "extensions": {"any": 1}},
    {"query": ""},
    {"query": "{ __typename }", "variables": []},
    {"query": 1},
    {"variables": {}},
    [{"query": "{ __typename }"}],
]
ACCEPTS = ["application/json", "application/graphql-response+json"]


def answer(http, body, accept):
    response = http.post("/graphql", content=json.dumps(body), headers={"content-type": "application/json",
                                                                         "accept": accept})
    payload = response.json()
    # The bucket drains with every request; the rest of the cost report must match.
    if isinstance(payload, dict) and "cost" in payload.get("extensions", {}):
        del payload["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    return response.status_code, response.headers["content-type"], payload


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("body", BODIES, ids=lambda body: json.dumps(body)[:60])
def test_answers_are_the_same_both_ways(http, monkeypatch, body, accept):
    plain = answer(http, body, accept)

    async def never(self, request):
        return None

    with monkeypatch.context() as patch:
        patch.setattr(GraphQLView, "_run_plain_operation", never)
        general = answer(http, body, accept)
    assert plain == general


def test_plain_operations_skip_the_general_path_and_others_take_it(http, monkeypatch):
    taken = []
    general_run = GraphQLView.run

    async def counting_run(self, request, *args, **kwargs):
        taken.append(request.method)
        return await general_run(self, request, *args, **kwargs)

    monkeypatch.setattr(GraphQLView, "run", counting_run)
    assert http.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
    assert taken == []
    http.post("/graphql", json=[{"query": "{ __typename }"}])
    http.get("/graphql", params={"query": "{ __typename }"})
    http.post("/graphql", content="{ __typename }", headers={"content-type": "application/graphql"})
    assert taken == ["POST", "GET", "POST"]
