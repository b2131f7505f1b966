"""The engine runs every request through the same stages, in order: POST or
GET, text or trusted document, alone or in a batch, a document's first run
or a later one (graphql_api/graphql/engine/pipeline.py). A cached document
skips work inside a stage, never a stage; the schema carries no extension
the engine would not run."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from graphql import parse, print_ast

from graphql_api.graphql.engine import documents as documents_module
from graphql_api.graphql.engine.adapter import StrawberryExecutor, core_schema
from graphql_api.graphql.engine.documents import Documents
from graphql_api.graphql.engine.pipeline import GraphQLEngine
from graphql_api.graphql.engine.trusted import TrustedDocuments, sha256_hex
from graphql_api.graphql.schema import schema
from graphql_api.server.app import create_app

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
STAGES = ["admit", "resolve", "authorize", "prepare", "limit", "execute", "settle"]
TYPENAME = "{ __typename }"


def test_the_schema_carries_nothing_the_engine_does_not_run():
    """Strawberry would run extensions and a custom executor only through its
    own pipeline, which no request takes: adding one here must fail this."""
    assert list(schema.extensions) == []
    assert schema.execution_context_class is StrawberryExecutor  # strawberry's default: the engine passes its own
    assert schema.config.batching_config is None


@pytest.fixture
def traced(settings, database, clock, client_for):
    """An app whose engine records the stages each operation passes."""
    manifest = {sha256_hex(TYPENAME): TYPENAME}
    app = create_app(replace(settings, batch_max_operations=5), database=database, clock=clock)
    engine: GraphQLEngine = app.state.engine
    engine.trusted = TrustedDocuments(manifest)
    passed: list[list[str]] = []

    def recorded(stage):
        async def run(exchange, operation_run):
            passed[-1].append(stage.__name__)
            await stage(exchange, operation_run)
        return run

    original_run, settle = engine.run, engine.settle

    async def run(exchange, sent):
        passed.append([])
        return await original_run(exchange, sent)

    engine.stages = tuple(recorded(stage) for stage in engine.stages)
    engine.settle = recorded(settle)
    engine.run = run
    return client_for(app), passed


WAYS = {
    "POST text": lambda c: c.post("/graphql", json={"query": TYPENAME}),
    "POST text again": lambda c: c.post("/graphql", json={"query": TYPENAME}),
    "GET text": lambda c: c.get("/graphql", params={"query": TYPENAME}),
    "POST documentId": lambda c: c.post("/graphql", json={"documentId": f"sha256:{sha256_hex(TYPENAME)}"}),
    "GET documentId": lambda c: c.get("/graphql", params={"documentId": f"sha256:{sha256_hex(TYPENAME)}"}),
    "POST persistedQuery": lambda c: c.post("/graphql", json={
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(TYPENAME)}}}),
    "graphql-response+json": lambda c: c.post("/graphql", json={"query": TYPENAME},
                                              headers={"accept": "application/graphql-response+json"}),
}


@pytest.mark.parametrize("way", WAYS)
def test_every_way_runs_every_stage_in_order(traced, way):
    client, passed = traced
    for _ in range(2):  # a document's first run and a later one
        response = WAYS[way](client)
        assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}, response.text
    assert passed == [STAGES, STAGES]


def test_each_operation_of_a_batch_runs_every_stage(traced):
    client, passed = traced
    response = client.post("/graphql", json=[{"query": TYPENAME}, {"query": "{ customers { totalCount } }"}])
    assert response.status_code == 200 and len(response.json()) == 2
    assert passed == [STAGES, STAGES]


@pytest.mark.parametrize("body, stopped_after", [
    ({"query": "{ nope }"}, "prepare"),
    ({"query": OVER_THE_COST_LIMIT}, "limit"),
    ({"documentId": "sha256:" + "0" * 64}, "resolve"),
])
def test_a_refusal_ends_the_stages_and_still_settles(traced, body, stopped_after):
    client, passed = traced
    client.post("/graphql", json=body)
    assert passed == [[*STAGES[:STAGES.index(stopped_after) + 1], "settle"]]


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
def test_a_cached_document_answers_as_its_first_run(http, body, accept):
    assert answer(http, body, accept) == answer(http, body, accept)


def test_the_same_text_by_id_and_as_text_answers_alike(traced):
    client, _ = traced
    by_text = client.post("/graphql", json={"query": TYPENAME}).json()
    by_id = client.post("/graphql", json={"documentId": f"sha256:{sha256_hex(TYPENAME)}"}).json()
    for body in (by_text, by_id):
        del body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert by_text == by_id


def test_a_document_seen_before_is_not_validated_again(http, monkeypatch):
    validated = []
    validate = documents_module.validate_as_strawberry

    def counting(schema, document, *args):
        validated.append(print_ast(document))
        return validate(schema, document, *args)

    monkeypatch.setattr(documents_module, "validate_as_strawberry", counting)
    for _ in range(3):
        assert http.post("/graphql", json={"query": TYPENAME}).json()["data"] == {"__typename": "Query"}
    assert validated == [print_ast(parse(TYPENAME))]
    # A document that did not validate is never kept: it is refused by validation every time.
    for _ in range(2):
        assert http.post("/graphql", json={"query": "{ nope }"}).status_code == 200
    # The same text with another operation name is another operation.
    for name in ("A", "A", "B"):
        http.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": name})
    assert len(validated) == 1 + 2 + 2


def test_documents_kept_are_bounded(settings):
    documents = Documents(core_schema(schema), replace(settings, validation_cache_size=2))
    for text in ("{ a: __typename }", "{ b: __typename }", "{ a: __typename }", "{ c: __typename }"):
        documents.resolve(text, None, "POST")
    assert [text for text, _name in documents._prepared] == ["{ a: __typename }", "{ c: __typename }"]


def test_throttled_operations_answer_429_with_retry_after(settings, database, clock, client_for):
    from graphql_api.access.ratelimit import MemoryBuckets

    app = create_app(replace(settings, rate_limit_capacity=10, rate_limit_restore_rate=0.001),
                     database=database, clock=clock, buckets=MemoryBuckets(clock=lambda: 0.0))
    client = client_for(app)
    costly = {"query": "{ customers(first: 9) { nodes { id } } }"}  # requests 10
    assert client.post("/graphql", json=costly).status_code == 200
    throttled = client.post("/graphql", json=costly)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
