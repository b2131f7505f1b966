"""Test database: the embedded PostgreSQL under .data/ unless DATABASE_URL is set.

With DATABASE_URL set the suite uses that database as it is and empties its
tables between tests: point it at a database you can lose.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from graphql_api.db import migrate
from graphql_api.settings import sqlalchemy_url

TEST_DATABASE = "campaign_service_test"
ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return sqlalchemy_url(os.environ["DATABASE_URL"])
    from graphql_api.db import embedded_postgres

    return sqlalchemy_url(embedded_postgres.start(ROOT / ".data", TEST_DATABASE))


@pytest.fixture(scope="session")
def database_url() -> str:
    """A migrated, empty database for the whole session."""
    url = _test_database_url()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)
    return url


def make_key(url: str, role: str, name: str = "tests") -> str:
    from datetime import datetime, timezone

    from sqlalchemy.orm import Session

    from graphql_api.access.keys import create_key
    from graphql_api.access.roles import Role

    engine = create_engine(url)
    with Session(engine) as session:
        _record, key = create_key(session, name, Role(role), datetime.now(timezone.utc))
        session.commit()
    engine.dispose()
    return key


@pytest.fixture(scope="session")
def admin_key(database_url) -> str:
    return make_key(database_url, "admin")


@pytest.fixture(scope="session")
def checkout_key(database_url) -> str:
    return make_key(database_url, "checkout")


@pytest.fixture(scope="session")
def admin_engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def truncate_all(engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE webhook_deliveries, webhooks, discount_reversals, campaign_events, discount_usages, checkouts, coupon_codes, campaign_targets, "
                "campaigns, customers "
                "RESTART IDENTITY CASCADE"
            )
        )


@contextmanager
def scratch_database(name: str):
    """A separate, empty database on the test server, dropped afterwards."""
    base_url = _test_database_url()
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
