"""Logs and metrics from a real server process: JSON request lines with the
request id, business events with ids and amounts (never keys), the three log
files under LOG_DIR, and Prometheus counters that move by exactly what was done,
also summed across worker processes."""

from __future__ import annotations

import json
import time
import logging
import sys

import httpx2
import pytest

from graphql_api.graphql.ids import decode_id
from graphql_api.observability.logs import JsonFormatter

from ..conftest import make_key
from ..servers import server_log, start_server, stop_server
from ..support import APPLY, CREATE_CAMPAIGN, campaign_input


def gql(base_url, key, query, variables=None, **headers):
    response = httpx2.post(f"{base_url}/graphql", json={"query": query, "variables": variables or {}},
                           headers={"Authorization": f"Bearer {key}", **headers}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def make_world(base_url, key):
    customer = gql(base_url, key, 'mutation { createCustomer(input: {email: "obs@example.com", name: "Obs"}) { customer { id } } }')
    customer_id = customer.json()["data"]["createCustomer"]["customer"]["id"]
    campaign = gql(base_url, key, CREATE_CAMPAIGN, {"input": campaign_input(
        discountPercentage=..., discountFlat="30.00", totalBudget="60", maxUsagePerCustomerPerDay=5,
        startDate="2020-01-01T00:00:00Z", endDate="2099-01-01T00:00:00Z")})
    return customer_id, campaign.json()["data"]["createCampaign"]["campaign"]["id"]


def apply_three(base_url, key, customer_id, campaign_id):
    """Two applies of 30.00 spend the budget of 60; the third is refused."""
    return [
        gql(base_url, key, APPLY, {"input": {"campaignId": campaign_id, "customerId": customer_id, "cartValue": "100"}},
            **{"X-Request-ID": f"apply-{n}"})
        for n in range(3)
    ]


def sample(metrics_text: str, name: str, **labels) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def scrape(base_url, key):
    response = httpx2.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def logged_lines(process, until_request: str) -> list[dict]:
    """The server's JSON lines, once the request named has been logged: a
    writer thread writes them, just after the response has gone."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in server_log(process).splitlines() if line.startswith("{")]
        if any(line.get("request_id") == until_request for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@pytest.fixture
def observed_server(database_url, tmp_path, admin_key):
    process, base_url = start_server(database_url, LOG_DIR=str(tmp_path), LOG_FORMAT="json", LOG_LEVEL="INFO")
    yield process, base_url, tmp_path
    stop_server(process)


def test_request_lines_events_and_log_files(observed_server, admin_key):
    process, base_url, log_dir = observed_server
    customer_id, campaign_id = make_world(base_url, admin_key)
    responses = apply_three(base_url, admin_key, customer_id, campaign_id)
    assert [r.headers["x-request-id"] for r in responses] == ["apply-0", "apply-1", "apply-2"]
    assert all(float(r.headers["x-process-time"]) > 0 for r in responses)

    lines = logged_lines(process, until_request="apply-2")
    requests = {line["request_id"]: line for line in lines if line["logger"] == "graphql_api.requests"}
    first = requests["apply-0"]
    assert first["operation_type"] == "mutation" and first["status"] == 200 and first["outcome"] == "ok"
    assert first["method"] == "POST" and first["path"] == "/graphql" and first["duration_ms"] > 0
    assert first["client"] == "127.0.0.1" and first["key_id"] == admin_key.split("_")[1]

    events = [line for line in lines if line["logger"] == "graphql_api.events"]
    kinds = [event["event"] for event in events]
    assert kinds.count("discount.applied") == 2 and kinds.count("discount.refused") == 1
    assert "campaign.created" in kinds and "customer.created" in kinds and "campaign.budget_exhausted" in kinds
    applied = next(e for e in events if e["event"] == "discount.applied")
    assert applied["discount_amount"] == "30.00" and applied["original_amount"] == "100.00"
    assert next(e for e in events if e["event"] == "discount.refused")["reason"] == "BUDGET_EXHAUSTED"

    everything = server_log(process)
    assert admin_key not in everything and admin_key.split("_", 2)[2] not in everything
    assert "obs@example.com" not in everything

    files = {path.name for path in log_dir.iterdir()}
    assert {"campaign_service.log", "errors.log", "api_requests.log"} <= files
    api_requests = [json.loads(line) for line in (log_dir / "api_requests.log").read_text().splitlines()]
    assert api_requests and {line["logger"] for line in api_requests} == {"graphql_api.requests"}
    assert "discount.applied" in (log_dir / "campaign_service.log").read_text()


def test_errors_carry_their_stack_trace_and_request_id():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("graphql_api.errors", logging.ERROR, __file__, 1, "unexpected error in request %s",
                                   ("req-9",), sys.exc_info())
    record.request_id = "req-9"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-9" and "req-9" in line["message"]
    assert "Traceback" in line["exception"] and "RuntimeError: boom" in line["exception"]


def test_metrics_move_by_what_was_done(observed_server, admin_key, database_url):
    _process, base_url, _ = observed_server
    before = scrape(base_url, admin_key)
    customer_id, campaign_id = make_world(base_url, admin_key)
    apply_three(base_url, admin_key, customer_id, campaign_id)
    gql(base_url, admin_key, "query Listing { campaigns { totalCount } }")
    after = scrape(base_url, admin_key)

    def moved(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("campaign_discount_applies_total", outcome="applied") == 2
    assert moved("campaign_discount_applies_total", outcome="BUDGET_EXHAUSTED") == 1
    assert moved("campaign_discount_amount_applied_total", discount_type="CART") == 60.0
    assert moved("campaign_graphql_requests_total", operation_name="Listing", operation_type="query", outcome="ok") == 1
    assert moved("campaign_graphql_request_duration_seconds_count", operation_name="Listing") == 1
    assert moved("campaign_graphql_requests_total", operation_type="mutation") == 5
    pk = decode_id(campaign_id, "Campaign")
    assert sample(after, "campaign_budget_used", campaign_id=pk) == 60.0
    assert sample(after, "campaign_budget_total", campaign_id=pk) == 60.0
    for pool in ("read", "write"):  # both pools reported, none left checked out
        assert f'campaign_db_pool_connections_in_use{{pool="{pool}"}} 0.0' in after

    checkout = make_key(database_url, "checkout", "metrics")
    assert httpx2.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {checkout}"}).status_code == 403
    assert httpx2.get(f"{base_url}/metrics").status_code == 401


def test_metrics_add_up_across_worker_processes(database_url, admin_key):
    process, base_url = start_server(database_url, "--workers", "2")
    try:
        before = sample(scrape(base_url, admin_key), "campaign_graphql_requests_total", operation_name="Count")
        for _ in range(40):  # spread over both workers by the kernel
            gql(base_url, admin_key, "query Count { customers { totalCount } }")
        after = sample(scrape(base_url, admin_key), "campaign_graphql_requests_total", operation_name="Count")
        assert after - before == 40
    finally:
        stop_server(process)
