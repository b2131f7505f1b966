"""The application factory."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timezone
from typing import Callable, Optional

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import __version__
from .database import Database
from .graphql.schema import build_schema
from .graphql.view import GraphQLView
from .middleware import RequestContextMiddleware
from .settings import Settings

logger = logging.getLogger("graphql_api")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _check_database(session) -> None:
    session.execute(text("SELECT 1"))


def create_app(
    settings: Optional[Settings] = None,
    *,
    database: Optional[Database] = None,
    clock: Callable[[], datetime] = utc_now,
) -> Starlette:
    settings = settings or Settings.from_env()
    if database is None:
        if settings.database_url is None:
            raise RuntimeError(
                "DATABASE_URL is not set; start the service with `campaign-service serve`, "
                "which starts an embedded PostgreSQL when it is unset."
            )
        database = Database(
            settings.database_url, pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout
        )
    schema = build_schema(settings.parser_cache_size, settings.validation_cache_size)
    graphql = GraphQLView(schema, database=database, settings=settings, clock=clock)

    async def root(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "service": "campaign-service",
                "description": "Discount campaigns for e-commerce, with a GraphQL API.",
                "version": __version__,
                "graphql": str(request.url_for("graphql")),
                "graphiql": settings.graphiql,
                "health": str(request.url_for("health")),
            }
        )

    async def health(request: Request) -> JSONResponse:
        try:
            await database.read(_check_database)
        except Exception:  # any failure means "not healthy"; the reason goes to the log
            logger.warning("health check: database unreachable", exc_info=True)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        database.dispose()

    app = Starlette(
        routes=[
            Route("/", root, methods=["GET"]),
            Route("/health", health, methods=["GET"], name="health"),
            Route("/graphql", graphql, methods=["GET", "POST"], name="graphql"),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(RequestContextMiddleware)
    app.state.database = database
    app.state.settings = settings
    return app
