from __future__ import annotations

import pytest

from ..conftest import truncate_all
from ..servers import start_server, stop_server


@pytest.fixture(scope="module")
def server(database_url):
    process, base_url = start_server(database_url)
    yield base_url
    stop_server(process)


@pytest.fixture(autouse=True)
def clean_database(admin_engine):
    truncate_all(admin_engine)
    yield
