"""Finding 10: X-Forwarded-For was believed from any loopback client, so one
forged the logged address and dodged the failed-auth throttle. It is
believed only from the addresses in TRUSTED_PROXIES (none by default)."""

from __future__ import annotations

import secrets

import httpx2

from ..servers import server_log, start_server, stop_server


def guesses(base_url: str, count: int) -> list[int]:
    statuses = []
    for number in range(count):
        forged = f"203.0.113.{number + 1}"
        answer = httpx2.post(f"{base_url}/graphql", json={"query": "{ __typename }"}, timeout=10, headers={
            "Authorization": f"Bearer csk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}",
            "X-Forwarded-For": forged, "X-Forwarded-Proto": "https"})
        statuses.append(answer.status_code)
    return statuses


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(database_url):
    # Buckets of each server's own (no REDIS_URL), so that no earlier test's drain counts.
    throttle = {"ANONYMOUS_RATE_LIMIT_CAPACITY": "3", "ANONYMOUS_RATE_LIMIT_RESTORE_RATE": "0.001",
                "LOG_LEVEL": "INFO", "ENVIRONMENT": "production", "REDIS_URL": ""}
    process, base_url = start_server(database_url, **throttle)
    try:
        statuses = guesses(base_url, 6)
    finally:
        stop_server(process)  # the log is complete once the server has stopped
    log = server_log(process)
    assert statuses == [401, 401, 401, 429, 429, 429]  # one client, whatever it claims
    assert "203.0.113." not in log

    process, base_url = start_server(database_url, TRUSTED_PROXIES="127.0.0.1", **throttle)
    try:
        statuses = guesses(base_url, 6)
    finally:
        stop_server(process)  # the log is complete once the server has stopped
    log = server_log(process)
    assert statuses == [401] * 6  # behind a trusted proxy each address is its own client
    assert '"client": "203.0.113.6"' in log
