"""A real server process, reached over real HTTP, for the concurrency tests."""

from __future__ import annotations

import pytest

from ..conftest import truncate_all
from ..servers import start_server, stop_server


@pytest.fixture(scope="module")
def server(database_url):
    # A small pool makes thread/connection starvation show up if it can happen.
    process, base_url = start_server(database_url, DB_POOL_SIZE="4")
    yield base_url
    stop_server(process)


@pytest.fixture(autouse=True)
def clean_database(admin_engine):
    truncate_all(admin_engine)
    yield
