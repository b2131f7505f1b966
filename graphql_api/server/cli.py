"""campaign-service: the discount campaign service and its administration.

Commands:
  serve                  serve the GraphQL API (and GraphiQL outside production)
  migrate                apply database migrations
  keys create|list|revoke
                         manage API keys (`keys create` prints the key alone on stdout)
  check                  verify budgets and limits across the whole database
  export-schema          write the GraphQL schema (SDL)
  documents              build the trusted-documents manifest from .graphql files

With DATABASE_URL unset, every command uses the embedded PostgreSQL under
DATA_DIR (default .data/), starting it if needed."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
from pathlib import Path
from typing import Iterator, Optional, Sequence

from .. import __version__
from ..observability.logs import configure_logging
from ..settings import Settings, SettingsError

logger = logging.getLogger("graphql_api.cli")

DEV_DATABASE = "campaign_service"


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[tuple[str, bool]]:
    """The database to use and whether it is the embedded one.

    With DATABASE_URL unset, the embedded PostgreSQL under DATA_DIR is started
    and stays up until this process exits.
    """
    if settings.database_url:
        yield settings.database_url, False
        return
    from ..db import embedded_postgres

    url = embedded_postgres.start(settings.data_dir, DEV_DATABASE)
    # stderr: stdout of `keys create` is the key and nothing else.
    print(f"Embedded PostgreSQL running with its data in {settings.data_dir.resolve() / 'postgres'}", file=sys.stderr)
    yield url, True


def command_name() -> str:
    """This program as the user can type it: `campaign-service` when that is
    on PATH, else the path they ran (e.g. `.venv/bin/campaign-service`)."""
    program = Path(sys.argv[0])
    if program.name == "__main__.py" or program.suffix == ".py":
        return f"{Path(sys.executable).name} -m graphql_api.server.cli"
    on_path = shutil.which(program.name)
    if on_path and Path(on_path).resolve() == program.resolve():
        return program.name
    try:
        return str(program.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(program.resolve())


def _port_taken(host: str, port: int) -> Optional[str]:
    """Why `host:port` cannot be served, or None. Checked before anything is
    printed, so that a busy port is one clear line instead of a banner
    followed by uvicorn's traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from ..db import migrate

    host = args.host or settings.host
    port = args.port or settings.port
    if settings.listener_error():
        print(f"Configuration error: {settings.listener_error()}", file=sys.stderr)
        return 2
    refused = _port_taken(host, port)
    if refused:
        print(f"Cannot listen on {host}:{port}: {refused}. Stop what uses it, or set PORT (or --port).",
              file=sys.stderr)
        return 2
    with database_url(settings) as (url, embedded):
        if embedded or args.migrate:
            migrate.upgrade(url)
        elif migrate.pending(url):
            print(
                "The database schema is behind this version of the service. "
                "Run `campaign-service migrate` first, or start with `serve --migrate`.",
                file=sys.stderr,
            )
            return 2
        if settings.production:
            _hint_when_keyless(url)
        else:
            if not embedded:
                _warn_development_mode(url)
            _first_run_key(url, host, port)
        # Workers are separate processes; they find the database in the environment.
        os.environ["DATABASE_URL"] = url
        if args.workers > 1:
            _prepare_multiprocess_metrics()
        _exit_cleanly_on_stop_signals()
        print(_banner(settings, host, port), flush=True)
        uvicorn.run(
            "graphql_api.server.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            log_config=None,  # each worker configures logging in create_app
            access_log=False,  # our request line has more, and the request id
            http="graphql_api.server.http_protocol:DeadlineHttpToolsProtocol",
            timeout_keep_alive=settings.idle_timeout_seconds,
            limit_concurrency=settings.max_connections,
            # X-Forwarded-For/-Proto only from the proxies named in TRUSTED_PROXIES.
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=list(settings.trusted_proxies) or None,
            # SIGTERM: stop accepting, let requests in flight finish, then exit.
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            # Socket messages are bounded like request bodies, and sent as they
            # are: events are a hundred bytes, which deflate cannot shrink enough
            # to pay for its CPU and its compressor per socket.
            ws_max_size=settings.max_body_bytes,
            ws_per_message_deflate=False,
        )
    return 0


