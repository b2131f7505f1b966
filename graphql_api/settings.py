"""Configuration, read once from the environment.

Every default is the `Settings` field's, and only there; every variable is
listed with its default in the README's configuration table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


# The checkout this service runs from; the trusted-documents manifest is kept there.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, allow_zero: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise SettingsError(f"{name} must be {'0 or more' if allow_zero else 'positive'}, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _zone(env: Mapping[str, str]) -> ZoneInfo:
    name = env.get("BUSINESS_TIMEZONE") or Settings().business_timezone.key
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BUSINESS_TIMEZONE must be an IANA time zone name, got {name!r}") from None


def _log_format(env: Mapping[str, str]) -> str:
    value = (env.get("LOG_FORMAT") or Settings.log_format).strip().lower()
    if value not in {"json", "human"}:
        raise SettingsError(f"LOG_FORMAT must be json or human, got {value!r}")
    return value


def _exposure(env: Mapping[str, str]) -> dict:
    environment = (env.get("ENVIRONMENT") or Settings.environment).strip().lower()
    if environment not in {"development", "production"}:
        raise SettingsError(f"ENVIRONMENT must be development or production, got {environment!r}")
    production = environment == "production"
    origins = tuple(o.strip() for o in (env.get("CORS_ALLOWED_ORIGINS") or "").split(",") if o.strip())
    return dict(
        environment=environment,
        graphiql=_bool(env, "GRAPHIQL", not production),
        allow_introspection=_bool(env, "ALLOW_INTROSPECTION", not production),
        cors_allowed_origins=origins,
        max_body_bytes=_int(env, "MAX_BODY_BYTES", Settings.max_body_bytes),
        max_document_bytes=_int(env, "MAX_DOCUMENT_BYTES", Settings.max_document_bytes),
        max_query_depth=_int(env, "MAX_QUERY_DEPTH", Settings.max_query_depth),
        max_aliases=_int(env, "MAX_ALIASES", Settings.max_aliases, minimum=0),
        max_fields=_int(env, "MAX_FIELDS", Settings.max_fields),
        max_tokens=_int(env, "MAX_TOKENS", Settings.max_tokens),
        max_query_cost=_int(env, "MAX_QUERY_COST", Settings.max_query_cost),
        batch_max_operations=_int(env, "BATCH_MAX_OPERATIONS", Settings.batch_max_operations, minimum=0),
        allow_get_queries=_bool(env, "ALLOW_GET_QUERIES", Settings.allow_get_queries),
        request_timeout_seconds=_float(env, "REQUEST_TIMEOUT_SECONDS", Settings.request_timeout_seconds),
        rate_limit_capacity=_float(env, "RATE_LIMIT_CAPACITY", Settings.rate_limit_capacity),
        rate_limit_restore_rate=_float(env, "RATE_LIMIT_RESTORE_RATE", Settings.rate_limit_restore_rate),
        failed_code_cost=_int(env, "FAILED_CODE_COST", Settings.failed_code_cost),
        ws_init_timeout_seconds=_float(env, "WS_INIT_TIMEOUT_SECONDS", Settings.ws_init_timeout_seconds),
        ws_connections_per_key=_int(env, "WS_CONNECTIONS_PER_KEY", Settings.ws_connections_per_key),
        ws_subscriptions_per_connection=_int(
            env, "WS_SUBSCRIPTIONS_PER_CONNECTION", Settings.ws_subscriptions_per_connection),
        live_queue_size=_int(env, "LIVE_QUEUE_SIZE", Settings.live_queue_size),
        ws_send_timeout_seconds=_float(env, "WS_SEND_TIMEOUT_SECONDS", Settings.ws_send_timeout_seconds),
        webhook_delivery=_bool(env, "WEBHOOK_DELIVERY", Settings.webhook_delivery),
        webhook_timeout_seconds=_float(env, "WEBHOOK_TIMEOUT_SECONDS", Settings.webhook_timeout_seconds),
        webhook_allow_private_addresses=_bool(
            env, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", Settings.webhook_allow_private_addresses),
        anonymous_rate_limit_capacity=_float(
            env, "ANONYMOUS_RATE_LIMIT_CAPACITY", Settings.anonymous_rate_limit_capacity),
        anonymous_rate_limit_restore_rate=_float(
            env, "ANONYMOUS_RATE_LIMIT_RESTORE_RATE", Settings.anonymous_rate_limit_restore_rate),
        redis_url=env.get("REDIS_URL") or None,
        redis_timeout_seconds=_float(env, "REDIS_TIMEOUT_SECONDS", Settings.redis_timeout_seconds),
        redis_fallback=_choice(env, "RATE_LIMIT_REDIS_FALLBACK", ("local", "open", "closed"), Settings.redis_fallback),
        api_key_cache_seconds=_float(env, "API_KEY_CACHE_SECONDS", Settings.api_key_cache_seconds, allow_zero=True),
        header_timeout_seconds=_float(env, "HEADER_TIMEOUT_SECONDS", Settings.header_timeout_seconds),
        body_timeout_seconds=_float(env, "BODY_TIMEOUT_SECONDS", Settings.body_timeout_seconds),
        idle_timeout_seconds=_float(env, "IDLE_TIMEOUT_SECONDS", Settings.idle_timeout_seconds),
        max_connections=_int(env, "MAX_CONNECTIONS", Settings.max_connections),
        trusted_proxies=tuple(a.strip() for a in (env.get("TRUSTED_PROXIES") or "").split(",") if a.strip()),
        trusted_documents=_choice(env, "TRUSTED_DOCUMENTS", ("off", "allow", "require"), Settings.trusted_documents),
        trusted_documents_manifest=(Path(env["TRUSTED_DOCUMENTS_MANIFEST"]) if env.get("TRUSTED_DOCUMENTS_MANIFEST")
                                    else Settings.trusted_documents_manifest),
    )


def sqlalchemy_url(url: str) -> str:
    """Accept the usual `postgresql://` and `postgres://` forms and pin the driver."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    raise SettingsError("DATABASE_URL must start with postgresql://")


