"""PostgreSQL stops under load and comes back: requests fail fast with a
retryable error while it is down, the same server process serves again
afterwards, and not a cent is lost.

This test runs its own embedded PostgreSQL, so that stopping it disturbs
nothing else."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import create_engine

from graphql_api.db import migrate
from graphql_api.db.invariants import find_violations
from graphql_api.settings import sqlalchemy_url

from ..conftest import ROOT, make_key
from ..support import APPLY
from ..servers import server_log, start_server, stop_server
from .load import api_client, apply_input, make_campaign, make_customers

pgserver = pytest.importorskip("pgserver", reason="needs the embedded PostgreSQL (the `embedded` extra)")


@pytest.fixture(scope="module")
def own_postgres():
    from graphql_api.db import embedded_postgres

    server = embedded_postgres._server(ROOT / ".data" / "faults")
    url = sqlalchemy_url(embedded_postgres.start(ROOT / ".data" / "faults", "faults"))
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    migrate.upgrade(url)
    yield server, url, make_key(url, "admin")


def stop_postgres(server):
    pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def start_postgres(server):
    server.ensure_postgres_running()


def test_database_stops_and_returns_under_load(own_postgres):
    server, url, admin_key = own_postgres
    process, base_url = start_server(url, DB_POOL_SIZE="4")
    keys = itertools.count()
    outcomes: list[tuple[str, str]] = []  # (phase, outcome)
    phase = {"now": "before"}
    ready_while_down = []

    async def one_apply(client, campaign_id, customers):
        key = next(keys)
        response = await client.post("/graphql", json={"query": APPLY, "variables": apply_input(
            campaign_id, customers[key % len(customers)], idempotencyKey=f"fault-{key}")})
        assert response.status_code == 200, response.text
        body = response.json()
        if body.get("errors"):
            codes = {e["extensions"]["code"] for e in body["errors"]}
            assert codes == {"SERVICE_UNAVAILABLE"}, body
            assert all(e["extensions"].get("reason") for e in body["errors"]), body
            return "SERVICE_UNAVAILABLE"
        payload = body["data"]["applyDiscount"]
        assert payload["userErrors"] == [], payload
        return "OK"

    async def scenario():
        async with api_client(base_url, admin_key,
                                      limits=httpx2.Limits(max_connections=16)) as client:
            customers = await make_customers(client, 20, "fault")
            campaign = await make_campaign(client, maxUsagePerCustomerPerDay=10_000, totalBudget="9999999")
            stop = asyncio.Event()

            async def worker():
                while not stop.is_set():
                    result = await one_apply(client, campaign["id"], customers)
                    outcomes.append((phase["now"], result))
                    await asyncio.sleep(0.005)

            workers = [asyncio.create_task(worker()) for _ in range(8)]
            while sum(1 for p, o in outcomes if o == "OK") < 30:
                await asyncio.sleep(0.05)

            phase["now"] = "stopping"
            await asyncio.to_thread(stop_postgres, server)
            phase["now"] = "down"
            while sum(1 for p, o in outcomes if p == "down") < 20:
                await asyncio.sleep(0.05)
            ready_while_down.append((await client.get("/ready")).status_code)

            phase["now"] = "starting"
            await asyncio.to_thread(start_postgres, server)
            phase["now"] = "after"
            while sum(1 for p, o in outcomes if p == "after" and o == "OK") < 30:
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*workers)
            # /ready checks the database at most once a second: the next check sees it back.
            for _ in range(30):
                status = (await client.get("/ready")).status_code
                if status == 200:
                    break
                await asyncio.sleep(0.2)
            return status

    try:
        # Liveness bound only: every wait above ends by itself unless the service hangs.
        ready_after = asyncio.run(asyncio.wait_for(scenario(), timeout=300))
    except BaseException:
        print(server_log(process)[-20000:])  # shown by pytest when the test fails
        raise
    finally:
        stop_server(process)
    log = server_log(process)

    # The outage is logged, not narrated: one line as it starts, one as it ends with the count.
    assert log.count("database unreachable: refusing requests") == 1, log[-5000:]
    ended = re.findall(r"database reachable again after [0-9.]+ s; (\d+) request\(s\) were refused", log)
    assert len(ended) == 1 and int(ended[0]) >= 20, log[-5000:]
    assert "Traceback" not in log and "database check failed" not in log, log[-5000:]

    down = [o for p, o in outcomes if p == "down"]
    assert set(down) == {"SERVICE_UNAVAILABLE"}  # failed fast and retryable, never a 500
    assert ready_while_down == [503] and ready_after == 200
    assert sum(1 for p, o in outcomes if p == "after" and o == "OK") >= 30  # the same process serves again

    engine = create_engine(url)
    with engine.connect() as connection:
        assert find_violations(connection, ZoneInfo("UTC")) == []
    engine.dispose()
    check = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "check"], capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": url}, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
