"""Configuration, read once from the environment.

Every variable is listed with its default in the README's configuration table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
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


def _zone(env: Mapping[str, str]) -> ZoneInfo:
    name = env.get("BUSINESS_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BUSINESS_TIMEZONE must be an IANA time zone name, got {name!r}") from None


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
    db_pool_size: int = 10
    db_pool_timeout: float = 30.0
    db_lock_timeout_ms: int = 5000
    db_statement_timeout_ms: int = 15000
    db_retry_attempts: int = 3
    shutdown_grace_seconds: float = 30.0
    business_timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    graphiql: bool = True
    parser_cache_size: int = 256
    validation_cache_size: int = 256
    log_level: str = "INFO"

    def database(self):
        """The Database these settings describe (imported late: settings stay light)."""
        from .database import Database

        if self.database_url is None:
            raise SettingsError("DATABASE_URL is not set")
        return Database(
            self.database_url,
            pool_size=self.db_pool_size,
            pool_timeout=self.db_pool_timeout,
            lock_timeout_ms=self.db_lock_timeout_ms,
            statement_timeout_ms=self.db_statement_timeout_ms,
            retry_attempts=self.db_retry_attempts,
        )

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL") or None
        return cls(
            database_url=sqlalchemy_url(database_url) if database_url else None,
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 8000),
            data_dir=Path(env.get("DATA_DIR") or ".data"),
            db_pool_size=_int(env, "DB_POOL_SIZE", 10),
            db_pool_timeout=_float(env, "DB_POOL_TIMEOUT", 30.0),
            db_lock_timeout_ms=_int(env, "DB_LOCK_TIMEOUT_MS", 5000, minimum=0),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 15000, minimum=0),
            db_retry_attempts=_int(env, "DB_RETRY_ATTEMPTS", 3),
            shutdown_grace_seconds=_float(env, "SHUTDOWN_GRACE_SECONDS", 30.0),
            business_timezone=_zone(env),
            graphiql=_bool(env, "GRAPHIQL", True),
            parser_cache_size=_int(env, "PARSER_CACHE_SIZE", 256),
            validation_cache_size=_int(env, "VALIDATION_CACHE_SIZE", 256),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        )
