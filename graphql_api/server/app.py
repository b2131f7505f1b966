"""The application factory."""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..observability import metrics
from ..access.authenticator import Authenticator
from .admission import AdmissionMiddleware
from ..db.database import Database, DatabaseUnavailable
from . import exports
from .asgi import HTTP_CODES, error_document
from .gc_tuning import tune_for_serving
from ..graphql.engine.metering import Throttle
from ..graphql.engine.pipeline import GraphQLEngine
from ..graphql.engine.websocket import SocketEndpoint
from ..live.hub import Hub
from ..webhooks.delivery import DeliveryWorker
from ..graphql.engine.trusted import TrustedDocuments
from ..graphql.schema import schema
from ..observability.logs import configure_logging
from .middleware.authentication import AuthenticationMiddleware
from .middleware.body_limit import BodyLimitMiddleware
from .middleware.request_context import RequestContextMiddleware
from ..db.migrate import head_revision
from ..access.ratelimit import BucketLimits, Buckets, make_buckets
from ..settings import Settings
from ..error_codes import TopLevelCode

logger = logging.getLogger("graphql_api")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _schema_revision(session) -> Optional[str]:
    if session.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
        return None  # never migrated
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


GRAPHIQL_ASSETS = Path(__file__).resolve().parent.parent / "static" / "graphiql"
DASHBOARD_ASSETS = Path(__file__).resolve().parent.parent / "static" / "dashboard"
DASHBOARD_PAGE = DASHBOARD_ASSETS / "index.html"


def trusted_documents(settings: Settings) -> TrustedDocuments:
    """The manifest TRUSTED_DOCUMENTS_MANIFEST names; none when trusted
    documents are off, or when the file is absent and they are not required."""
    manifest = settings.trusted_documents_manifest
    if settings.trusted_documents == "off" or (settings.trusted_documents == "allow" and not manifest.exists()):
        return TrustedDocuments({})
    return TrustedDocuments.load(manifest)


def create_app(
    settings: Optional[Settings] = None,
    *,
    database: Optional[Database] = None,
    clock: Callable[[], datetime] = utc_now,
    buckets: Optional[Buckets] = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    if database is None:
        if settings.database_url is None:
            raise RuntimeError(
                "DATABASE_URL is not set; start the service with `campaign-service serve`, "
                "which starts an embedded PostgreSQL when it is unset."
            )
        database = settings.database()
    expected_revision = head_revision()
    metrics.watch_pool(database.engine, "write")
    metrics.watch_pool(database.read_engine, "read")
    buckets = buckets or make_buckets(settings.redis_url, settings.redis_fallback, settings.redis_timeout_seconds)
    throttle = Throttle(buckets, BucketLimits(settings.rate_limit_capacity, settings.rate_limit_restore_rate))
    live = Hub(settings.listen_url, queue_size=settings.live_queue_size)
    graphql = GraphQLEngine(schema, database=database, settings=settings, clock=clock, throttle=throttle,
                            trusted=trusted_documents(settings), live=live)
    authenticator = Authenticator(
        database, settings.api_key_cache_seconds, buckets,
        BucketLimits(settings.anonymous_rate_limit_capacity, settings.anonymous_rate_limit_restore_rate),
    )
    sockets = SocketEndpoint(graphql, authenticator)

    async def dashboard(request: Request) -> HTMLResponse:
        # A page without data: it asks for the admin key, then reads the API with it.
        return HTMLResponse(DASHBOARD_PAGE.read_text(encoding="utf-8"))

    async def root(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "service": "campaign-service",
                "description": "Discount campaigns for e-commerce, with a GraphQL API.",
                "version": __version__,
                "graphql": str(request.url_for("graphql")),
                "graphiql": settings.graphiql,
                "health": str(request.url_for("health")),
                "ready": str(request.url_for("ready")),
            }
        )

    readiness = {"checked_at": -1.0, "state": "unknown"}

    async def database_state() -> str:
        """The database's state, checked at most once a second however often
        probes ask: a probe storm costs the database nothing."""
        if time.monotonic() - readiness["checked_at"] >= 1.0:
            readiness["checked_at"] = time.monotonic()
            readiness["state"] = await _check_database()
        return readiness["state"]

    async def _check_database() -> str:
        try:
            revision = await database.read(_schema_revision)
        except DatabaseUnavailable:  # the Database logs an outage once, not per probe
            return "unreachable"
        except Exception:
            logger.exception("database check failed")
            return "unreachable"
        return "ok" if revision == expected_revision else "migrations pending"

    async def health(request: Request) -> JSONResponse:
        """Liveness: the process answers, with no database work, so that an
        outage does not get healthy processes restarted (/ready tells that)."""
        return JSONResponse({"status": "ok", "version": __version__})

    async def ready(request: Request) -> JSONResponse:
        """Readiness: the database is reachable and migrated to this version."""
        state = await database_state()
        status_code = 200 if state == "ok" else 503
        return JSONResponse({"status": "ready" if state == "ok" else "unavailable", "database": state},
                            status_code=status_code)

    async def metrics_endpoint(request: Request) -> Response:
        budgets = await database.read(metrics.campaign_budgets)
        return Response(metrics.exposition(budgets), media_type=metrics.CONTENT_TYPE)

    async def http_refusal(request: Request, error: HTTPException) -> JSONResponse:
        """Unknown paths and methods get the same error body as everything else."""
        code = HTTP_CODES.get(error.status_code, TopLevelCode.BAD_REQUEST)
        return JSONResponse(error_document(code, error.detail), status_code=error.status_code,
                            headers=error.headers)

    worker = DeliveryWorker(settings.database_url, settings.webhook_timeout_seconds,
                            settings.webhook_allow_private_addresses,
                            settings.db_pooler == "transaction") if settings.webhook_delivery else None

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            worker.stop()
        live.stop()
        await buckets.close()
        database.dispose()

    app = Starlette(
        # First the route nearly every request takes: Starlette tries them in order.
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"], name="graphql"),
            WebSocketRoute("/graphql", sockets, name="graphql-subscriptions"),
            Route("/", root, methods=["GET"]),
            Route("/health", health, methods=["GET"], name="health"),
            Route("/ready", ready, methods=["GET"], name="ready"),
            Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics"),
            Route(exports.PATH, exports.coupon_codes_endpoint(database), methods=["GET"], name="export-coupon-codes"),
            Mount("/graphiql-assets", StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql-assets"),
            Route("/dashboard", dashboard, methods=["GET"], name="dashboard"),
            Mount("/dashboard-assets", StaticFiles(directory=DASHBOARD_ASSETS), name="dashboard-assets"),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_refusal},
    )
    # Added innermost first: a request meets RequestContext, CORS,
    # authentication, the body limit, then admission (only callers with a key
    # queue, and only their bodies are read).
    app.add_middleware(
        AdmissionMiddleware,
        max_in_flight=settings.in_flight_limit,
        max_queued=settings.max_queued_requests,
        queue_timeout=settings.queue_timeout_seconds,
    )
    # The body is read only once the headers carried a valid key.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       timeout_seconds=settings.body_timeout_seconds)
    app.add_middleware(
        AuthenticationMiddleware,
        authenticator=authenticator,
        graphiql=settings.graphiql,
    )
    if settings.cors_allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware)
    app.state.database = database
    app.state.engine = graphql
    app.state.settings = settings
    return app


def app_from_environment() -> Starlette:
    """The entry point `serve` gives uvicorn: each worker process reads its
    settings and sets up its own logging."""
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format, settings.log_dir, background=True)
    app = create_app(settings)
    tune_for_serving()
    return app