def _banner(settings: Settings, host: str, port: int) -> str:
    url = f"http://{host}:{port}/graphql"
    if settings.graphiql:
        return f"GraphQL API at {url} (open it in a browser for GraphiQL); Ctrl-C stops."
    return f"GraphQL API at {url} ({settings.environment} mode, GraphiQL off); Ctrl-C stops."


def _warn_development_mode(url: str) -> None:
    """Development mode on a real database is usually a forgotten
    ENVIRONMENT=production: say so before a key is printed."""
    from sqlalchemy.engine import make_url

    database = make_url(url)
    print(
        "\n*** WARNING: development mode (ENVIRONMENT is not 'production') on the database "
        f"{database.database!r} at {database.host or 'a local socket'}. ***\n"
        "*** GraphiQL and introspection are on, and an admin key is created on an empty database. ***\n"
        "*** Set ENVIRONMENT=production for a shop's real data. ***\n",
        file=sys.stderr,
        flush=True,
    )


def _prepare_multiprocess_metrics() -> None:
    """Workers write their samples to one folder that /metrics adds up; a stale
    folder from an earlier run would count twice."""
    import shutil
    import tempfile

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="campaign-service-metrics-")


def _first_run_key(url: str, host: str, port: int) -> None:
    """On an empty database, make an admin key and show it this once, so that
    GraphiQL works in the first minute. Production starts make no key."""
    from ..access.keys import count_keys, create_key
    from ..access.roles import Role

    with _session(url) as session:
        if count_keys(session):
            return
        _record, key = create_key(session, "first run", Role.ADMIN, _utc_now())
        session.commit()
    print(
        "\nCreated an admin API key (shown only this once):\n"
        f"    {key}\n"
        f"In GraphiQL (http://{host}:{port}/graphql) open the Headers tab and paste:\n"
        f'    {{"Authorization": "Bearer {key}"}}\n'
        f"Lost it? `{command_name()} keys create --role admin --name me` makes another.\n",
        flush=True,
    )


def _hint_when_keyless(url: str) -> None:
    """Production makes no key by itself; say how to make the first one."""
    from ..access.keys import count_keys

    with _session(url) as session:
        if count_keys(session):
            return
    print(f"No API key exists yet: `{command_name()} keys create --role admin --name ops` makes the first.",
          file=sys.stderr, flush=True)


@contextlib.contextmanager
def _session(url: str):
    from sqlalchemy.orm import Session

    from ..db.database import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _utc_now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    from ..access.keys import create_key, list_keys, revoke_key
    from ..access.roles import Role

    with database_url(settings) as (url, embedded), _session(url) as session:
        if embedded:
            from ..db import migrate

            migrate.upgrade(url)
        if args.keys_command == "create":
            record, key = create_key(session, args.name, Role(args.role), _utc_now())
            session.commit()
            # The key alone on stdout, so that KEY=$(campaign-service keys create ...) works.
            print(f"Created {record.role.value} key {record.public_id} ({record.name}). "
                  "Store it now; it is not shown again.", file=sys.stderr)
            print(key)
        elif args.keys_command == "list":
            print(f"{'id':<14}{'role':<10}{'name':<24}{'created':<27}{'last used':<27}revoked")
            for record in list_keys(session):
                print(
                    f"{record.public_id:<14}{record.role.value:<10}{record.name[:23]:<24}"
                    f"{record.created_at.isoformat(timespec='seconds'):<27}"
                    f"{record.last_used_at.isoformat(timespec='seconds') if record.last_used_at else '-':<27}"
                    f"{record.revoked_at.isoformat(timespec='seconds') if record.revoked_at else '-'}"
                )
        else:
            if not revoke_key(session, args.key_id, _utc_now()):
                print(f"No active key with id {args.key_id}.", file=sys.stderr)
                return 1
            session.commit()
            print(f"Revoked key {args.key_id} (servers stop accepting it within API_KEY_CACHE_SECONDS).")
    return 0


