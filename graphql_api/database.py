"""The database: engine, connection pool, and units of work run off the event loop.

psycopg2 blocks, so every unit of work runs in a worker thread. The threads are
admitted by a `CapacityLimiter` with exactly as many tokens as the pool has
connections, and each unit opens its own Session, uses one connection and
returns it before the thread gives its token back. A thread therefore never
waits for a connection that another waiting thread holds: the pool cannot be
exhausted by threads that are themselves blocked, which is how the REST service
this replaces deadlocked at about 55 concurrent requests.
"""

from __future__ import annotations

import functools
from typing import Callable, Optional, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session

from .core.errors import DomainError

T = TypeVar("T")


class Base(DeclarativeBase):
    pass


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be reached; the request may be retried."""


def _is_connection_problem(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)


def _bind(work: Callable[..., T], args, kwargs) -> Callable[[Session], T]:
    return lambda session: work(session, *args, **kwargs)


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, pool_timeout: float = 30.0):
        self.pool_size = pool_size
        self.engine: Engine = create_engine(
            url,
            pool_size=pool_size,
            # No overflow: the limiter admits exactly `pool_size` units at once.
            max_overflow=0,
            pool_timeout=pool_timeout,
            pool_recycle=1800,
            connect_args={"connect_timeout": 5, "application_name": "campaign-service"},
        )
        # Reads run without BEGIN/ROLLBACK round trips; writes get a transaction.
        self._read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._limiter: Optional[anyio.CapacityLimiter] = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use so that it belongs to the running event loop.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.pool_size)
        return self._limiter

    async def read(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args, **kwargs)` in a worker thread, outside any
        transaction: each statement sees what was committed when it started."""
        return await self._run(self._read_unit, _bind(work, args, kwargs))

    async def write(self, work: Callable[..., T], *args, **kwargs) -> T:
        """Run `work(session, *args, **kwargs)` in a worker thread inside one
        transaction, which commits when `work` returns and rolls back when it
        raises. `work` returns errors without writing to refuse a change."""
        return await self._run(self._write_unit, _bind(work, args, kwargs))

    async def _run(self, unit, work):
        try:
            return await anyio.to_thread.run_sync(functools.partial(unit, work), limiter=self.limiter)
        except DomainError:
            raise
        except DBAPIError as error:
            if _is_connection_problem(error):
                raise DatabaseUnavailable("The database is unavailable.") from error
            raise

    def _read_unit(self, work):
        with Session(self._read_engine) as session:
            return work(session)

    def _write_unit(self, work):
        with Session(self.engine) as session, session.begin():
            return work(session)

    def dispose(self) -> None:
        self.engine.dispose()
