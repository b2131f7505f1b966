"""Top-level error codes: one enum, seen as its plain strings everywhere
(bodies, metrics labels, log lines); the token limit told apart from a real
syntax error by where the parser stopped, not by its message."""

from __future__ import annotations

from dataclasses import replace

from graphql_api.error_codes import TopLevelCode
from graphql_api.server.app import create_app

from ..support import GraphQLClient


def test_codes_are_their_plain_strings():
    assert str(TopLevelCode.THROTTLED) == f"{TopLevelCode.THROTTLED}" == "THROTTLED"


def test_metrics_label_a_refusal_by_its_code(http):
    http.post("/graphql", json={"query": "{ nope"})
    metrics = http.get("/metrics").text
    assert 'outcome="GRAPHQL_PARSE_FAILED"' in metrics and "TopLevelCode" not in metrics


def test_a_syntax_error_in_a_long_document_is_a_syntax_error(settings, database, clock, client_for):
    gql = GraphQLClient(client_for(create_app(replace(settings, max_tokens=50), database=database, clock=clock)))
    broken = "{ __typename ( } " + "a " * 100  # the error comes before the 51st token
    assert gql.request(broken).codes == ["GRAPHQL_PARSE_FAILED"]
    too_long = "{ " + "__typename " * 100 + "}"
    refused = gql.request(too_long)
    assert refused.codes == ["QUERY_TOO_COMPLEX"]
    assert refused.errors[0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "tokens", "maximum": 50}