def _exit_cleanly_on_stop_signals() -> None:
    """uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the
    signal to whatever handler was installed before it. With this one in place
    the re-raised signal returns here, the embedded database is stopped on the
    way out, and a requested stop exits 0 instead of dying by the signal."""
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda signum, frame: None)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from ..db import migrate

    with database_url(settings) as (url, _embedded):
        migrate.upgrade(url, args.revision)
    print(f"Database migrated to {args.revision}.")
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from ..db.invariants import find_violations

    with database_url(settings) as (url, _embedded), _session(url) as session:
        violations = find_violations(session, settings.business_timezone)
    for violation in violations:
        print(f"{violation.kind}: {violation.detail}")
    if violations:
        print(f"{len(violations)} violation(s) found.", file=sys.stderr)
        return 1
    print("All campaigns and usages are consistent.")
    return 0


def _export_schema(_settings: Optional[Settings], args: argparse.Namespace) -> int:
    from ..graphql.schema import schema_sdl

    Path(args.output).write_text(schema_sdl(), encoding="utf-8")
    print(f"Wrote {args.output}")
    return 0


def _documents(_settings: Optional[Settings], args: argparse.Namespace) -> int:
    import json

    from graphql import GraphQLError, parse

    from ..graphql.engine.adapter import core_schema, validate_as_strawberry
    from ..graphql.engine.documents import validation_rules
    from ..graphql.engine.trusted import ManifestError, build_manifest
    from ..graphql.schema import schema

    files = sorted(f for source in map(Path, args.sources)
                   for f in (source.glob("*.graphql") if source.is_dir() else [source]))
    try:
        manifest = build_manifest(files, map(Path, args.merge))
    except (ManifestError, GraphQLError, OSError) as error:
        print(f"Cannot build the manifest: {error}", file=sys.stderr)
        return 1
    # As the server validates: a document it would refuse would be trusted for nothing.
    graphql_schema, rules = core_schema(schema), validation_rules(_settings)
    for digest, text in manifest.items():
        errors = validate_as_strawberry(graphql_schema, parse(text), rules, False)
        if errors:
            print(f"sha256:{digest} does not validate: {errors[0].message}", file=sys.stderr)
            return 1
    Path(args.output).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {args.output}: {len(manifest)} trusted documents")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campaign-service", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", help="address to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    serve.add_argument(
        "--migrate", action="store_true", help="apply pending migrations first (always done for the embedded database)"
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    migrate.set_defaults(handler=_migrate)

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--role", choices=["admin", "checkout"], required=True)
    create.add_argument("--name", required=True, help="who or what uses it, e.g. ops or storefront")
    key_commands.add_parser("list", help="every key: id, role, name, created, last used, revoked")
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    keys.set_defaults(handler=_keys)

    check = commands.add_parser(
        "check",
        help="verify budgets and daily limits across the whole database; exit 1 listing offenders",
    )
    check.set_defaults(handler=_check)

    export = commands.add_parser("export-schema", help="write the GraphQL schema (SDL)")
    export.add_argument("--output", default="schema.graphql", help="file to write (default: schema.graphql)")
    export.set_defaults(handler=_export_schema)

    documents = commands.add_parser(
        "documents", help="build the trusted-documents manifest: one id per operation in the .graphql files")
    documents.add_argument("sources", nargs="*", default=["examples/operations"],
                           help=".graphql files or folders of them (default: examples/operations)")
    documents.add_argument("--merge", action="append", default=[], metavar="FILE",
                           help="a manifest to include, e.g. a frontend's persisted-documents.json (repeatable)")
    documents.add_argument("--output", default="trusted-documents.json",
                           help="file to write (default: trusted-documents.json)")
    documents.set_defaults(handler=_documents)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    # A server's log is its output; the other commands print results on
    # stdout, so their log lines go to stderr.
    log_stream = sys.stdout if args.command == "serve" else sys.stderr
    configure_logging(settings.log_level, settings.log_format, settings.log_dir, stream=log_stream)
    return args.handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
