"""The migrations and the models describe the same database, and the
migrations run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from graphql_api import migrate
from graphql_api.models import metadata

from .conftest import _test_database_url

SCRATCH = "campaign_service_migrations_test"


@pytest.fixture(scope="module")
def scratch_url():
    """A separate database, so that downgrading does not disturb other tests."""
    base_url = _test_database_url()
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}"'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH}"'))
    engine.dispose()
    url = engine.url.set(database=SCRATCH).render_as_string(hide_password=False)
    yield url
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
    engine.dispose()


def tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url):
    migrate.upgrade(scratch_url)
    assert tables(scratch_url) == {"customers", "campaigns", "campaign_targets", "discount_usages"}
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
