"""Two server processes on two ports, one database: budgets, daily limits and
idempotency keys hold exactly as with one process."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import pytest

from ..servers import started
from .load import api_client, apply_all, apply_input, ledger, make_campaign, make_customers, outcome

pytestmark = pytest.mark.concurrency


@pytest.fixture(scope="module")
def two_servers(database_url):
    with started(database_url, 2, DB_POOL_SIZE="4") as urls:
        yield urls


def test_shared_campaigns_and_customers_across_two_processes(two_servers, admin_engine, admin_key):
    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            customers = await make_customers(client, 60, "scale")
            budgeted = await make_campaign(client, name="budget for 40", discountPercentage=..., discountFlat="5.00",
                                           totalBudget="200", maxUsagePerCustomerPerDay=10)
            limited = await make_campaign(client, name="twice a day", maxUsagePerCustomerPerDay=2)
        inputs = (
            [apply_input(budgeted["id"], customers[n % 60]) for n in range(120)]
            + [apply_input(limited["id"], customers[0]) for _ in range(20)]
            + [apply_input(limited["id"], customers[1], idempotencyKey="one-order") for _ in range(20)]
        )
        return budgeted, limited, await apply_all(two_servers, admin_key, inputs, clients=40)

    budgeted, limited, payloads = asyncio.run(scenario())
    assert Counter(outcome(p) for p in payloads[:120]) == {"OK": 40, "BUDGET_EXHAUSTED": 80}
    assert Counter(outcome(p) for p in payloads[120:140]) == {"OK": 2, "DAILY_LIMIT_REACHED": 18}
    keyed = payloads[140:]
    assert all(p["userErrors"] == [] for p in keyed) and len({p["usage"]["id"] for p in keyed}) == 1

    rows = {row.id: row for row in ledger(admin_engine)}
    budget_row, limited_row = rows.values()
    assert budget_row.used_budget == budget_row.total_budget == budget_row.usage_sum == Decimal("200.00")
    assert budget_row.usages == 40
    assert limited_row.usages == 3 and limited_row.used_budget == limited_row.usage_sum == Decimal("180.00")
