"""GraphQL Cop's field duplication: 500 `__typename`s cost nothing (scalars
are free in the cost analysis) and passed every limit. MAX_FIELDS bounds the
field selections written in a document."""

from __future__ import annotations


def test_five_hundred_duplicated_fields_are_refused(production_app, client_for, sql):
    client = client_for(production_app)
    client.post("/graphql", json={"query": "{ __typename }"})  # the key is cached: what follows runs no SQL
    sql.reset()
    answer = client.post("/graphql", json={"query": "query cop { " + "__typename \n" * 500 + "}"})
    error = answer.json()["errors"][0]
    assert answer.json().get("data") is None
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "fields", "maximum": 250, "actual": 500}
    assert sql.count == 0


def test_a_fragment_counts_once_however_often_it_is_spread(production_app, client_for):
    client = client_for(production_app)
    fields = " ".join(f"f{n}: __typename" for n in range(20))
    spreads = " ".join(["...F"] * 100)
    answer = client.post("/graphql", json={"query": f"query {{ {spreads} }} fragment F on Query {{ {fields} }}"})
    assert all(e["extensions"].get("limit") != "fields" for e in answer.json().get("errors", [])), answer.json()
