"""deploy/: the systemd unit and its environment file do what they say.

The unit's ExecStartPre and ExecStart lines run here as systemd would run
them: with exactly the variables of the env example (the database and the
port swapped for the test's) plus PATH, then the service is stopped with the
unit's KillSignal and must exit 0 within its TimeoutStopSec."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import pytest

from .conftest import ROOT
from .servers import free_port

UNIT = ROOT / "deploy" / "campaign-service.service"
ENV_EXAMPLE = ROOT / "deploy" / "campaign-service.env.example"
INSTALL_DIR = "/opt/campaign-service"
INSTALL_BIN = f"{INSTALL_DIR}/.venv/bin/"


def repository_bin() -> Path:
    venv_bin = ROOT / ".venv" / "bin"
    return venv_bin if (venv_bin / "campaign-service").exists() else Path(sys.executable).parent


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections of a unit file, each key with every value it is given (ExecStartPre may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"a setting outside any section: {raw!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def parse_env_file(text: str) -> dict[str, str]:
    """NAME=value lines, as systemd's EnvironmentFile reads them (quotes around a whole value only)."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, separator, value = line.partition("=")
        assert separator, f"not a NAME=value line: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[name.strip()] = value
    return env


def seconds(value: str) -> float:
    """A systemd time span such as `45`, `45s`, `1min 30s`."""
    units = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60}
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        total += float(number) * units[unit]
    return total


def settings_names() -> set[str]:
    """Every variable graphql_api/settings.py reads, found as tests/test_readme.py finds them."""
    source = (ROOT / "graphql_api" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env(?:\.get\(|\[|, )"([A-Z][A-Z0-9_]+)"', source))


SERVICE = parse_unit(UNIT.read_text(encoding="utf-8"))["Service"]
ENV = parse_env_file(ENV_EXAMPLE.read_text(encoding="utf-8"))


def command(line: str) -> list[str]:
    assert line.startswith(INSTALL_BIN), f"expected a command under {INSTALL_BIN}: {line}"
    return shlex.split(str(repository_bin()) + "/" + line[len(INSTALL_BIN):])


def test_the_unit_names_the_documented_paths_and_user():
    assert SERVICE["User"] == ["campaign-service"]
    assert SERVICE["WorkingDirectory"] == [INSTALL_DIR]
    assert SERVICE["EnvironmentFile"] == ["/etc/campaign-service/campaign-service.env"]
    assert SERVICE["Restart"] == ["on-failure"]
    assert [shlex.split(line)[1:] for line in SERVICE["ExecStartPre"]] == [["migrate"]]
    assert shlex.split(SERVICE["ExecStart"][0])[1] == "serve"
    for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert SERVICE[hardening] == ["true"], hardening
    assert SERVICE["ProtectSystem"] == ["strict"]


def test_every_variable_in_the_env_example_is_a_setting():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    # The commented-out suggestions too.
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))
    assert {"ENVIRONMENT", "DATABASE_URL", "HOST", "PORT", "LOG_FORMAT"} <= named
    assert named - settings_names() == set()
    assert ENV["ENVIRONMENT"] == "production"
    assert ENV["LOG_FORMAT"] == "json"


def test_the_stop_timeout_outlasts_the_shutdown_grace():
    grace = float(ENV.get("SHUTDOWN_GRACE_SECONDS", "30"))
    assert seconds(SERVICE["TimeoutStopSec"][0]) > grace


def run_with_log(args: list[str], env: dict[str, str], log_name: str, **kwargs):
    log = tempfile.NamedTemporaryFile(prefix=f"campaign-service-deploy-{log_name}-", suffix=".log", delete=False)
    return log, subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, **kwargs)


def read_log(log) -> str:
    return Path(log.name).read_text(encoding="utf-8", errors="replace")


def test_the_unit_starts_in_production_mode_and_stops_cleanly(database_url, admin_key):
    port = free_port()
    # Exactly what systemd would give the service, plus PATH.
    env = {**ENV, "DATABASE_URL": database_url, "PORT": str(port), "PATH": "/usr/local/bin:/usr/bin:/bin"}

    for line in SERVICE.get("ExecStartPre", []):
        log, process = run_with_log(command(line), env, "pre")
        assert process.wait(timeout=120) == 0, read_log(log)

    # A session of its own: on failure, the workers go too (the unit's KillMode=mixed).
    log, process = run_with_log(command(SERVICE["ExecStart"][0]), env, "serve", start_new_session=True)
    base = f"http://{ENV['HOST']}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"the service exited: {read_log(log)}"
            assert time.monotonic() < deadline, f"no /health within 60 s: {read_log(log)}"
            try:
                if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            time.sleep(0.2)

        # Production mode: no GraphiQL page, no introspection, no key made at start-up.
        page = httpx2.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=10)
        assert "text/html" not in page.headers.get("content-type", ""), page.headers
        assert "graphiql" not in page.text.lower()
        introspection = httpx2.post(
            f"{base}/graphql",
            json={"query": "{ __schema { queryType { name } } }"},
            headers={"Authorization": f"Bearer {admin_key}"},
            timeout=10,
        ).json()
        assert introspection.get("data") is None, introspection
        assert "introspection" in introspection["errors"][0]["message"].lower(), introspection
        served = httpx2.post(
            f"{base}/graphql", json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {admin_key}"}, timeout=10,
        ).json()
        assert served["data"] == {"__typename": "Query"}, served
        assert "Created an admin API key" not in read_log(log)

        stop_signal = signal.Signals[SERVICE.get("KillSignal", ["SIGTERM"])[0]]
        timeout = seconds(SERVICE["TimeoutStopSec"][0])
        process.send_signal(stop_signal)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {timeout} s after {stop_signal.name}: {read_log(log)}")
        assert returncode == 0, read_log(log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_every_folder_of_the_package_ships():
    """setuptools is given the packages by name: a folder left off the list
    would be missing from an installed wheel (an editable install hides it)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(folder.relative_to(ROOT).parts)
        for folder in (ROOT / "graphql_api").rglob("*")
        if folder.is_dir() and "__pycache__" not in folder.parts and any(f.is_file() for f in folder.iterdir())
    }
    assert folders - listed == set()
