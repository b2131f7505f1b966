"""The campaign-service command: refusing a database that is behind, and the
whole-database invariant check."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from graphql_api import __version__
from graphql_api.db import migrate

from .conftest import scratch_database
from .servers import server_log, start_server, stop_server


def run_cli(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "graphql_api.server.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def empty_database():
    with scratch_database("campaign_service_cli_test") as url:
        yield url


def test_serve_refuses_a_database_behind_its_migrations(empty_database):
    result = run_cli("serve", "--port", "1", database_url=empty_database)
    assert result.returncode == 2
    assert "migrate" in result.stderr and "behind" in result.stderr


def test_serve_with_migrate_brings_it_up_to_date(empty_database):
    process, base_url = start_server(empty_database, "--migrate")
    try:
        import httpx2

        assert httpx2.get(f"{base_url}/ready", timeout=10).json() == {"status": "ready", "database": "ok"}
    finally:
        stop_server(process)
    assert not migrate.pending(empty_database)


def seed(url, *, used_budget="10.00", extra_usages=0):
    """One campaign (limit 1 a day) with one usage of 10.00, then the damage asked for."""
    engine = create_engine(url)
    now = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO customers (id, email, name, created_at) OVERRIDING SYSTEM VALUE VALUES (1, 'a@example.com', 'A', :now)"),
            {"now": now})
        connection.execute(text(
            "INSERT INTO campaigns (id, name, discount_type, discount_flat, start_date, end_date, total_budget, "
            "used_budget, max_usage_per_customer_per_day, usage_count, created_at, updated_at) OVERRIDING SYSTEM VALUE "
            "VALUES (7, 'c', 'CART', 10, :start, :end, 100, :used, 1, :count, :now, :now)"),
            {"start": now - timedelta(days=1), "end": now + timedelta(days=1), "used": used_budget, "now": now,
             "count": 1 + extra_usages})
        for minute in range(1 + extra_usages):
            connection.execute(text(
                "INSERT INTO discount_usages (campaign_id, customer_id, discount_type, cart_value, delivery_charge, "
                "original_amount, discount_amount, final_amount, used_at) "
                "VALUES (7, 1, 'CART', 100, 0, 100, 10, 90, :at)"), {"at": now + timedelta(minutes=minute)})
    engine.dispose()


def test_check_passes_on_a_consistent_database(empty_database):
    migrate.upgrade(empty_database)
    seed(empty_database)
    result = run_cli("check", database_url=empty_database)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "consistent" in result.stdout


def test_check_lists_budget_and_daily_limit_offenders(empty_database):
    migrate.upgrade(empty_database)
    seed(empty_database, used_budget="25.00", extra_usages=1)
    result = run_cli("check", database_url=empty_database)
    assert result.returncode == 1
    assert "budget: campaign 7: used_budget 25.00, total_budget 100.00, sum of usages 20.00" in result.stdout
    assert "daily_limit: campaign 7, customer 1, 2026-06-15: 2 usages, limit 1" in result.stdout


def test_check_lists_counter_cap_code_and_order_offenders(empty_database):
    migrate.upgrade(empty_database)
    seed(empty_database, used_budget="20.00", extra_usages=1)
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO coupon_codes (campaign_id, code, uses_per_code, usage_count, created_at) "
                                "VALUES (7, 'ONCE', 1, 1, now())"))
        # Both usages on one order and one code; the second was applied under a lifetime cap of 1.
        connection.execute(text("UPDATE discount_usages SET order_reference = 'o-1', coupon_code = 'ONCE', "
                                "customer_limit_at_apply = 1"))
        connection.execute(text("UPDATE campaigns SET usage_count = 5"))
    engine.dispose()
    result = run_cli("check", database_url=empty_database)
    assert result.returncode == 1
    for kind in ("usage_count: id 7, usage_count 5", "code_uses: code ONCE", "customer_limit: campaign_id 7",
                 "order: order_reference o-1, cart 2"):
        assert kind in result.stdout, result.stdout


def _api_key(connection) -> None:
    """Key 1, which the reversals below name."""
    connection.execute(text("INSERT INTO api_keys (public_id, secret_hash, name, role, created_at) "
                            "VALUES ('k', 'h', 'k', 'admin', now())"))


def test_check_lists_ledger_offenders(empty_database):
    migrate.upgrade(empty_database)
    seed(empty_database, used_budget="5.00")
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        _api_key(connection)
        # 6.00 given back on the record, but the usage says 5.00: the used budget matches neither.
        connection.execute(text("INSERT INTO discount_reversals (usage_id, campaign_id, amount, reason, reversed_at, "
                                "api_key_id) VALUES (1, 7, 6, 'refund', now(), 1)"))
        connection.execute(text("UPDATE discount_usages SET reversed_amount = 5"))
    engine.dispose()
    result = run_cli("check", database_url=empty_database)
    assert result.returncode == 1
    assert "budget: campaign 7: used_budget 5.00, total_budget 100.00, sum of usages 10.00, sum of reversals 6.00" \
        in result.stdout, result.stdout
    assert "reversals: usage_id 1, reversed_amount 5.00, reversal_sum 6.00" in result.stdout, result.stdout


def test_a_fully_reversed_usage_counts_toward_no_limit_in_check(empty_database):
    migrate.upgrade(empty_database)
    seed(empty_database, used_budget="10.00", extra_usages=1)  # two usages under a daily limit of 1
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        _api_key(connection)
        connection.execute(text("INSERT INTO discount_reversals (usage_id, campaign_id, amount, reason, reversed_at, "
                                "api_key_id) VALUES (1, 7, 10, 'refund', now(), 1)"))
        connection.execute(text("UPDATE discount_usages SET reversed_amount = 10 WHERE id = 1"))
        connection.execute(text("UPDATE campaigns SET usage_count = 1"))
    engine.dispose()
    result = run_cli("check", database_url=empty_database)
    assert result.returncode == 0, result.stdout + result.stderr


def test_first_start_prints_one_admin_key_and_later_starts_do_not(empty_database):
    import httpx2



    first, base_url = start_server(empty_database, "--migrate")
    try:
        log = server_log(first)
    finally:
        stop_server(first)
    [key] = [line.strip() for line in log.splitlines() if line.strip().startswith("csk_")]
    assert f'{{"Authorization": "Bearer {key}"}}' in log  # how to paste it into GraphiQL

    second, base_url = start_server(empty_database)
    try:
        assert "csk_" not in server_log(second)
        response = httpx2.post(f"{base_url}/graphql", json={"query": "{ customers { totalCount } }"},
                               headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert response.json()["data"] == {"customers": {"totalCount": 0}}
    finally:
        stop_server(second)


def test_a_production_start_makes_no_key(empty_database):


    process, _ = start_server(empty_database, "--migrate", ENVIRONMENT="production")
    try:
        assert "csk_" not in server_log(process)
    finally:
        stop_server(process)
    listed = run_cli("keys", "list", database_url=empty_database).stdout.strip().splitlines()
    assert len(listed) == 1 and listed[0].startswith("id")  # the header, and no key


def test_keys_create_list_revoke(empty_database):
    migrate.upgrade(empty_database)
    created = run_cli("keys", "create", "--role", "checkout", "--name", "storefront", database_url=empty_database)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    public_id = key.split("_")[1]
    assert key.startswith("csk_") and len(key) > 50

    listed = run_cli("keys", "list", database_url=empty_database).stdout
    assert public_id in listed and "checkout" in listed and "storefront" in listed
    assert key.split("_", 2)[2] not in listed  # the secret is never shown again

    engine = create_engine(empty_database)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_hash FROM api_keys")).scalar()
    engine.dispose()
    assert key.split("_", 2)[2] not in stored and len(stored) == 64

    assert run_cli("keys", "revoke", public_id, database_url=empty_database).returncode == 0
    assert run_cli("keys", "revoke", public_id, database_url=empty_database).returncode == 1
    assert "T" in run_cli("keys", "list", database_url=empty_database).stdout.splitlines()[1].split()[-1]


def test_keys_create_prints_the_key_alone_on_stdout(empty_database):
    migrate.upgrade(empty_database)
    created = run_cli("keys", "create", "--role", "admin", "--name", "ops", database_url=empty_database)
    assert created.returncode == 0, created.stderr
    assert re.fullmatch(r"csk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n", created.stdout), created.stdout
    assert "Store it now" in created.stderr


def test_version_and_help_list_every_command():
    version = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip() == f"campaign-service {__version__}"
    helped = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0
    for command in ("serve", "migrate", "keys create|list|revoke", "check", "export-schema"):
        assert command in helped.stdout, command


def test_a_busy_port_is_one_line_before_anything_else(empty_database):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--migrate", "--port", str(port), database_url=empty_database)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Cannot listen on 127.0.0.1:{port}: Address already in use. Stop what uses it, or set PORT (or --port)."]


def served_log(database_url, *serve_args, **env) -> tuple[str, str]:
    """What a server printed by the time it was healthy, and its URL."""
    process, base_url = start_server(database_url, *serve_args, **env)
    try:
        return server_log(process), base_url
    finally:
        stop_server(process)


def test_development_mode_on_a_real_database_warns_before_it_prints_a_key(empty_database):
    log, _ = served_log(empty_database, "--migrate")
    warning, key = log.find("WARNING: development mode"), log.find("Created an admin API key")
    assert 0 <= warning < key, log
    assert "ENVIRONMENT=production" in log


def test_a_production_start_says_how_to_make_the_first_key(empty_database):
    log, base_url = served_log(empty_database, "--migrate", ENVIRONMENT="production")
    assert "development mode" not in log
    assert "keys create --role admin --name ops` makes the first" in log
    assert f"GraphQL API at {base_url}/graphql (production mode, GraphiQL off)" in log


def test_log_lines_carry_no_terminal_colours(empty_database):
    import time

    process, _ = start_server(empty_database, "--migrate", LOG_LEVEL="INFO")
    try:
        # Log lines reach the file through the background writer, a moment after
        # the server answers: wait for uvicorn's line, which carries a coloured copy.
        deadline = time.monotonic() + 10
        while "Uvicorn running on" not in server_log(process) and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server_log(process)
    finally:
        stop_server(process)
    assert "Uvicorn running on" in log
    assert "color_message" not in log and "\x1b[" not in log
