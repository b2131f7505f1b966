"""Finding 2: the depth rule and the cost analysis expanded fragment spreads
without memoization, so fragments that each spread the next twice took time
exponential in their number (30 of them: about an hour), blocking the event
loop, /health included, for a document that cost 0 points and passed every
limit. Now each fragment's depth and cost is worked out once per document
(and per item of data, for the actual cost), on the first run and on the
prepared one."""

from __future__ import annotations

import threading
from collections import Counter

import httpx2
import pytest

from graphql_api.graphql.engine import cost, query_limits

from ..servers import start_server, stop_server
from ..support import GraphQLClient, create_customer

FRAGMENTS = 30


def doubling(on: str, leaf: str) -> str:
    """F0 spreads F1 twice, F1 spreads F2 twice, ... F29 selects `leaf`."""
    return "".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(FRAGMENTS - 1)) \
        + f"fragment F{FRAGMENTS - 1} on {on} {{ {leaf} }}\n"


AT_THE_ROOT = "query Hostile { ...F0 }\n" + doubling("Query", "__typename")
ON_A_TYPE = "query Hostile { customers(first: 1) { nodes { ...F0 } } }\n" + doubling("Customer", "id email")
# Walks of one selection set per request: the depth rule's, the estimate's, and
# the actual cost's (of its one item, and the check whether all items cost alike).
BOUND = 4


@pytest.fixture
def visits(monkeypatch):
    """How often the depth rule and the cost analysis walk each selection set.
    A walk past BOUND stops the request at once, so that an exponential one
    fails quickly instead of running for an hour."""
    counted: Counter = Counter()

    def counting(function):
        def wrapper(*args):
            selection_set = next((a for a in args if hasattr(a, "selections")), None)
            if selection_set is not None:
                counted[id(selection_set)] += 1
                if counted[id(selection_set)] > BOUND:
                    raise RuntimeError("walked too often")
            return function(*args)
        return wrapper

    monkeypatch.setattr(query_limits, "_depth", counting(query_limits._depth))
    monkeypatch.setattr(cost.CostCalculator, "_shape", counting(cost.CostCalculator._shape))
    return counted


@pytest.mark.parametrize("document", [AT_THE_ROOT, ON_A_TYPE], ids=["at the root", "on a type"])
def test_each_fragment_is_analysed_a_bounded_number_of_times(production_app, client_for, sql, visits, document):
    gql = GraphQLClient(client_for(production_app))
    create_customer(gql)
    sql.reset()
    for run in ("first", "prepared"):
        visits.clear()
        answer = gql.request(document)
        assert answer.status_code == 200, answer.body
        if answer.errors:  # refusing it would do too
            assert answer.codes == ["QUERY_TOO_COMPLEX"], answer.body
        elif document is AT_THE_ROOT:
            assert answer.data == {"__typename": "Query"}
        else:
            assert [set(node) for node in answer.data["customers"]["nodes"]] == [{"id", "email"}]
        assert visits and max(visits.values()) <= BOUND, run
        assert sum(visits.values()) <= BOUND * (FRAGMENTS + 3), run
    if document is AT_THE_ROOT:
        assert sql.count == 0  # nothing of the application's ran


@pytest.fixture(scope="module")
def served(database_url):
    process, base_url = start_server(database_url, ENVIRONMENT="production")
    yield base_url
    stop_server(process)


def test_health_answers_while_the_document_is_in_flight(served, admin_key):
    """Senders keep the document in flight while /health is asked, again and
    again; an event loop busy expanding fragments would answer neither."""
    answers = []

    def hostile():
        for _ in range(5):
            answers.append(httpx2.post(f"{served}/graphql", json={"query": AT_THE_ROOT},
                                       headers={"Authorization": f"Bearer {admin_key}"}, timeout=30))

    senders = [threading.Thread(target=hostile) for _ in range(4)]
    for sender in senders:
        sender.start()
    try:
        health = [httpx2.get(f"{served}/health", timeout=5).status_code for _ in range(20)]
    finally:
        for sender in senders:
            sender.join(40)
    assert health == [200] * 20
    assert len(answers) == 20
    for answer in answers:
        body = answer.json()
        assert answer.status_code == 200 and body.get("data") == {"__typename": "Query"} or \
            [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_COMPLEX"], body
