"""Alembic, driven from code so that the console script works from any folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .database import make_engine


def _migrations_dir() -> Path:
    # The top-level migrations/ folder is installed as graphql_api.migrations.
    spec = importlib.util.find_spec("graphql_api.migrations")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    return ScriptDirectory.from_config(config).get_current_head()


def pending(database_url: str) -> bool:
    """True when the database is behind the newest migration."""
    head = head_revision()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    return current != head
