"""Finding 5: with its cost bucket drained, a key could still send
`{ __typename }` (a cost of 0 was never charged) and any invalid document
(nothing was charged before execution) without end. Now every request costs
at least one point, taken before the document is parsed, so a drained bucket
refuses everything with THROTTLED, and a refused document keeps its point."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphql_api.server.app import create_app
from graphql_api.access.ratelimit import MemoryBuckets

from ..support import GraphQLClient

DRAIN = "{ customers(first: 4) { nodes { id } } }"  # requests 5, uses 1 with no customers
REFUSED = {
    "parse error": "{",
    "validation error": "{ nope }",
    "depth": "{ customers { nodes { " * 7 + "id" + " } }" * 7 + " }",
    "aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
    "cost": "{ customers(first: 100) { nodes { discountUsages(first: 100) { nodes { id } } } } }",
}


@pytest.fixture
def limited(production_settings, database, clock, client_for):
    """A production app whose buckets hold `capacity` points and never refill."""
    def open_client(capacity: int) -> GraphQLClient:
        settings = replace(production_settings, rate_limit_capacity=capacity, rate_limit_restore_rate=0.001)
        app = create_app(settings, database=database, clock=clock, buckets=MemoryBuckets(clock=lambda: 0.0))
        return GraphQLClient(client_for(app))
    return open_client


def test_a_drained_bucket_refuses_free_and_invalid_documents(limited, sql):
    gql = limited(10)
    typename = gql.request("{ __typename }")  # also makes it a prepared document
    assert typename.status_code == 200
    assert typename.body["extensions"]["cost"]["requestedQueryCost"] == 1
    drained = [gql.request(DRAIN).status_code for _ in range(20)]
    assert drained[-1] == 429
    sql.reset()
    for query in ["{ __typename }", "{ again: __typename }", "{ nope }", "{"]:
        refused = gql.request(query)
        assert refused.status_code == 429, (query, refused.body)
        assert refused.codes == ["THROTTLED"]
    assert sql.count == 0


def test_invalid_documents_run_the_bucket_down(limited, sql):
    gql = limited(len(REFUSED) * 2)
    gql.request("{ __typename }")  # the key's lookup, and 1 point
    sql.reset()
    answers = [gql.request(REFUSED[kind]) for _ in range(2) for kind in REFUSED]
    assert [a.status_code for a in answers[:-1]] == [200] * (len(answers) - 1)
    assert all(a.codes and a.codes[0] != "THROTTLED" for a in answers[:-1])
    last = answers[-1]  # one point short
    assert last.status_code == 429 and last.codes == ["THROTTLED"]
    assert gql.request("{ nope }").codes == ["THROTTLED"]
    assert sql.count == 0
