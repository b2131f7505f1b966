"""The database: engines, connection pools, and units of work run off the event loop.

psycopg2 blocks, so every unit of work runs in a worker thread. Reads and
writes have a pool each, so that a write never waits for a connection a read
holds (admission, before this, still counts both). The threads are admitted by a `CapacityLimiter`
per pool with exactly as many tokens as the pool has connections, and each unit opens its own Session, uses one connection and
returns it before the thread gives its token back. A thread therefore never
waits for a connection that another waiting thread holds: the pool cannot be
exhausted by threads that are themselves blocked, which is how the REST service
this replaces deadlocked at about 55 concurrent requests.

Failures PostgreSQL reports as transient are handled here, once for every
use case: deadlocks and serialization failures are retried a bounded number of
times (the whole transaction, which is safe because it rolled back); a stale
pooled connection is retried once for reads; everything else that means "the
database cannot serve this now" becomes `DatabaseUnavailable`, which clients
see as a retryable SERVICE_UNAVAILABLE.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from typing import Callable, Optional, TypeVar

import anyio
import anyio.to_thread
import psycopg2
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session

from .prepared_statements import OPTION as prepared_statements_option

T = TypeVar("T")
logger = logging.getLogger("graphql_api.database")

# PostgreSQL error codes (SQLSTATE).
_RETRYABLE = {"40P01": "deadlock", "40001": "serialization failure"}
_LOCK_NOT_AVAILABLE = "55P03"
_QUERY_CANCELED = "57014"


class Base(DeclarativeBase):
    pass


class DatabaseUnavailable(Exception):
    """The database cannot serve this request now; the client may retry.

    `reason` says why, for clients and logs: DATABASE_UNREACHABLE, LOCK_TIMEOUT,
    STATEMENT_TIMEOUT, POOL_TIMEOUT or CONTENTION."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def violated_constraint(error: DBAPIError) -> Optional[str]:
    """The constraint an IntegrityError broke, by name (None when it names none)."""
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None)


def _pgcode(error: DBAPIError) -> Optional[str]:
    return getattr(error.orig, "pgcode", None)


def _unavailable(error: Exception) -> Optional[DatabaseUnavailable]:
    """The retryable meaning of a database error, or None for a real bug."""
    if isinstance(error, PoolTimeout):
        return DatabaseUnavailable("POOL_TIMEOUT", "The service is busy; retry shortly.")
    if isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        # Raised unwrapped when a connection dies while the pool resets it.
        return DatabaseUnavailable("DATABASE_UNREACHABLE", "The database is unavailable; retry shortly.")
    if not isinstance(error, DBAPIError):
        return None
    code = _pgcode(error)
    if code == _LOCK_NOT_AVAILABLE:
        return DatabaseUnavailable(
            "LOCK_TIMEOUT", "The record is locked by another transaction for too long; retry shortly."
        )
    if code == _QUERY_CANCELED:
        return DatabaseUnavailable("STATEMENT_TIMEOUT", "The database took too long to answer; retry shortly.")
    if code in _RETRYABLE:
        return DatabaseUnavailable("CONTENTION", "The request kept colliding with others; retry shortly.")
    if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
        return DatabaseUnavailable("DATABASE_UNREACHABLE", "The database is unavailable; retry shortly.")
    return None


class OutageLog:
    """A database outage is logged as it starts and as it ends, with the count
    of requests refused in between, instead of a line per refused request."""

    def __init__(self):
        self.down_since: Optional[float] = None
        self.refused = 0
        self._lock = threading.Lock()

    def failed(self, unavailable: DatabaseUnavailable) -> None:
        if unavailable.reason != "DATABASE_UNREACHABLE":
            # A lock or statement timeout is about one request; its request line says so.
            logger.info("request refused: %s", unavailable.reason)
            return
        with self._lock:
            self.refused += 1
            if self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning("database unreachable: refusing requests with SERVICE_UNAVAILABLE until it is back")

    def succeeded(self, started: float) -> None:
        """A unit of work that began at `started` (time.monotonic) succeeded.
        Only one that began after the outage was noticed ends it: one already
        under way may have finished on a connection the outage had not reached."""
        if self.down_since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self.down_since is None or started <= self.down_since:
                return
            seconds, refused = time.monotonic() - self.down_since, self.refused
            self.down_since, self.refused = None, 0
        logger.warning("database reachable again after %.1f s; %d request(s) were refused meanwhile",
                       seconds, refused)


def _session_options(lock_timeout_ms: int, statement_timeout_ms: int) -> str:
    """Server-side limits, so a stuck lock or query fails instead of hanging,
    and no JIT compilation: with stale statistics it can turn a millisecond
    statement into a hundred. A 0 limit leaves the server's (or the role's)
    setting in force; both 0 send no startup options at all, for poolers such
    as PgBouncer that refuse them (set them on the role there)."""
    limits = {"lock_timeout": lock_timeout_ms, "statement_timeout": statement_timeout_ms}
    if not any(limits.values()):
        return ""
    return " ".join(f"-c {name}={value}" for name, value in {**limits, "jit": "off"}.items() if value)


def transaction_limits(lock_timeout_ms: int, statement_timeout_ms: int) -> Optional[str]:
    """The same limits for one transaction, for a pooler in transaction mode
    that refuses startup options and would hand session settings to others.
    None, and no round trip, when both are left to the server."""
    if not (lock_timeout_ms or statement_timeout_ms):
        return None
    limits = {"lock_timeout": f"{lock_timeout_ms}ms" if lock_timeout_ms else None,
              "statement_timeout": f"{statement_timeout_ms}ms" if statement_timeout_ms else None, "jit": "off"}
    return "SELECT " + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in limits.items() if value)


