"""A real server process, reached over real HTTP, for the concurrency tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx2
import pytest

from ..conftest import truncate_all


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, *serve_args: str, **env_overrides: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **env_overrides}
    process = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *serve_args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read().decode(errors='replace')}")
        try:
            if httpx2.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not become healthy within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
