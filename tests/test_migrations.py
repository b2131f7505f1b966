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
                                   "coupon_codes", "checkouts", "discount_reversals", "campaign_events"}
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
