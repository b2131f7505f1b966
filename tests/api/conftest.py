from __future__ import annotations

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from graphql_api.server.app import create_app
from graphql_api.settings import Settings

from ..conftest import truncate_all
from ..support import Clock, GraphQLClient


@pytest.fixture(autouse=True)
def clean_database(admin_engine):
    truncate_all(admin_engine)
    yield


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url) -> Settings:
    # Rate limits have their own tests; elsewhere they would only add noise.
    # The webhook worker has tests of its own, with served processes.
    return Settings(database_url=database_url, rate_limit_capacity=1e9, rate_limit_restore_rate=1e9,
                    webhook_delivery=False)


@pytest.fixture
def database(settings):
    database = settings.database()
    yield database
    database.dispose()


@pytest.fixture
def app(settings, database, clock):
    return create_app(settings, database=database, clock=clock)


@pytest.fixture
def client_for(admin_key):
    """Opens a TestClient on another app (other settings), authenticated as admin."""
    opened = []

    def open_client(app, key=None) -> TestClient:
        client = TestClient(app, raise_server_exceptions=False, headers={"Authorization": f"Bearer {key or admin_key}"})
        opened.append(client.__enter__())
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def http(app, client_for):
    return client_for(app)


@pytest.fixture
def gql(http) -> GraphQLClient:
    return GraphQLClient(http)


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        # A PREPARE runs once per pooled connection and statement, not per
        # request (tests/api/test_prepared_statements.py counts those).
        if not statement.startswith("PREPARE "):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_counter(database):
    counter = StatementCounter()
    for engine in database.engines:
        event.listen(engine, "before_cursor_execute", counter)
    yield counter
    for engine in database.engines:
        event.remove(engine, "before_cursor_execute", counter)
