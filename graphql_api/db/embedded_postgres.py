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

# pgserver's record of the processes that share one data directory.
HANDLE_PIDS = ".handle_pids.json"


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


def _forget_dead_owners(pgdata: Path) -> None:
    """Drop the pids of processes that died without saying goodbye (SIGKILL,
    a crash) from pgserver's list of owners. Otherwise a dead pid stays there
    forever, no later exit counts as the last one, and the server is never
    stopped again. With the list pruned, a server left running is adopted:
    this process becomes its owner and stops it when it exits."""
    import psutil
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    owners = DiskList(pgdata / HANDLE_PIDS)
    with PostgresServer._lock:
        recorded = owners.get()
        alive = [pid for pid in recorded if _is_alive(psutil, pid)]
        if alive != recorded:
            owners.put(alive)
            logger.info("embedded PostgreSQL: forgot %d owner(s) that had died", len(recorded) - len(alive))


def _is_alive(psutil, pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


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
    _forget_dead_owners(pgdata)
    # cleanup_mode="stop": the server stops when the last process using it exits.
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server


def start(data_dir: Path, database: str) -> str:
    """Start (or join) the embedded server and return a URL for `database`,
    with the service's driver, creating the database on first use."""
    from ..settings import sqlalchemy_url

    server = _server(data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        logger.info("created database %s in the embedded PostgreSQL", database)
    # postgresql://postgres:@/postgres?host=<socket dir> -> the named database
    base, _, query = server.get_uri().partition("?")
    return sqlalchemy_url(f"{base.rsplit('/', 1)[0]}/{database}?{query}")
