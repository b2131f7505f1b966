"""An embedded PostgreSQL under the data directory, for running and testing
without installing a database server.

The `pgserver` package ships the PostgreSQL binaries. The server listens on a
Unix socket only, keeps its data across restarts, and stops when the last
process that started it exits.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger("graphql_api.embedded_postgres")


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


def _server(data_dir: Path):
    try:
        import pgserver
    except ImportError:  # pragma: no cover - depends on the install
        raise EmbeddedPostgresUnavailable(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed; "
            "install the `embedded` extra (make run does) or set DATABASE_URL."
        ) from None
    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop": the server stops when the last process using it exits.
    return pgserver.get_server(pgdata, cleanup_mode="stop")


def start(data_dir: Path, database: str) -> str:
    """Start (or join) the embedded server and return a URL for `database`,
    creating the database on first use."""
    server = _server(data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        logger.info("created database %s in the embedded PostgreSQL", database)
    # postgresql://postgres:@/postgres?host=<socket dir> -> the named database
    base, _, query = server.get_uri().partition("?")
    return f"{base.rsplit('/', 1)[0]}/{database}?{query}"
