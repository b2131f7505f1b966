"""A hostile client, tried as one would: each attempt gets its exact refusal,
nothing is written, and limits act before any resolver or SQL runs."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from graphql_api.access.keys import revoke_key, split_key
from graphql_api.server.app import create_app
from graphql_api.access.ratelimit import MemoryBuckets

from ..conftest import make_key
from ..support import CREATE_CAMPAIGN, GraphQLClient, campaign_input, create_campaign, create_customer, snapshot

CREATE_CUSTOMER = 'mutation { createCustomer(input: {email: "eve@example.com", name: "Eve"}) { customer { id } userErrors { code } } }'


def post(client, body, **kwargs):
    return client.post("/graphql", content=json.dumps(body), headers={"content-type": "application/json", **kwargs.pop("headers", {})}, **kwargs)


class TestAuthentication:
    @pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer nonsense",
                                               "Bearer csk_000000000000_wrongsecret", "csk_only_the_key"])
    def test_missing_or_wrong_keys_are_unauthenticated(self, app, client_for, admin_engine, authorization):
        client = client_for(app)
        client.headers.pop("authorization")
        headers = {} if authorization is None else {"authorization": authorization}
        before = snapshot(admin_engine)
        response = post(client, {"query": CREATE_CUSTOMER}, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
        assert snapshot(admin_engine) == before

    def test_a_right_public_id_with_a_wrong_secret(self, app, client_for, admin_key):
        public_id = split_key(admin_key)[0]
        client = client_for(app, key=f"csk_{public_id}_{'x' * 43}")
        assert post(client, {"query": "{ __typename }"}).status_code == 401

    def test_a_revoked_key(self, settings, database, clock, client_for, database_url, admin_engine):
        key = make_key(database_url, "admin", "to revoke")
        app = create_app(replace(settings, api_key_cache_seconds=0), database=database, clock=clock)
        client = client_for(app, key=key)
        assert post(client, {"query": "{ __typename }"}).status_code == 200
        with Session(admin_engine) as session:
            assert revoke_key(session, split_key(key)[0], datetime.now(timezone.utc))
            session.commit()
        response = post(client, {"query": CREATE_CUSTOMER})
        assert response.status_code == 401 and "revoked" in response.json()["errors"][0]["message"]
        assert snapshot(admin_engine)["customers"] == []

    def test_the_graphiql_page_and_health_need_no_key(self, app, client_for):
        client = client_for(app)
        client.headers.pop("authorization")
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        assert client.get("/health").status_code == 200 and client.get("/").status_code == 200
        assert client.get("/graphql", params={"query": "{ __typename }"}).status_code == 401

    def test_repeated_failures_are_throttled_per_address(self, settings, database, clock, client_for):
        app = create_app(replace(settings, anonymous_rate_limit_capacity=3, anonymous_rate_limit_restore_rate=0.001),
                         database=database, clock=clock)
        client = client_for(app, key="csk_000000000000_guess")
        statuses = [post(client, {"query": "{ __typename }"}).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        throttled = post(client, {"query": "{ __typename }"})
        assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert int(throttled.headers["retry-after"]) >= 1


class TestRoles:
    @pytest.fixture
    def checkout(self, app, client_for, checkout_key):
        return GraphQLClient(client_for(app, key=checkout_key))

    def test_checkout_may_not_manage_campaigns(self, gql, checkout, admin_engine):
        campaign = create_campaign(gql)
        before = snapshot(admin_engine)
        attempts = [
            (CREATE_CAMPAIGN, {"input": campaign_input()}),
            ("mutation($id: ID!) { updateCampaign(id: $id, input: {name: \"x\"}) { userErrors { code } } }", {"id": campaign["id"]}),
            ("mutation($id: ID!) { deleteCampaign(id: $id) { userErrors { code } } }", {"id": campaign["id"]}),
        ]
        for query, variables in attempts:
            result = checkout.request(query, variables)
            assert result.status_code == 200
            assert result.codes == ["FORBIDDEN"], result.body
            assert "may not" in result.errors[0]["message"]
        assert snapshot(admin_engine) == before

    def test_checkout_may_do_the_checkout(self, gql, checkout):
        campaign = create_campaign(gql)
        customer = create_customer(checkout)
        data = checkout(
            """query($c: ID!, $id: ID!) {
                 campaign(id: $id) { name totalBudget usedBudget status }
                 campaigns { totalCount }
                 availableDiscounts(input: {customerId: $c, cartValue: "600"}) { bestCartDiscount { discountAmount } }
                 discountUsages(customerId: $c) { totalCount } }""",
            {"c": customer["id"], "id": campaign["id"]},
        )
        assert data["availableDiscounts"]["bestCartDiscount"]["discountAmount"] == "60.00"
        assert data["campaign"]["totalBudget"] == "10000.00"  # budgets are readable: see the README
        applied = checkout(
            'mutation($c: ID!, $u: ID!) { applyDiscount(input: {campaignId: $c, customerId: $u, cartValue: "600"}) { usage { id } userErrors { code } } }',
            {"c": campaign["id"], "u": customer["id"]},
        )["applyDiscount"]
        assert applied["userErrors"] == [] and applied["usage"]["id"]


class TestQueryLimits:
    @pytest.fixture
    def warm(self, gql, sql_counter):
        """A first request caches the key, so that later counts show only the request's own SQL."""
        gql("{ __typename }")
        sql_counter.reset()
        return sql_counter

    def assert_refused(self, gql, query, limit, sql_counter, variables=None):
        result = gql.request(query, variables)
        assert result.status_code == 200 and result.codes == ["QUERY_TOO_COMPLEX"], result.body
        assert result.errors[0]["extensions"].get("limit") == limit, result.body
        assert result.data is None
        assert sql_counter.count == 0  # refused before any resolver or SQL
        return result.errors[0]

    def test_depth_bomb(self, gql, warm):
        nested = "id"
        for _ in range(10):
            nested = f"customer {{ discountUsages {{ nodes {{ {nested} }} }} }}"
        query = f"{{ discountUsages(customerId: \"x\") {{ nodes {{ {nested} }} }} }}"
        error = self.assert_refused(gql, query, "depth", warm)
        assert error["extensions"]["maximum"] == 12 and error["extensions"]["actual"] == 33

    def test_depth_through_fragments(self, gql, warm):
        fragments = "".join(
            f"fragment F{i} on Customer {{ discountUsages {{ nodes {{ customer {{ ...F{i + 1} }} }} }} }} " for i in range(5)
        ) + "fragment F5 on Customer { id }"
        self.assert_refused(gql, "{ customers { nodes { ...F0 } } } " + fragments, "depth", warm)

    def test_alias_flood(self, gql, warm):
        query = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
        self.assert_refused(gql, query, "aliases", warm)

    def test_too_many_tokens(self, gql, warm):
        query = "{ __typename " + "... on Query { __typename } " * 400 + "}"  # 2,400 tokens in 11 kB
        self.assert_refused(gql, query, "tokens", warm)

    def test_document_too_large(self, gql, warm):
        query = "{ __typename }" + " " * 40_000
        self.assert_refused(gql, query, "documentSize", warm)

    def test_cost_over_the_limit(self, gql, warm):
        query = "{ customers(first: 100) { nodes { discountUsages(first: 100) { nodes { id } } } } }"
        error = self.assert_refused(gql, query, "cost", warm)
        assert error["extensions"]["maximum"] == 5000
        assert error["extensions"]["actual"] == 1 + 100 * (1 + 1 + 100)

    def test_first_far_too_large_is_invalid_input_before_any_sql(self, gql, warm):
        result = gql.request("{ customers(first: 100000) { nodes { id } } }")
        assert result.codes == ["INVALID_INPUT"] and warm.count == 0

    def test_cost_is_reported_requested_and_actual(self, gql):
        for _ in range(3):
            create_customer(gql)
        body = gql.request("{ customers(first: 5) { nodes { id } } }").body
        cost = body["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 1 + 5  # the connection, and up to 5 customers
        assert cost["actualQueryCost"] == 1 + 3
        assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}

    def test_a_prepared_document_costs_what_its_variables_ask_for(self, gql):
        """From its second run a document is prepared and keeps its cost
        analysis; a slicing argument that is a variable is read every time."""
        create_customer(gql)
        sliced = "query($first: Int!) { customers(first: $first) { nodes { id } } }"
        fixed = "{ customers(first: 7) { nodes { id } } }"
        for first in (5, 20, 5, 1):
            cost = gql.request(sliced, {"first": first}).body["extensions"]["cost"]
            assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (1 + first, 1 + 1)
            cost = gql.request(fixed).body["extensions"]["cost"]
            assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (1 + 7, 1 + 1)

    def test_actual_cost_counts_the_objects_returned(self, gql):
        customer = create_customer(gql)
        create_campaign(gql, name="a")
        create_campaign(gql, name="b")
        query = """query($input: CartInput!) { availableDiscounts(input: $input) {
            cartDiscounts { campaign { id } savings }
            cheapest: deliveryDiscounts { ...Offer }
            bestCartDiscount { ...Offer discountAmount }
            bestDeliveryDiscount { campaign { name } } } }
            fragment Offer on DiscountOffer { isBest campaign { name } }"""
        body = gql.request(query, {"input": {"customerId": customer["id"], "cartValue": "600"}}).body
        assert len(body["data"]["availableDiscounts"]["cartDiscounts"]) == 2
        cost = body["extensions"]["cost"]
        # @cost 5, the payload 1, two offers with a campaign each 2 x 2, no delivery
        # offers, the best cart offer and its campaign 2, no best delivery offer.
        assert cost["actualQueryCost"] == 5 + 1 + 2 * 2 + 0 + 2 + 0
        # The offer lists are sized by their bound, `first`, 100 by default.
        assert cost["requestedQueryCost"] == 5 + 1 + 100 * 2 + 100 * 2 + 2 + 2
        bounded = query.replace("cartDiscounts {", "cartDiscounts(first: 3) {")
        body = gql.request(bounded, {"input": {"customerId": customer["id"], "cartValue": "600"}}).body
        assert body["extensions"]["cost"]["requestedQueryCost"] == 5 + 1 + 3 * 2 + 100 * 2 + 2 + 2

    def test_a_skipped_object_costs_nothing_however_the_list_is_counted(self, gql):
        customer = create_customer(gql)
        create_campaign(gql, name="a")
        create_campaign(gql, name="b")
        cart = {"input": {"customerId": customer["id"], "cartValue": "600"}}
        actual = [gql.request(f"""query($input: CartInput!) {{ availableDiscounts(input: $input) {{
            cartDiscounts {{ {selection} discountAmount }} }} }}""", cart).body["extensions"]["cost"]["actualQueryCost"]
            for selection in ("campaign @skip(if: true) { id }", "", "campaign { id }")]
        assert actual == [5 + 1 + 2, 5 + 1 + 2, 5 + 1 + 2 * 2]


