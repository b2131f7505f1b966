"""The hostile client's view: the served app in production mode, with every
refusal checked to have run no application SQL and written nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphql_api.server.app import create_app

from ..api.conftest import clean_database, client_for, clock, database, settings, sql_counter  # noqa: F401


@pytest.fixture
def production_settings(settings):
    return replace(settings, environment="production", graphiql=False, allow_introspection=False)


@pytest.fixture
def production_app(production_settings, database, clock):
    return create_app(production_settings, database=database, clock=clock)


@pytest.fixture
def development_app(settings, database, clock):
    return create_app(settings, database=database, clock=clock)


@pytest.fixture
def sql(sql_counter):
    """Every statement the app sends to the database while the test runs."""
    return sql_counter


@pytest.fixture
def anonymous():
    """A TestClient on an app, sending no key unless told to."""
    from starlette.testclient import TestClient

    opened = []

    def open_client(app) -> TestClient:
        client = TestClient(app, raise_server_exceptions=False)
        opened.append(client.__enter__())
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)
