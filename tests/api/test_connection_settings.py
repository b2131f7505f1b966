"""What the service sets on every connection it opens: the server-side
limits, and no JIT compilation (with stale statistics, JIT turned a
millisecond read into a hundred)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import text


def _settings_seen(database) -> dict:
    async def read():
        return await database.read(lambda session: {
            name: session.execute(text(f"SELECT current_setting('{name}')")).scalar()
            for name in ("jit", "lock_timeout", "statement_timeout")})

    import anyio
    return anyio.run(read)


def test_connections_run_without_jit_and_with_the_limits(database):
    assert _settings_seen(database) == {"jit": "off", "lock_timeout": "5s", "statement_timeout": "15s"}


def test_with_both_limits_off_no_startup_option_is_sent(settings):
    database = replace(settings, db_lock_timeout_ms=0, db_statement_timeout_ms=0).database()
    try:
        seen = _settings_seen(database)
    finally:
        database.dispose()
    assert seen["lock_timeout"] == "0" and seen["statement_timeout"] == "0"  # the server's defaults


def test_behind_a_transaction_pooler_the_limits_go_with_each_write_transaction(settings):
    """DB_POOLER=transaction (PgBouncer): no startup options, no prepared
    statements; a write sets the limits for its own transaction only, so the
    shared server connection goes back to the pool as it came."""
    import anyio

    from graphql_api.db.prepared_statements import OPTION

    database = replace(settings, db_pooler="transaction", db_pool_size=1).database()
    names = ("jit", "lock_timeout", "statement_timeout")

    def seen(session):
        return {name: session.execute(text(f"SELECT current_setting('{name}')")).scalar() for name in names}

    async def scenario():
        return await database.write(seen), await database.read(seen)

    try:
        in_write, in_read_after = anyio.run(scenario)
        prepared = database.engine.get_execution_options()[OPTION]
    finally:
        database.dispose()
    assert in_write == {"jit": "off", "lock_timeout": "5s", "statement_timeout": "15s"}
    assert in_read_after["lock_timeout"] == "0" and in_read_after["statement_timeout"] == "0"
    assert prepared is False


def test_a_transaction_pooler_needs_a_direct_url_for_the_listener():
    import pytest

    from graphql_api.settings import Settings, SettingsError

    pooled = Settings.from_env({"DATABASE_URL": "postgresql://u@pooler:6432/db", "DB_POOLER": "transaction"})
    assert "LIVE_DATABASE_URL" in pooled.listener_error()  # serve refuses to start; migrate and check run
    with pytest.raises(SettingsError, match="LIVE_DATABASE_URL"):
        pooled.listen_url
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@pooler:6432/db", "DB_POOLER": "transaction",
                                  "LIVE_DATABASE_URL": "postgresql://u@primary:5432/db"})
    assert settings.listen_url == "postgresql+psycopg2://u@primary:5432/db"
    assert Settings.from_env({"DATABASE_URL": "postgresql://u@db/db"}).listen_url == "postgresql+psycopg2://u@db/db"