class TestRateLimit:
    def test_a_burst_exhausts_the_bucket_and_the_refill_restores_it(self, settings, database, clock, client_for):
        now = [0.0]
        buckets = MemoryBuckets(clock=lambda: now[0])
        app = create_app(replace(settings, rate_limit_capacity=20, rate_limit_restore_rate=2),
                         database=database, clock=clock, buckets=buckets)
        gql = GraphQLClient(client_for(app))
        query = "{ customers(first: 4) { nodes { id } } }"  # requests 1 + 4; with no customers it uses 1
        results = [gql.request(query) for _ in range(30)]
        statuses = [r.status_code for r in results]
        throttled = [r for r in results if r.status_code == 429]
        assert throttled, statuses
        first_refusal = throttled[0]
        assert first_refusal.codes == ["THROTTLED"]
        status = first_refusal.body["extensions"]["cost"]["throttleStatus"]
        assert status["maximumAvailable"] == 20 and status["restoreRate"] == 2 and status["currentlyAvailable"] < 5
        # Each allowed request drew 5 and got back 4 (nothing to list): 1 point net;
        # each refusal cost 1 point too, while the bucket held one.
        assert statuses.count(200) == 16
        now[0] += 2.5  # 5 points back
        assert gql.request(query).status_code == 200

    def test_guessing_coupon_codes_is_throttled(self, settings, database, clock, client_for):
        """A code that reaches nothing costs failed_code_cost on top of the
        query: guessing empties the bucket long before plain reads would."""
        now = [0.0]
        app = create_app(replace(settings, rate_limit_capacity=2000, rate_limit_restore_rate=1,
                                 failed_code_cost=100),
                         database=database, clock=clock, buckets=MemoryBuckets(clock=lambda: now[0]))
        gql = GraphQLClient(client_for(app))
        customer = create_customer(gql)
        query = "query($i: CartInput!) { availableDiscounts(input: $i) { rejectedCouponCodes } }"

        def ask(codes):
            return gql.request(query, {"i": {"customerId": customer["id"], "cartValue": "1", "couponCodes": codes}})

        plain = [ask([]) for _ in range(20)]
        assert all(r.status_code == 200 for r in plain)
        guesses = [ask([f"GUESS{n}{m}" for m in range(5)]) for n in range(10)]
        statuses = [r.status_code for r in guesses]
        # 5 x 100 points per request: the bucket of 2000 holds three or four of them.
        assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429, statuses
        assert guesses[0].body["extensions"]["cost"]["actualQueryCost"] >= 500
        # The penalty is taken into debt: an empty bucket does not make guessing free.
        answered = 0
        for _ in range(10):
            now[0] += 10  # 10 points back each time, enough for a query but not for its guesses
            answered += ask([f"MORE{m}" for m in range(5)]).status_code == 200
        assert answered <= 1

    def test_retry_after_says_when(self, settings, database, clock, client_for):
        now = [0.0]
        app = create_app(replace(settings, rate_limit_capacity=10, rate_limit_restore_rate=1),
                         database=database, clock=clock, buckets=MemoryBuckets(clock=lambda: now[0]))
        client = client_for(app)
        costly = {"query": "{ customers(first: 9) { nodes { id } } }"}  # requests 1 + 9, uses 1
        first = post(client, costly)
        assert first.status_code == 200
        assert first.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 9
        refused = post(client, costly)  # costs 1 point: 8 left, 2 short of the next try
        assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
        assert refused.json()["errors"][0]["extensions"] == {"code": "THROTTLED", "retryAfter": 2}
        now[0] += 2.0
        assert post(client, costly).status_code == 200


