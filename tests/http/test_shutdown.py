"""SIGTERM under load: the server stops accepting, finishes what is in
flight, closes its pool and exits 0; every apply committed whole or not at all."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys

import httpx2
import pytest
from sqlalchemy import text

from ..support import APPLY
from ..servers import start_server
from .load import api_client, apply_input, make_campaign, make_customers

pytestmark = pytest.mark.concurrency


def test_sigterm_mid_load(database_url, admin_engine, admin_key):
    process, base_url = start_server(database_url, DB_POOL_SIZE="4", SHUTDOWN_GRACE_SECONDS="20")
    keys = itertools.count()
    answered_ok: set[str] = set()
    sent: set[str] = set()
    refused = []

    async def scenario():
        async with api_client(base_url, admin_key) as setup:
            customers = await make_customers(setup, 20, "term")
            campaign = await make_campaign(setup, maxUsagePerCustomerPerDay=10_000, totalBudget="9999999")

        async def worker():
            # One connection per worker, as a checkout backend keeps them.
            async with api_client(base_url, admin_key) as client:
                while process.poll() is None:
                    key = f"term-{next(keys)}"
                    sent.add(key)
                    variables = apply_input(campaign["id"], customers[len(sent) % 20], idempotencyKey=key)
                    try:
                        response = await client.post("/graphql", json={"query": APPLY, "variables": variables})
                    except httpx2.TransportError as error:  # the server stopped accepting
                        refused.append(type(error).__name__)
                        await asyncio.sleep(0.01)
                        continue
                    assert response.status_code == 200, response.text
                    payload = response.json()["data"]["applyDiscount"]
                    assert payload["userErrors"] == [], payload
                    answered_ok.add(key)

        workers = [asyncio.create_task(worker()) for _ in range(16)]
        while len(answered_ok) < 50:
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        await asyncio.gather(*workers)

    # Liveness bound only: the server must exit by itself within its grace period.
    asyncio.run(asyncio.wait_for(scenario(), timeout=120))
    assert process.wait(timeout=60) == 0

    with admin_engine.connect() as connection:
        committed = set(connection.execute(text("SELECT idempotency_key FROM discount_usages")).scalars())
    check = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "check"], capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": database_url}, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    # Every answered apply committed, nothing committed that was never sent.
    assert answered_ok <= committed <= sent
    print(f"sent {len(sent)}, answered OK {len(answered_ok)}, committed {len(committed)}, "
          f"refused after SIGTERM {len(refused)}")