def _bind(work: Callable[..., T], args, kwargs) -> Callable[[Session], T]:
    return lambda session: work(session, *args, **kwargs)


def make_engine(url: str, **options) -> Engine:
    """Every engine the service makes goes through here, so that any
    `postgresql://` or `postgres://` URL gets the driver the service ships
    with (a bare URL would make SQLAlchemy 2.1 look for psycopg 3)."""
    from ..settings import sqlalchemy_url

    return create_engine(sqlalchemy_url(url), **options)


class Database:
    # Every option comes from Settings.database(), which holds the defaults.
    def __init__(
        self,
        url: str,
        *,
        pool_size: int,
        pool_timeout: float,
        lock_timeout_ms: int,
        statement_timeout_ms: int,
        retry_attempts: int,
        prepared_statements: bool,
        transaction_pooler: bool = False,
    ):
        self.pool_size = pool_size
        self.retry_attempts = retry_attempts
        # Behind a transaction pooler, writes set their limits first; reads get the role's (README: Scaling).
        self._begin_sql = transaction_limits(lock_timeout_ms, statement_timeout_ms) if transaction_pooler else None
        options = dict(
            # No overflow: each pool's limiter admits exactly `pool_size` units at once.
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=pool_timeout,
            pool_recycle=1800,
            connect_args={
                "connect_timeout": 5,
                "application_name": "campaign-service",
                "options": "" if transaction_pooler else _session_options(lock_timeout_ms, statement_timeout_ms),
            },
            execution_options={prepared_statements_option: prepared_statements and not transaction_pooler},
        )
        self.engine: Engine = make_engine(url, **options)
        # Reads run in autocommit, without BEGIN and ROLLBACK. Their own pool, whose
        # connections stay in autocommit: switching a pooled connection there and
        # back costs psycopg2 a `SET default_transaction_isolation` round trip each time.
        # Nor a no-op rollback at the end: psycopg2 gives up the GIL for it and
        # then queues to take it back (bench/HISTORY.md, 2026-12-02).
        self.read_engine: Engine = make_engine(url, isolation_level="AUTOCOMMIT", skip_autocommit_rollback=True,
                                               **options)
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self.outage = OutageLog()

    @property
    def engines(self) -> tuple[Engine, Engine]:
        """The write pool's engine and the read pool's, for listeners and metrics."""
        return self.engine, self.read_engine

    def _limiter(self, pool: str) -> anyio.CapacityLimiter:
        # Created on first use so that it belongs to the running event loop.
        if pool not in self._limiters:
            self._limiters[pool] = anyio.CapacityLimiter(self.pool_size)
        return self._limiters[pool]

    async def read(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args, **kwargs)` in a worker thread, outside any
        transaction: each statement sees what was committed when it started."""
        return await self._run("read", self._read_unit, _bind(work, args, kwargs))

    async def write(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args, **kwargs)` in a worker thread inside one
        transaction, which commits when `work` returns and rolls back when it
        raises. `work` returns errors without writing to refuse a change."""
        return await self._run("write", self._write_unit, _bind(work, args, kwargs))

    async def write_statements(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Like `write`, with a Core Connection instead of a Session: for units
        made of statements only (the apply), which need none of the Session's
        bookkeeping, much of it between the last statement and COMMIT, while
        row locks are held."""
        return await self._run("write", self._write_statements_unit, _bind(work, args, kwargs))

    async def _run(self, pool: str, unit, work):
        started = time.monotonic()
        try:
            result = await anyio.to_thread.run_sync(functools.partial(unit, work), limiter=self._limiter(pool))
        except (DBAPIError, PoolTimeout, psycopg2.Error) as error:
            unavailable = _unavailable(error)
            if unavailable is None:
                raise
            self.outage.failed(unavailable)
            raise unavailable from error
        self.outage.succeeded(started)
        return result

    def _read_unit(self, work):
        try:
            with Session(self.read_engine) as session:
                return work(session)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        # A pooled connection died (the database restarted): the pool has been
        # invalidated, and a read is safe to run again on a fresh connection.
        with Session(self.read_engine) as session:
            return work(session)

    def _write_unit(self, work):
        return self._retrying(work, self._in_session)

    def _write_statements_unit(self, work):
        return self._retrying(work, self._in_connection)

    def _in_session(self, work):
        with Session(self.engine) as session, session.begin():
            if self._begin_sql:
                session.connection().exec_driver_sql(self._begin_sql)
            return work(session)

    def _in_connection(self, work):
        with self.engine.begin() as connection:
            if self._begin_sql:
                connection.exec_driver_sql(self._begin_sql)
            return work(connection)

    def _retrying(self, work, transaction):
        for attempt in range(1, self.retry_attempts + 1):
            try:
                return transaction(work)
            except DBAPIError as error:
                code = _pgcode(error)
                if code not in _RETRYABLE or attempt == self.retry_attempts:
                    raise
                logger.info("retrying after %s (attempt %d)", _RETRYABLE[code], attempt)
                # Jitter, so that the transactions that collided do not collide again.
                time.sleep(random.uniform(0.005, 0.05) * attempt)

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()
