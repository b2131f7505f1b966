"""Finding 1: a GET with `Accept: text/html` and a percent-encoded `query`
ran without a key, because the middleware searched the raw query string for
the bytes `query=` while strawberry decoded it. Access is now decided once,
on the decoded parameters, in the authentication middleware; the view serves
the GraphiQL page on that decision only."""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

DOCUMENT = quote("{customers(first:3){totalCount nodes{email name}}}", safe="")
NAMES = ("query", "operationName", "variables", "extensions")
ACCEPTS = (None, "text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "*/*")


def spellings(name: str) -> set[str]:
    """The name as is, in other cases, with each letter percent-encoded in
    lower- and upper-case hex, and wholly encoded."""
    found = {name, name.upper(), name.lower(), name.capitalize(), name.swapcase()}
    for index, letter in enumerate(name):
        for hex_digits in (f"{ord(letter):02x}", f"{ord(letter):02X}"):
            found.add(name[:index] + "%" + hex_digits + name[index + 1:])
    found.add("".join(f"%{ord(letter):02x}" for letter in name))
    found.add("".join(f"%{ord(letter):02X}" for letter in name))
    return found


def query_strings() -> list[str]:
    """Every spelling of every parameter name, each beside an encoded query."""
    values = {"query": DOCUMENT, "operationName": "Q", "variables": quote("{}"), "extensions": quote("{}")}
    found = []
    for name in NAMES:
        for spelling in sorted(spellings(name)):
            pairs = [f"{spelling}={values[name]}"]
            if name != "query":
                pairs.insert(0, f"%71uery={DOCUMENT}")
            found.append("&".join(pairs))
    return found


@pytest.fixture(params=["production", "development"])
def app(request, production_app, development_app):
    return production_app if request.param == "production" else development_app


@pytest.mark.parametrize("path", ["/graphql", "/metrics"])
def test_no_spelling_of_a_parameter_gets_past_the_key_check(app, anonymous, sql, path):
    client = anonymous(app)
    refused = 0
    for query_string, accept in itertools.product(query_strings(), ACCEPTS):
        headers = {"accept": accept} if accept else {}
        answer = client.get(f"{path}?{query_string}", headers=headers)
        # 401, or 429 once this client has failed too often: refused either way.
        assert answer.status_code in (401, 429), (path, query_string, accept, answer.status_code, answer.text[:200])
        assert "email" not in answer.text and "campaign_budget" not in answer.text
        assert answer.json()["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "THROTTLED")
        refused += 1
    assert refused > 100
    assert sql.count == 0  # refused from the headers alone


def test_the_graphiql_page_is_the_only_keyless_answer_of_graphql(development_app, anonymous, sql):
    client = anonymous(development_app)
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    # Any parameter at all, even one the service does not know, needs a key.
    for query_string in ("a=1", "%71uery=", "query", "=", "x=%7B%7D"):
        assert client.get(f"/graphql?{query_string}", headers={"accept": "text/html"}).status_code in (401, 429)
    # /metrics never serves a page.
    assert client.get("/metrics", headers={"accept": "text/html"}).status_code in (401, 429)
    assert sql.count == 0


# What answers without a key: the whole list. A route added later that
# answers a stranger fails here until it is named.
KEYLESS = {
    ("GET", "/"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/graphiql-assets/start.js"),
    ("GET", "/dashboard"),  # the ops page: no data until the admin key is pasted into it
}
KEYLESS_IN_DEVELOPMENT = {("GET", "/graphql")}  # the GraphiQL page, with Accept: text/html


@pytest.mark.parametrize("mode", ["production", "development"])
def test_every_route_answers_a_stranger_only_where_listed(mode, production_app, development_app, anonymous):
    app = production_app if mode == "production" else development_app
    client = anonymous(app)
    allowed = KEYLESS | (KEYLESS_IN_DEVELOPMENT if mode == "development" else set())
    seen = set()
    for route in app.routes:
        if isinstance(route, WebSocketRoute):  # subscriptions: the key comes in connection_init
            with client.websocket_connect(route.path, subprotocols=["graphql-transport-ws"]) as socket:
                socket.send_json({"type": "connection_init", "payload": {}})
                with pytest.raises(WebSocketDisconnect) as closed:
                    socket.receive_json()
            assert closed.value.code == 4401
            continue
        if isinstance(route, Mount):
            paths = [route.path + "/start.js"]
        else:
            assert isinstance(route, Route), route
            paths = [route.path]
        for path, method in itertools.product(paths, ("GET", "POST", "PUT", "DELETE", "PATCH")):
            answer = client.request(method, path, headers={"accept": "text/html"})
            if answer.status_code < 400:
                seen.add((method, path))
            else:
                assert answer.status_code in (401, 404, 405, 429), (method, path, answer.status_code)
                assert answer.headers["content-type"].startswith("application/json"), (method, path)
    assert seen == allowed


def test_every_refusal_has_the_one_error_shape(production_app, anonymous, client_for):
    """Every top-level refusal outside execution has GraphQL's error shape
    (the 401 and 503 bodies and Starlette's 404 and 405 differed)."""
    stranger, member = anonymous(production_app), client_for(production_app)
    refusals = {
        401: stranger.post("/graphql", json={"query": "{ __typename }"}),
        404: member.get("/nowhere"),
        405: member.put("/graphql", json={}),
        413: member.post("/graphql", content=b"x" * 2_000_000, headers={"content-type": "application/json"}),
        400: member.post("/graphql", content=b"{", headers={"content-type": "application/json"}),
    }
    for status, answer in refusals.items():
        assert answer.status_code == status, (status, answer.text)
        body = answer.json()
        assert set(body) == {"errors"} and len(body["errors"]) == 1, (status, body)
        error = body["errors"][0]
        assert set(error) == {"message", "extensions"} and isinstance(error["message"], str), (status, body)
        assert isinstance(error["extensions"]["code"], str), (status, body)
