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
