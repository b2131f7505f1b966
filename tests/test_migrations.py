"""The migrations and the models describe the same database, and the
migrations run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from graphql_api.db import migrate
from graphql_api.db.models import metadata

from .conftest import scratch_database


@pytest.fixture(scope="module")
def scratch_url():
    """A separate database, so that downgrading does not disturb other tests."""
    with scratch_database("campaign_service_migrations_test") as url:
        yield url


def tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url):
    migrate.upgrade(scratch_url)
    assert tables(scratch_url) == {"customers", "campaigns", "campaign_targets", "discount_usages", "api_keys",
                                   "coupon_codes", "checkouts", "discount_reversals", "campaign_events", "webhooks", "webhook_deliveries",
                                   "campaign_budget_slots"}
    assert not migrate.pending(scratch_url)

    migrate.downgrade(scratch_url, "base")
    assert tables(scratch_url) == set()
    assert migrate.pending(scratch_url)

    migrate.upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


@pytest.mark.parametrize("previous", ["0005", "0004"])
def test_existing_usages_migrate_to_the_ledger(previous):
    """A database at an earlier head, with campaigns and usages, migrates;
    every usage reads reversedAmount 0.00 and the whole database is consistent."""
    from datetime import datetime, timezone

    from starlette.testclient import TestClient
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from graphql_api.db.invariants import find_violations
    from graphql_api.server.app import create_app
    from graphql_api.settings import Settings

    from .conftest import make_key
    from .support import GraphQLClient

    with scratch_database(f"campaign_service_migrate_from_{previous}") as url:
        migrate.upgrade(url, previous)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("""
                INSERT INTO customers (email, name, created_at) VALUES ('old@example.com', 'Old Customer', now());
                INSERT INTO campaigns (name, discount_type, discount_flat, start_date, end_date, total_budget,
                                       used_budget, max_usage_per_customer_per_day, created_at, updated_at)
                VALUES ('Old sale', 'CART', 25, now() - interval '1 day', now() + interval '1 day', 100, 50, 5,
                        now(), now());
                INSERT INTO discount_usages (campaign_id, customer_id, discount_type, cart_value, delivery_charge,
                                             original_amount, discount_amount, final_amount, used_at)
                SELECT 1, 1, 'CART', 200, 0, 200, 25, 175, now() FROM generate_series(1, 2);
            """))
            if previous == "0005":  # as the applies of 0.2.0 kept it (0005 counted the usages before it)
                connection.execute(text("UPDATE campaigns SET usage_count = 2"))
        migrate.upgrade(url)
        with Session(engine) as session:
            assert find_violations(session, timezone.utc) == []
        engine.dispose()

        settings = Settings(database_url=url, rate_limit_capacity=1e9, rate_limit_restore_rate=1e9)
        database = settings.database()
        try:
            app = create_app(settings, database=database, clock=lambda: datetime.now(timezone.utc))
            with TestClient(app, headers={"Authorization": f"Bearer {make_key(url, 'admin')}"}) as http:
                gql = GraphQLClient(http)
                usages = gql("""{ customers { nodes { discountUsages { nodes { discountAmount reversedAmount
                    netDiscountAmount isFullyReversed reversals { id } } } } } }""")["customers"]["nodes"][0]
                assert usages["discountUsages"]["nodes"] == 2 * [{
                    "discountAmount": "25.00", "reversedAmount": "0.00", "netDiscountAmount": "25.00",
                    "isFullyReversed": False, "reversals": []}]
                campaign = gql("{ campaigns { nodes { usedBudget usageCount events { totalCount } } } }")
                assert campaign["campaigns"]["nodes"] == [{"usedBudget": "50.00", "usageCount": 2,
                                                           "events": {"totalCount": 0}}]
        finally:
            database.dispose()
