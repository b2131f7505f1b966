"""Deadlocks are retried inside the service; a lock held too long fails with
a clear error within lock_timeout instead of hanging."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import text

from graphql_api.server.app import create_app
from graphql_api.graphql.ids import decode_id
from graphql_api.db.migrate import head_revision

from ..support import APPLY, GraphQLClient, create_campaign, create_customer, snapshot


def wait_for_blocked_service_backend(engine, deadline_seconds=30, count=1):
    """Until `count` campaign-service connections wait on a lock."""
    deadline = time.monotonic() + deadline_seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'campaign-service' "
                "AND wait_event_type = 'Lock'")).scalar()
            if waiting >= count:
                return
            connection.rollback()  # pg_stat_activity is read once per transaction
            time.sleep(0.02)
    raise AssertionError("the service never waited on the lock")


def test_a_deadlock_is_retried_and_the_apply_succeeds(gql, admin_engine, caplog):
    customer = create_customer(gql)
    campaign = create_campaign(gql)
    customer_pk, campaign_pk = decode_id(customer["id"], "Customer"), decode_id(campaign["id"], "Campaign")
    caplog.set_level(logging.INFO, logger="graphql_api.database")

    # The other transaction locks the campaign row, waits until the apply holds
    # the customer row and waits for the campaign, then asks for the customer:
    # a cycle PostgreSQL breaks by aborting one side.
    other = admin_engine.connect()
    other_transaction = other.begin()
    other.execute(text("SELECT 1 FROM campaigns WHERE id = :id FOR UPDATE"), {"id": campaign_pk})

    def other_side():
        wait_for_blocked_service_backend(admin_engine)
        other.execute(text("SELECT 1 FROM customers WHERE id = :id FOR UPDATE"), {"id": customer_pk})
        other_transaction.commit()
        other.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        other_done = pool.submit(other_side)
        applied = pool.submit(gql, APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"],
                                                      "cartValue": "600"}})
        other_done.result(timeout=60)
        payload = applied.result(timeout=60)["applyDiscount"]

    assert payload["userErrors"] == [] and payload["usage"]["discountAmount"] == "60.00"
    assert "retrying after deadlock" in caplog.text
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM discount_usages")).scalar() == 1
        assert str(connection.execute(text("SELECT used_budget FROM campaigns")).scalar()) == "60.00"


@pytest.fixture
def impatient_gql(settings, clock, client_for):
    impatient = replace(settings, db_lock_timeout_ms=300)
    database = impatient.database()
    yield GraphQLClient(client_for(create_app(impatient, database=database, clock=clock)))
    database.dispose()


def test_a_lock_held_too_long_fails_clearly_and_writes_nothing(impatient_gql, admin_engine):
    customer = create_customer(impatient_gql)
    campaign = create_campaign(impatient_gql)
    before = snapshot(admin_engine)
    with admin_engine.connect() as holder:
        holder.begin()
        holder.execute(text("SELECT 1 FROM campaigns FOR UPDATE"))
        result = impatient_gql.error(APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"],
                                                       "cartValue": "600"}})
        holder.rollback()
    assert result.codes == ["SERVICE_UNAVAILABLE"]
    assert result.errors[0]["extensions"]["reason"] == "LOCK_TIMEOUT"
    assert "locked" in result.errors[0]["message"]
    assert snapshot(admin_engine) == before
    # Once the lock is gone the same apply goes through.
    payload = impatient_gql(APPLY, {"input": {"campaignId": campaign["id"], "customerId": customer["id"],
                                              "cartValue": "600"}})["applyDiscount"]
    assert payload["userErrors"] == []


def test_health_and_readiness(http, admin_engine):
    health = http.get("/health")
    assert health.status_code == 200 and "database" not in health.json()  # liveness does no database work
    ready = http.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok"}
    with admin_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        time.sleep(1.05)  # /ready checks the database at most once a second
        behind = http.get("/ready")
        assert behind.status_code == 503 and behind.json()["database"] == "migrations pending"
        assert http.get("/health").status_code == 200
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"),
                               {"head": head_revision()})
