"""GraphQL Cop's probes against the served service in production mode.

GraphQL Cop (dolevf/graphql-cop) is not installable here (its PyPI name is
an empty placeholder and git sources cannot be fetched), so this test sends
the same thirteen requests its checks send and judges each answer by the same
condition its check uses. Expected: no finding except directive overloading
(ten unknown-directive errors, refused in validation, which GraphQL Cop
counts as a finding) and, unless GET is turned off, queries over GET, which
are safe here because the key is a header no cross-site request can carry."""

from __future__ import annotations

import httpx2
import pytest

from ..servers import start_server, stop_server


def probes(url: str, key: str) -> dict[str, bool]:
    headers = {"Authorization": f"Bearer {key}"}

    def post(query, batch=False):
        payload = [{"query": query}] * 10 if batch else {"query": query, "operationName": "cop"}
        return httpx2.post(url, json=payload, headers=headers, timeout=60)

    def get(params=None, extra=None):
        return httpx2.get(url, params=params, headers={**headers, **(extra or {})}, timeout=60)

    def has(answer, *path):
        try:
            value = answer.json()
            for step in path:
                value = value[step]
            return bool(value)
        except (ValueError, KeyError, IndexError, TypeError):
            return False

    aliases = " ".join(f"alias{n}:__typename" for n in range(101))
    first_error = lambda answer: (answer.json().get("errors") or [{}])[0].get("message", "")  # noqa: E731
    batch = post("query cop { __typename }", batch=True)
    directives = post("query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    return {
        "alias overloading": has(post(f"query cop {{ {aliases} }}"), "data", "alias100"),
        "batch queries": isinstance(batch.json(), list) and len(batch.json()) >= 10,
        "circular introspection": len(
            ((post("query cop { __schema { types { fields { type { fields { type { fields { type "
                   "{ fields { type { name } } } } } } } } } } }").json().get("data") or {})
             .get("__schema") or {}).get("types") or []) > 25,
        "directive overloading": len(directives.json().get("errors") or []) == 10,
        "field duplication": has(post("query cop { " + "__typename \n" * 500 + "} "), "data", "__typename"),
        "field suggestions": "Did you mean" in first_error(post("query cop { __schema { directive } }")),
        "GET queries": has(get({"query": "query cop {__typename}"}), "data", "__typename"),
        "GraphiQL": any(word in get(extra={"Accept": "text/html"}).text
                        for word in ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")),
        "introspection": has(post("query cop { __schema { types { name fields { name } } } }"),
                             "data", "__schema", "types"),
        "POST without JSON (CSRF)": has(httpx2.post(url, data={"query": "query cop { __typename }"},
                                                    headers=headers, timeout=60), "data", "__typename"),
        "tracing": "'extensions': {'tracing':" in str(post("query cop { __typename }").json()).lower(),
        "unhandled errors": "'extensions': {'exception':" in str(post("qwerty cop { abc }").json()).lower(),
        "GET mutations": has(get({"query": "mutation cop {__typename}"}), "data", "__typename"),
    }


@pytest.mark.parametrize("get_queries", [True, False])
def test_graphql_cop_finds_nothing_but_directive_overloading(database_url, admin_key, get_queries):
    process, base_url = start_server(database_url, ENVIRONMENT="production",
                                     ALLOW_GET_QUERIES="true" if get_queries else "false")
    try:
        findings = {name for name, found in probes(f"{base_url}/graphql", admin_key).items() if found}
    finally:
        stop_server(process)
    expected = {"directive overloading"} | ({"GET queries"} if get_queries else set())
    assert findings == expected
