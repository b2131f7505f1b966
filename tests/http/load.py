"""Small load-driving helpers shared by the served-process tests."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx2
from sqlalchemy import text

from ..support import APPLY, CREATE_CAMPAIGN, USER_ERRORS, campaign_input

# Liveness bound only: a hung server would never answer.
REQUEST_TIMEOUT = httpx2.Timeout(120.0)


def api_client(base_url: str, key: str, **options) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        base_url=base_url, timeout=REQUEST_TIMEOUT, headers={"Authorization": f"Bearer {key}"}, **options
    )


async def post(client, query, variables):
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def make_customers(client, count, prefix):
    query = f"mutation($i: CreateCustomerInput!) {{ createCustomer(input: $i) {{ customer {{ id }} {USER_ERRORS} }} }}"
    results = await asyncio.gather(*[
        post(client, query, {"i": {"email": f"{prefix}{n}@example.com", "name": f"{prefix} {n}"}}) for n in range(count)
    ])
    return [r["createCustomer"]["customer"]["id"] for r in results]


# budgetSlots of the campaigns make_campaign creates, unless a test gives its
# own: test_hot_campaign_mode runs the race tests again with 16.
BUDGET_SLOTS = 1


async def make_campaign(client, **overrides):
    now = datetime.now(timezone.utc)
    values = {"startDate": (now - timedelta(days=1)).isoformat(), "endDate": (now + timedelta(days=30)).isoformat(),
              "budgetSlots": BUDGET_SLOTS}
    data = await post(client, CREATE_CAMPAIGN, {"input": campaign_input(**{**values, **overrides})})
    assert data["createCampaign"]["userErrors"] == []
    return data["createCampaign"]["campaign"]


def apply_input(campaign_id, customer_id, **extra):
    return {"input": {"campaignId": campaign_id, "customerId": customer_id, "cartValue": "600", **extra}}


async def apply_all(base_urls, key, inputs, clients):
    """Send the applies round-robin over the servers in `base_urls`, `clients`
    connections in all."""
    return await send_all(base_urls, key, APPLY, inputs, clients, "applyDiscount")


async def send_all(base_urls, key, query, inputs, clients, field):
    """Send `query` with each of `inputs` round-robin over the servers in
    `base_urls`, `clients` connections in all, all at once; each answer's `field`."""
    per_server = max(1, clients // len(base_urls))
    limits = httpx2.Limits(max_connections=per_server, max_keepalive_connections=per_server)
    http_clients = [api_client(url, key, limits=limits) for url in base_urls]
    try:
        results = await asyncio.gather(*[
            post(http_clients[n % len(http_clients)], query, variables) for n, variables in enumerate(inputs)
        ])
    finally:
        for client in http_clients:
            await client.aclose()
    return [r[field] for r in results]


# The campaigns with their figures as the service promises them: in
# hot-campaign mode, what the pool counts less what its slots still hold.
CAMPAIGNS = """(
    SELECT c.id, c.name, c.total_budget, c.used_budget - coalesce(s.budget, 0) AS used_budget,
           c.usage_count - coalesce(s.uses, 0) AS usage_count
    FROM campaigns c
    LEFT JOIN (SELECT campaign_id, sum(budget) AS budget, sum(uses) AS uses FROM campaign_budget_slots
               GROUP BY campaign_id) s ON s.campaign_id = c.id)"""


def ledger(engine):
    """Per campaign: used_budget, total_budget, sum of usages, usage count."""
    with engine.connect() as connection:
        return connection.execute(text(f"""
            SELECT c.id, c.used_budget, c.total_budget,
                   coalesce(sum(u.discount_amount), 0) AS usage_sum, count(u.id) AS usages
            FROM {CAMPAIGNS} c LEFT JOIN discount_usages u ON u.campaign_id = c.id
            GROUP BY c.id, c.used_budget, c.total_budget ORDER BY c.id""")).all()


def outcome(payload):
    return "OK" if payload["usage"] else payload["userErrors"][0]["code"]
