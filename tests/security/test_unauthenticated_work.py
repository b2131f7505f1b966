"""Finding 4: random keys cost a SELECT each, the failed-auth throttle ran
after the lookup, unknown ids were not cached, and /health ran a statement
per call. Now a client out of attempts is refused before any database work,
/health does none, and /ready checks at most once a second."""

from __future__ import annotations

import secrets
from dataclasses import replace

from graphql_api.server.app import create_app


def random_key() -> str:
    return f"csk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def test_guessing_keys_costs_the_database_one_lookup_per_allowed_attempt(
        production_settings, database, clock, anonymous, sql):
    limited = replace(production_settings, anonymous_rate_limit_capacity=20, anonymous_rate_limit_restore_rate=0.001)
    client = anonymous(create_app(limited, database=database, clock=clock))
    statuses = [client.post("/graphql", json={"query": "{ __typename }"},
                            headers={"Authorization": f"Bearer {random_key()}"}).status_code
                for _ in range(300)]
    assert statuses.count(401) == 20 and statuses.count(429) == 280
    lookups = [statement for statement in sql.statements if "api_keys" in statement]
    assert len(lookups) == 20 and len(sql.statements) == 20
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in sql.statements)


def test_health_does_no_database_work_and_ready_checks_once_a_second(production_app, anonymous, sql):
    client = anonymous(production_app)
    for _ in range(50):
        assert client.get("/health").status_code == 200
    assert sql.count == 0
    for _ in range(50):
        assert client.get("/ready").status_code == 200
    assert sql.count <= 2  # one check (to_regclass, then the revision), not fifty