class TestHttpHygiene:
    def test_batches_are_off_by_default(self, http, admin_engine):
        response = post(http, [{"query": CREATE_CUSTOMER}] * 1000)
        assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert snapshot(admin_engine)["customers"] == []

    def test_batches_when_enabled_are_capped(self, settings, database, clock, client_for, admin_engine):
        app = create_app(replace(settings, batch_max_operations=5), database=database, clock=clock)
        client = client_for(app)
        too_many = post(client, [{"query": "{ __typename }"}] * 1000)
        assert too_many.status_code == 400 and "Too many operations" in too_many.json()["errors"][0]["message"]
        ok = post(client, [{"query": "{ __typename }"}, {"query": "{ customers { totalCount } }"}])
        assert ok.status_code == 200 and [r["data"] for r in ok.json()] == [
            {"__typename": "Query"}, {"customers": {"totalCount": 0}}]

    def test_a_malformed_entry_of_a_batch_answers_for_itself(self, settings, database, clock, client_for,
                                                              admin_engine):
        """The other entries run all the same: a 400 for the whole request
        would hide a mutation that committed."""
        client = client_for(create_app(replace(settings, batch_max_operations=5), database=database, clock=clock))
        answer = post(client, [{"query": CREATE_CUSTOMER}, {"query": ""}, {"query": "query A { __typename }",
                                                                            "operationName": "B"}])
        assert answer.status_code == 200
        created, missing, unknown = answer.json()
        assert created["data"]["createCustomer"]["customer"]["id"]
        assert missing["errors"][0]["extensions"]["code"] == unknown["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert len(snapshot(admin_engine)["customers"]) == 1

    def test_a_ten_megabyte_body(self, http, admin_engine):
        response = post(http, {"query": "{ __typename }", "variables": {"x": "y" * 10_000_000}})
        assert response.status_code == 413 and response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

    def test_methods_other_than_get_and_post_are_405(self, http):
        for method in ("HEAD", "PUT", "DELETE"):
            response = http.request(method, "/graphql", content='{"query": "{ __typename }"}',
                                    headers={"content-type": "application/json"})
            assert response.status_code == 405, (method, response.text)
        assert http.request("PUT", "/graphql").json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"

    def test_a_mutation_over_get(self, http, admin_engine):
        response = http.get("/graphql", params={"query": CREATE_CUSTOMER})
        assert response.status_code in (400, 405)
        assert response.json()["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "METHOD_NOT_ALLOWED")
        assert snapshot(admin_engine)["customers"] == []

    @pytest.mark.parametrize("content_type, body", [
        ("application/x-www-form-urlencoded", "query=" + CREATE_CUSTOMER),
        ("text/plain", json.dumps({"query": CREATE_CUSTOMER})),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n--x--"),
    ])
    def test_cross_site_form_posts_are_refused(self, http, admin_engine, content_type, body):
        response = http.post("/graphql", content=body, headers={"content-type": content_type})
        assert response.status_code == 400
        assert snapshot(admin_engine)["customers"] == []

    def test_security_headers(self, http):
        api = http.post("/graphql", json={"query": "{ __typename }"})
        assert api.headers["x-content-type-options"] == "nosniff" and api.headers["x-frame-options"] == "DENY"
        assert api.headers["content-security-policy"].startswith("default-src 'none'")
        for name in ("x-content-type-options", "x-frame-options", "referrer-policy", "strict-transport-security",
                     "cross-origin-opener-policy", "content-security-policy", "x-request-id", "x-process-time"):
            assert len(api.headers.get_list(name)) == 1, name
        page = http.get("/graphql", headers={"accept": "text/html"})
        assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
        assert http.get("/health").headers["x-frame-options"] == "DENY"

    def test_cors_for_configured_origins_only(self, settings, database, clock, client_for):
        app = create_app(replace(settings, cors_allowed_origins=("https://shop.example",)), database=database, clock=clock)
        client = client_for(app)
        preflight = {"origin": "https://shop.example", "access-control-request-method": "POST",
                     "access-control-request-headers": "authorization, content-type"}
        allowed = client.options("/graphql", headers=preflight)
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://shop.example"
        refused = client.options("/graphql", headers={**preflight, "origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers

    def test_requests_without_an_id_get_a_new_unique_one(self, gql):
        ids = [gql.http.post("/graphql", json={"query": "{ __typename }"}).headers["x-request-id"] for _ in range(3)]
        assert len(set(ids)) == 3
        assert all(len(request_id) == 32 and int(request_id, 16) >= 0 for request_id in ids)

    def test_a_forked_process_does_not_repeat_its_parents_request_ids(self):
        import os

        from graphql_api.server.middleware.request_context import request_ids

        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            os.write(write_end, request_ids.new().encode())
            os._exit(0)
        os.waitpid(child, 0)
        in_child = os.read(read_end, 64).decode()
        os.close(read_end)
        os.close(write_end)
        assert in_child[:16] != request_ids.new()[:16]

    def test_unexpected_exceptions_are_masked_and_logged_with_the_request_id(self, gql, monkeypatch, caplog):
        from graphql_api.graphql.customers import resolvers

        def explode(*_args):
            raise RuntimeError("secret internals: SELECT * FROM customers")

        monkeypatch.setattr(resolvers, "customers_page", explode)
        with caplog.at_level(logging.ERROR):
            result = gql.http.post("/graphql", json={"query": "{ customers { totalCount } }"}, headers={"x-request-id": "req-42"})
        body = result.json()
        assert result.status_code == 200 and result.headers["x-request-id"] == "req-42"
        assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
        assert "secret" not in json.dumps(body) and "SELECT" not in json.dumps(body)
        assert "req-42" in caplog.text and "secret internals" in caplog.text

    def test_statement_timeout(self, settings, clock, client_for, monkeypatch):
        from graphql_api.graphql.customers import resolvers

        def slow_page(session, request):
            session.execute(text("SELECT pg_sleep(2)"))

        monkeypatch.setattr(resolvers, "customers_page", slow_page)
        impatient = replace(settings, db_statement_timeout_ms=100)
        database = impatient.database()
        gql = GraphQLClient(client_for(create_app(impatient, database=database, clock=clock)))
        result = gql.request("{ customers { totalCount } }")
        database.dispose()
        assert result.codes == ["SERVICE_UNAVAILABLE"]
        assert result.errors[0]["extensions"]["reason"] == "STATEMENT_TIMEOUT"

    def test_request_time_limit(self, settings, database, clock, client_for, monkeypatch):
        import anyio

        app = create_app(replace(settings, request_timeout_seconds=0.2), database=database, clock=clock)
        gql = GraphQLClient(client_for(app))
        gql("{ __typename }")  # the key is cached from here on

        async def stuck(*_args, **_kwargs):
            await anyio.sleep(30)

        monkeypatch.setattr(database, "read", stuck)
        result = gql.request("{ customers { totalCount } }")
        assert result.codes == ["SERVICE_UNAVAILABLE"]
        assert result.errors[0]["extensions"]["reason"] == "REQUEST_TIMEOUT"
        assert "0.2 s" in result.errors[0]["message"]


class TestProductionMode:
    @pytest.fixture
    def production(self, settings, database, clock, client_for):
        prod = replace(settings, environment="production", graphiql=False, allow_introspection=False)
        return client_for(create_app(prod, database=database, clock=clock))

    def test_no_introspection_and_no_suggestions(self, production):
        introspection = post(production, {"query": "{ __schema { types { name } } }"})
        assert introspection.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        typo = post(production, {"query": "{ custmers { totalCount } }"})
        assert typo.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "Did you mean" not in typo.text

    def test_no_graphiql(self, production):
        page = production.get("/graphql", headers={"accept": "text/html"})
        # A GET with no query: refused as such, never the GraphiQL page.
        assert page.status_code == 400 and page.headers["content-type"].startswith("application/json")
        assert page.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert "graphiql" not in page.text.lower()

    def test_development_mode_suggests(self, http):
        assert "Did you mean" in post(http, {"query": "{ custmers { totalCount } }"}).text
