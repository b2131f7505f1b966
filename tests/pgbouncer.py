"""Debian's PgBouncer in transaction pooling mode in front of the test
database, for the tests that run the service behind it. As root it runs as
PostgreSQL's system user (it refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
from sqlalchemy.engine import make_url

from .servers import free_port

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# .ci/run sets it: there, a missing PgBouncer fails the tests instead of skipping them.
REQUIRED = os.environ.get("PGBOUNCER_REQUIRED") == "1"


def available() -> bool:
    return os.path.exists(BINARY)


def _system_user():
    if os.geteuid() != 0:
        return None
    for name in ("pgserver", "postgres"):  # whoever can reach the embedded server's socket
        if subprocess.run(["id", name], capture_output=True).returncode == 0:
            return name
    raise RuntimeError("PgBouncer refuses to run as root, and neither a pgserver nor a postgres user exists")


class PgBouncer:
    def __init__(self, database_url: str):
        url = make_url(database_url)
        host = url.host or url.query.get("host") or "/tmp"
        self.database, self.user = url.database, url.username or "postgres"
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        (self.directory / "users.txt").write_text(f'"{self.user}" "{url.password or ""}"\n')
        (self.directory / "pgbouncer.ini").write_text(f"""\
[databases]
{self.database} = host={host} port={url.port or 5432} dbname={self.database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.directory / "users.txt"}
admin_users = {self.user}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
logfile = {self.directory / "pgbouncer.log"}
pidfile = {self.directory / "pgbouncer.pid"}
""")
        self.user_to_run_as = _system_user()
        if self.user_to_run_as is not None:
            subprocess.run(["chown", "-R", self.user_to_run_as, str(self.directory)], check=True)
        command = [BINARY, str(self.directory / "pgbouncer.ini")]
        if self.user_to_run_as is not None:
            command = ["runuser", "-u", self.user_to_run_as, "--", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                psycopg2.connect(self.url, connect_timeout=2).close()
                return
            except psycopg2.OperationalError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"PgBouncer did not start: {self.log()}")

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
