"""Real server processes for the tests that need one: `campaign-service serve`
on a free loopback port, with its output in a log file."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Iterator

import httpx2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, *serve_args: str, **env_overrides: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        # Load tests measure correctness, not the rate limiter.
        "RATE_LIMIT_CAPACITY": "1000000000",
        "RATE_LIMIT_RESTORE_RATE": "1000000000",
        **env_overrides,
    }
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full
    # one would block the server.
    log = tempfile.NamedTemporaryFile(prefix=f"campaign-service-{port}-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.server.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *serve_args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = log.name
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(process)}")
        try:
            if httpx2.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not become healthy within 60 s")


def server_log(process: subprocess.Popen) -> str:
    with open(process.log_path, encoding="utf-8", errors="replace") as log:
        return log.read()


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def started(database_url: str, count: int, **env_overrides: str) -> Iterator[list[str]]:
    """`count` server processes on one database, alike; their base URLs.
    All are stopped on the way out, also when a later one fails to start."""
    processes = []
    try:
        for _ in range(count):
            processes.append(start_server(database_url, **env_overrides))
        yield [base_url for _, base_url in processes]
    finally:
        for process, _ in processes:
            stop_server(process)
