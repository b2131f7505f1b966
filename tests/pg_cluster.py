"""A primary and its synchronous streaming standby: two PostgreSQL servers of
the embedded binaries (the `pgserver` package's) on loopback ports, for the
failover test. As root, they run as pgserver's own system user, since
PostgreSQL refuses to run as root."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg2

from .servers import free_port

STANDBY_NAME = "standby"


def _bin(name: str) -> str:
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)


def _system_user():
    if os.geteuid() != 0:
        return None
    from pgserver.utils import ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


def _run(user, *command: str) -> str:
    if user is not None:
        command = ("runuser", "-u", user, "--", *command)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Node:
    name: str
    data: Path
    port: int
    user: object

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        _run(self.user, _bin("pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / f"{self.name}.log"),
             "-w", "-t", "60", "start")

    def promote(self) -> None:
        _run(self.user, _bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "promote")

    def freeze_receiver(self) -> int:
        """A standby stops taking WAL (its WAL receiver is stopped with SIGSTOP):
        it falls behind, and sends its primary no more replies."""
        (pid,), = self.query("SELECT pid FROM pg_stat_wal_receiver")
        os.kill(pid, signal.SIGSTOP)
        return pid

    def lose_frozen_receiver(self, pid: int) -> None:
        """SIGKILL to the frozen receiver: what its socket held unread is gone.
        The standby's postmaster restarts (as after any crashed child) and
        recovers to what it had flushed."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                if self.query("SELECT pg_is_in_recovery()") == [(True,)]:
                    return
            except psycopg2.OperationalError:
                pass  # restarting
        raise RuntimeError(f"{self.name} did not come back within 60 s")

    def kill(self) -> None:
        """SIGKILL to the postmaster and every backend at once, as when its machine dies."""
        postmaster = psutil.Process(int((self.data / "postmaster.pid").read_text().split()[0]))
        for process in [postmaster, *postmaster.children(recursive=True)]:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        psutil.wait_procs([postmaster], timeout=10)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(([] if self.user is None else ["runuser", "-u", self.user, "--"])
                           + [_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)

    def query(self, sql: str, database: str = "postgres"):
        connection = psycopg2.connect(self.dsn(database), connect_timeout=5)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()


def primary_and_standby(root: Path) -> tuple[Node, Node]:
    """Both started, the standby streaming and synchronous: a commit returns
    only once the standby has the commit's WAL."""
    user = _system_user()
    root.mkdir(parents=True, exist_ok=True)
    if user is not None:
        from pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(root)
        subprocess.run(["chown", user, str(root)], check=True)
    primary = Node("primary", root / "primary", free_port(), user)
    standby = Node("standby", root / "standby", free_port(), user)
    _run(user, _bin("initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(primary.port),
        "unix_socket_directories": f"'{root}'",
        "wal_level": "replica",
        "max_wal_senders": "4",
        "synchronous_standby_names": f"'{STANDBY_NAME}'",
        "synchronous_commit": "on",
        # The processes die in this test, not the machine: the page cache keeps what was written.
        "fsync": "off",
        "max_connections": "60",
    }
    with open(primary.data / "postgresql.conf", "a") as conf:
        conf.write("".join(f"{name} = {value}\n" for name, value in settings.items()))
    primary.start()
    _run(user, _bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
         "-D", str(standby.data), "-X", "stream", "-R", "--no-sync")
    with open(standby.data / "postgresql.auto.conf", "a") as conf:  # the later line wins over -R's
        # Once promoted it runs alone, so it must not wait for a synchronous standby of its own (a
        # failover manager such as Patroni sets this at promotion; a standby in recovery ignores it).
        conf.write(f"port = {standby.port}\n"
                   "synchronous_standby_names = ''\n"
                   f"primary_conninfo = 'host=127.0.0.1 port={primary.port} user=postgres "
                   f"application_name={STANDBY_NAME}'\n")
    standby.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = primary.query(f"SELECT sync_state FROM pg_stat_replication WHERE application_name = '{STANDBY_NAME}'")
        if state and state[0][0] == "sync":
            return primary, standby
        time.sleep(0.2)
    raise RuntimeError("the standby did not become synchronous within 60 s")
