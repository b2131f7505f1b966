"""The view's path for plain operations (one operation POSTed as a JSON
object) answers exactly as strawberry's general `run` does, the first time
a document comes and when it comes again and runs prepared; it only gets
there with less work. Everything else goes through `run`."""

from __future__ import annotations

import json

from dataclasses import replace

import pytest

from graphql_api.server.app import create_app
from graphql_api.graphql.prepared import PreparedOperations
from graphql_api.graphql.schema import CampaignSchema
from graphql_api.graphql.view import GraphQLView
from graphql_api.access.ratelimit import MemoryBuckets

from ..support import APPLY, AVAILABLE

UNKNOWN_CUSTOMER = {"input": {"customerId": "Q3VzdG9tZXI6OTk5OTk5", "cartValue": "600"}}
TWO_OPERATIONS = "query A { __typename } query B { __typename }"
OVER_THE_COST_LIMIT = "{ customers(first: 100) { nodes { discountUsages(first: 100) { nodes { id } } } } }"

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
    {"query": OVER_THE_COST_LIMIT},
    {"query": "{ customers(first: 2) { totalCount nodes { id } } }"},
    {"query": "query($n: Int) { customers(first: $n) { nodes { id } } }", "variables": {"n": 100000}},
    {"query": "{ __schema { queryType { name } } }"},
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
    first = answer(http, body, accept)  # through strawberry's pipeline, which validates the document
    again = answer(http, body, accept)  # prepared, when the document validated

    async def never(self, request):
        return None

    with monkeypatch.context() as patch:
        patch.setattr(GraphQLView, "_run_plain_operation", never)
        general = answer(http, body, accept)
    assert first == general
    assert again == general


def test_throttled_the_same_both_ways(settings, database, clock, client_for, monkeypatch):
    """A 429 with Retry-After, from a bucket with room for one request."""
    def throttled_client():
        app = create_app(replace(settings, rate_limit_capacity=10, rate_limit_restore_rate=0.001),
                         database=database, clock=clock, buckets=MemoryBuckets(clock=lambda: 0.0))
        return client_for(app)

    costly = {"query": "{ customers(first: 9) { nodes { id } } }"}  # requests 10
    client = throttled_client()
    assert answer(client, costly, "application/json")[0] == 200
    prepared = client.post("/graphql", json=costly)
    with monkeypatch.context() as patch:
        patch.setattr(GraphQLView, "_run_plain_operation", lambda self, request: _none())
        client = throttled_client()
        client.post("/graphql", json=costly)
        general = client.post("/graphql", json=costly)
    assert prepared.status_code == general.status_code == 429
    assert prepared.headers["retry-after"] == general.headers["retry-after"]
    assert prepared.json() == general.json()


async def _none():
    return None


def test_a_document_seen_before_skips_strawberrys_pipeline(http, monkeypatch):
    executed = []
    schema_execute = CampaignSchema.execute

    async def counting_execute(self, query, *args, **kwargs):
        executed.append(query)
        return await schema_execute(self, query, *args, **kwargs)

    monkeypatch.setattr(CampaignSchema, "execute", counting_execute)
    for _ in range(3):
        assert http.post("/graphql", json={"query": "{ __typename }"}).json()["data"] == {"__typename": "Query"}
    assert executed == ["{ __typename }"]
    # A document that did not validate is never kept: it is refused by validation every time.
    for _ in range(2):
        assert http.post("/graphql", json={"query": "{ nope }"}).status_code == 200
    # The same text with another operation name is another operation.
    http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "A"})
    http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "A"})
    http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"})
    assert executed == ["{ __typename }", "{ nope }", "{ nope }", TWO_OPERATIONS, TWO_OPERATIONS]


def test_prepared_operations_are_bounded():
    operations = PreparedOperations(maxsize=2)
    operations.add("a", None, "A")
    operations.add("b", None, "B")
    assert operations.get("a", None) == "A"  # now the most recently used
    operations.add("c", None, "C")
    assert operations.get("b", None) is None
    assert (operations.get("a", None), operations.get("c", None)) == ("A", "C")
    assert PreparedOperations(maxsize=0).get("a", None) is None


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