@dataclass(frozen=True)
class Settings:
    database_url: Optional[str] = None
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".data")
    # A handful is enough for a local or nearby database: the threads share
    # one interpreter lock, and more of them only lengthen the waits for it,
    # including a row lock holder's (README: Benchmarks). Raise it for a
    # database further away.
    db_pool_size: int = 5
    db_pool_timeout: float = 30.0
    db_lock_timeout_ms: int = 5000
    db_statement_timeout_ms: int = 15000
    db_retry_attempts: int = 3
    # Off behind PgBouncer in transaction mode (graphql_api/db/prepared_statements.py).
    db_prepared_statements: bool = True
    # "transaction": a pooler in transaction mode sits in front (PgBouncer):
    # no session state, so no prepared statements and no startup options;
    # write transactions set their limits with SET LOCAL instead.
    db_pooler: str = "none"
    # The live listener's session connection (LISTEN), around such a pooler.
    live_database_url: Optional[str] = None
    # Admission (graphql_api/server/admission.py); None: as many as the pool has connections.
    max_in_flight_requests: Optional[int] = None
    max_queued_requests: int = 1024
    queue_timeout_seconds: float = 10.0
    shutdown_grace_seconds: float = 30.0
    business_timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    graphiql: bool = True
    parser_cache_size: int = 256
    validation_cache_size: int = 256
    log_level: str = "INFO"
    log_format: str = "json"
    log_dir: Optional[Path] = None
    # --- exposure (issue: safe to expose) ---
    environment: str = "development"
    allow_introspection: bool = True
    cors_allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_048_576
    max_document_bytes: int = 32_768
    max_query_depth: int = 12
    max_aliases: int = 30
    max_fields: int = 250
    max_tokens: int = 2_000
    max_query_cost: int = 5_000
    batch_max_operations: int = 0
    # Queries over GET are safe here (the key is a header, which no cross-site
    # request can send); off for deployments that want POST only.
    allow_get_queries: bool = True
    request_timeout_seconds: float = 30.0
    rate_limit_capacity: float = 10_000
    rate_limit_restore_rate: float = 1_000
    # Points each coupon code that reaches nothing costs on top of the query:
    # guessing codes drains the bucket (about 2 guesses a second at the defaults).
    failed_code_cost: int = 500
    # Subscriptions: the wait for connection_init, sockets per key and
    # process, subscriptions per socket, and the events a subscriber may be
    # behind before its socket is closed.
    ws_init_timeout_seconds: float = 10.0
    ws_connections_per_key: int = 20
    ws_subscriptions_per_connection: int = 64
    live_queue_size: int = 256
    ws_send_timeout_seconds: float = 10.0
    # Webhooks: this process delivers the outbox; a post's time limit; and
    # whether endpoints on loopback or private networks may be called (off:
    # a webhook is no way into the shop's own network).
    webhook_delivery: bool = True
    webhook_timeout_seconds: float = 5.0
    webhook_allow_private_addresses: bool = False
    anonymous_rate_limit_capacity: float = 100
    anonymous_rate_limit_restore_rate: float = 100 / 60
    redis_url: Optional[str] = None
    # While Redis does not answer within REDIS_TIMEOUT_SECONDS: per-process
    # buckets ("local"), no limit ("open") or refuse ("closed").
    redis_timeout_seconds: float = 0.1
    redis_fallback: str = "local"
    api_key_cache_seconds: float = 5.0
    # Slow clients: a request's headers and its body each get a deadline; a
    # kept-alive connection closes after IDLE_TIMEOUT_SECONDS without a request
    # (longer than a load balancer's idle timeout, so it never reuses a closed one).
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 10.0
    idle_timeout_seconds: float = 75.0
    max_connections: int = 1000
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto are believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Documents a client may name by id (README: Trusted documents): "off"
    # ignores ids, "allow" runs ids and text, "require" lets checkout keys run
    # only trusted documents.
    trusted_documents: str = "allow"
    trusted_documents_manifest: Path = PROJECT_ROOT / "trusted-documents.json"

    @property
    def in_flight_limit(self) -> int:
        return self.max_in_flight_requests or self.db_pool_size

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def database(self):
        """The Database these settings describe (imported late: settings stay light)."""
        from .db.database import Database

        if self.database_url is None:
            raise SettingsError("DATABASE_URL is not set")
        return Database(
            self.database_url,
            pool_size=self.db_pool_size,
            pool_timeout=self.db_pool_timeout,
            lock_timeout_ms=self.db_lock_timeout_ms,
            statement_timeout_ms=self.db_statement_timeout_ms,
            retry_attempts=self.db_retry_attempts,
            prepared_statements=self.db_prepared_statements,
            transaction_pooler=self.db_pooler == "transaction",
        )

    def listener_error(self) -> Optional[str]:
        """Why the live listener could not LISTEN with these settings, or None.
        Checked by `serve` only: the other commands never listen."""
        if self.db_pooler == "transaction" and not self.live_database_url:
            return ("DB_POOLER=transaction needs LIVE_DATABASE_URL: the live listener's LISTEN needs a session "
                    "connection, to the database itself rather than through the pooler")
        return None

    @property
    def listen_url(self) -> Optional[str]:
        """Where the live listener LISTENs: never through a transaction pooler."""
        error = self.listener_error()
        if error:
            raise SettingsError(error)
        return self.live_database_url or self.database_url

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL") or None
        live_database_url = env.get("LIVE_DATABASE_URL") or None
        db_pooler = _choice(env, "DB_POOLER", ("none", "transaction"), Settings.db_pooler)
        return cls(
            database_url=sqlalchemy_url(database_url) if database_url else None,
            live_database_url=sqlalchemy_url(live_database_url) if live_database_url else None,
            db_pooler=db_pooler,
            host=env.get("HOST") or Settings.host,
            port=_int(env, "PORT", Settings.port),
            data_dir=Path(env.get("DATA_DIR") or Settings.data_dir),
            db_pool_size=_int(env, "DB_POOL_SIZE", Settings.db_pool_size),
            db_pool_timeout=_float(env, "DB_POOL_TIMEOUT", Settings.db_pool_timeout),
            db_lock_timeout_ms=_int(env, "DB_LOCK_TIMEOUT_MS", Settings.db_lock_timeout_ms, minimum=0),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", Settings.db_statement_timeout_ms, minimum=0),
            db_retry_attempts=_int(env, "DB_RETRY_ATTEMPTS", Settings.db_retry_attempts),
            db_prepared_statements=_bool(env, "DB_PREPARED_STATEMENTS", Settings.db_prepared_statements),
            max_in_flight_requests=_int(env, "MAX_IN_FLIGHT_REQUESTS", 0) or None,  # unset: DB_POOL_SIZE
            max_queued_requests=_int(env, "MAX_QUEUED_REQUESTS", Settings.max_queued_requests, minimum=0),
            queue_timeout_seconds=_float(env, "QUEUE_TIMEOUT_SECONDS", Settings.queue_timeout_seconds, allow_zero=True),
            shutdown_grace_seconds=_float(env, "SHUTDOWN_GRACE_SECONDS", Settings.shutdown_grace_seconds),
            business_timezone=_zone(env),
            parser_cache_size=_int(env, "PARSER_CACHE_SIZE", Settings.parser_cache_size),
            validation_cache_size=_int(env, "VALIDATION_CACHE_SIZE", Settings.validation_cache_size),
            log_level=(env.get("LOG_LEVEL") or Settings.log_level).upper(),
            log_format=_log_format(env),
            log_dir=Path(env["LOG_DIR"]) if env.get("LOG_DIR") else None,
            **_exposure(env),
        )
