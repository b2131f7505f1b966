"""Webhooks through the API: what an endpoint may be, the secret shown once,
roles, and the outbox written in the change's own transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from graphql_api.server.app import create_app

from ..support import GraphQLClient, create_campaign, snapshot

CREATE = """mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id url events } secret
  userErrors { field code message } } }"""
LOG = "{ webhooks { nodes { url deliveries { totalCount nodes { attempts deliveredAt } } } } }"


def create(gql, url, events=("BUDGET_THRESHOLD",)):
    return gql(CREATE, {"i": {"url": url, "events": list(events)}})["createWebhook"]


@pytest.fixture
def private_gql(settings, database, clock, client_for):
    allowed = replace(settings, webhook_allow_private_addresses=True)
    return GraphQLClient(client_for(create_app(allowed, database=database, clock=clock)))


@pytest.mark.parametrize("url, field", [
    ("ftp://example.com/hook", "url"), ("not a url", "url"), ("http://user:pw@example.com/", "url"),
    ("http://127.0.0.1:9/hook", "url"), ("http://localhost/hook", "url"), ("http://10.1.2.3/hook", "url"),
    ("http://169.254.169.254/latest/meta-data", "url"), ("http://[::1]/hook", "url"),
    ("https://" + "a" * 2050 + ".example", "url"),
])
def test_an_endpoint_that_is_not_a_public_http_url_is_refused(gql, admin_engine, url, field):
    before = snapshot(admin_engine)
    refused = create(gql, url)
    assert refused["webhook"] is None and refused["secret"] is None
    assert [e["field"] for e in refused["userErrors"]] == [["input", field]]
    assert snapshot(admin_engine) == before


def test_no_events_is_refused(private_gql):
    refused = create(private_gql, "http://127.0.0.1:9/hook", events=())
    assert [e["field"] for e in refused["userErrors"]] == [["input", "events"]]


def test_a_deployment_may_allow_private_endpoints_and_the_secret_is_shown_once(private_gql):
    created = create(private_gql, "http://127.0.0.1:9/hook", events=("EXHAUSTED", "BUDGET_THRESHOLD"))
    assert created["userErrors"] == [] and created["secret"].startswith("whsec_")
    assert created["webhook"]["events"] == ["BUDGET_THRESHOLD", "EXHAUSTED"]
    listed = private_gql("{ webhooks { nodes { url events } } }")["webhooks"]["nodes"]
    assert listed == [{"url": "http://127.0.0.1:9/hook", "events": ["BUDGET_THRESHOLD", "EXHAUSTED"]}]
    assert created["secret"] not in str(private_gql(LOG))


def test_the_outbox_is_written_with_the_change_and_only_for_the_kinds_asked(private_gql, admin_engine):
    create(private_gql, "http://127.0.0.1:9/hook", events=("UPDATED",))
    campaign = create_campaign(private_gql)  # CREATED: not asked for
    mutation = "mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { userErrors { code } } }"
    assert private_gql(mutation, {"id": campaign["id"], "i": {"totalBudget": "-1"}})["updateCampaign"]["userErrors"]
    private_gql(mutation, {"id": campaign["id"], "i": {"name": "Renamed"}})
    with admin_engine.connect() as connection:
        rows = connection.execute(text("SELECT e.kind FROM webhook_deliveries d JOIN campaign_events e "
                                       "ON e.id = d.event_id")).scalars().all()
    assert rows == ["UPDATED"]  # the failed update queued nothing
    log = private_gql(LOG)["webhooks"]["nodes"][0]["deliveries"]
    assert log == {"totalCount": 1, "nodes": [{"attempts": 0, "deliveredAt": None}]}


def test_checkout_keys_may_not_manage_webhooks(gql, app, client_for, checkout_key):
    checkout = GraphQLClient(client_for(app, checkout_key))
    assert checkout.error(CREATE, {"i": {"url": "https://example.com/hook", "events": ["EXHAUSTED"]}}).codes == \
        ["FORBIDDEN"]
    assert checkout.error("{ webhooks { totalCount } }").codes == ["FORBIDDEN"]
