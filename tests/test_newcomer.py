"""The path a newcomer takes, walked for real: a fresh clone, `make run` with
DATABASE_URL unset, the README's "Try it in GraphiQL" walkthrough replayed as
written (its operations and variables are read out of README.md), the
`campaign-service` commands against the embedded database, Ctrl-C, a second
start that keeps the data, a server killed with SIGKILL whose database is
adopted and stopped by the next start, and a production start.

Slow (it builds the clone's virtualenv from the lock file), and the only test
that runs what the README tells people to run, so it runs on every CI run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx2
import psutil
import pytest

from .conftest import ROOT
from .servers import free_port

README = "README.md"
START_TIMEOUT = 600  # the first start installs the virtualenv from the lock


class MakeRun:
    """`make run` in `clone`, its output collected as it comes."""

    def __init__(self, clone: Path, **env: str):
        self.port = free_port()
        environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        environment.update(PORT=str(self.port), **env)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["make", "run"], cwd=clone, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,  # its own process group, as a terminal's foreground job
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"make run exited with {self.process.returncode}:\n{self.output}")
            if "GraphQL API at" in self.output:
                try:
                    if httpx2.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
            time.sleep(0.3)
        self.kill()
        pytest.fail(f"make run did not serve within {START_TIMEOUT} s:\n{self.output}")

    def ctrl_c(self) -> None:
        """What Ctrl-C in a terminal does: SIGINT to the whole foreground
        group. make itself then dies by the signal, as it does in a terminal;
        the server must stop cleanly."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"make run did not stop on SIGINT:\n{self.output}")
        self._reader.join(5)
        assert code in (0, -signal.SIGINT), self.output
        assert "Finished server process" in self.output and "Traceback" not in self.output, self.output

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def serve_process(self) -> psutil.Process:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if "serve" in child.cmdline() and any("campaign-service" in part for part in child.cmdline()):
                return child
        raise AssertionError("no `campaign-service serve` under make run")


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    """The embedded PostgreSQL's processes for one data directory."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] in {"postgres", "postmaster"} and any(str(data_dir) in part for part in cmdline):
            found.append(process)
    return found


def wait_until_gone(data_dir: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and postgres_processes(data_dir):
        time.sleep(0.2)
    return postgres_processes(data_dir)


def walkthrough(readme: str) -> list[tuple[str, dict]]:
    """The README's walkthrough steps: each operation with the variables its
    step's text tells the reader to paste (placeholders still in)."""
    section = readme.split("## Try it in GraphiQL", 1)[1].split("\n## ", 1)[0]
    steps = []
    rest = section
    while "```graphql\n" in rest:
        before, rest = rest.split("```graphql\n", 1)
        document, rest = rest.split("```", 1)
        said = re.findall(r"variables:\s*`(\{.*?\})`", before, re.S)
        steps.append((document, json.loads(said[-1]) if said else {}))
    return steps


def fill(variables: dict, ids: dict[str, str]) -> dict:
    filled = {}
    for name, value in variables.items():
        assert value in ids, f"the README's variables name {value!r}, which no earlier step returned"
        filled[name] = ids[value]
    return filled


def gql(base_url: str, key: str, document: str, variables: dict) -> dict:
    answer = httpx2.post(f"{base_url}/graphql", headers={"Authorization": f"Bearer {key}"},
                         json={"query": document, "variables": variables}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def cli(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return subprocess.run([str(clone / ".venv" / "bin" / "campaign-service"), *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("newcomer") / "campaign-service"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    return target


def test_a_newcomer_runs_the_readme_on_a_fresh_clone(clone):
    data_dir = (clone / ".data" / "postgres").resolve()
    readme = (clone / README).read_text(encoding="utf-8")
    steps = walkthrough(readme)
    assert len(steps) == 8, "the walkthrough has eight operations"
    for figure in ('"35% off (210.00)"', '"390.00"', '"50% off (40.00)"', "Bob gets only the"):
        assert figure in readme, f"the README no longer states {figure}"

    run = MakeRun(clone)
    run.wait_until_serving()
    # The install from the lock is quiet: no setuptools warnings about the package.
    assert "would be ignored" not in run.output and "SetuptoolsDeprecationWarning" not in run.output, run.output
    keys = re.findall(r'"Bearer (csk_[A-Za-z0-9_-]+)"', run.output)
    assert len(keys) == 1, run.output
    key = keys[0]
    assert "keys create --role admin --name me" in run.output  # how to get another, as it can be typed
    banner = [line for line in run.lines if "GraphQL API at" in line]
    assert banner == [f"GraphQL API at {run.base_url}/graphql (open it in a browser for GraphiQL); Ctrl-C stops.\n"]
    page = httpx2.get(f"{run.base_url}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()

    # 1. Two customers.
    (customers_doc, variables) = steps[0]
    created = gql(run.base_url, key, customers_doc, variables)
    assert created["alice"]["userErrors"] == [] and created["bob"]["userErrors"] == []
    ids = {"<Alice's id>": created["alice"]["customer"]["id"], "<Bob's id>": created["bob"]["customer"]["id"]}

    # 2. The campaigns.
    (campaigns_doc, variables) = steps[1]
    campaigns = gql(run.base_url, key, campaigns_doc, fill(variables, ids))
    assert campaigns["vip"]["userErrors"] == [] and campaigns["delivery"]["userErrors"] == []
    ids["<VIP campaign id>"] = campaigns["vip"]["campaign"]["id"]
    assert campaigns["vip"]["campaign"]["targetCustomers"] == [{"email": "alice@example.com"}]

    # 3. Alice's offers, and Bob's.
    (offers_doc, variables) = steps[2]
    offers = gql(run.base_url, key, offers_doc, fill(variables, ids))["availableDiscounts"]
    assert offers["bestCartDiscount"]["campaign"]["name"] == "VIP Members Only"
    assert offers["bestCartDiscount"]["savings"] == "35% off (210.00)"
    assert offers["bestCartDiscount"]["finalAmount"] == "390.00"
    assert offers["bestDeliveryDiscount"]["savings"] == "50% off (40.00)"
    bobs_variables = {name: ("<Bob's id>" if value == "<Alice's id>" else value) for name, value in variables.items()}
    bobs = gql(run.base_url, key, offers_doc, fill(bobs_variables, ids))["availableDiscounts"]
    assert bobs["bestCartDiscount"] is None and bobs["cartDiscounts"] == []
    assert bobs["bestDeliveryDiscount"]["campaign"]["name"] == "Free Delivery Week"

    # 4. Apply, then the retry with the same idempotency key.
    (apply_doc, variables) = steps[3]
    first = gql(run.base_url, key, apply_doc, fill(variables, ids))["applyDiscount"]
    replay = gql(run.base_url, key, apply_doc, fill(variables, ids))["applyDiscount"]
    assert first["userErrors"] == [] and first["usage"]["discountAmount"] == "210.00"
    assert replay == first
    assert first["usage"]["campaign"]["usedBudget"] == "210.00"
    ids["<Alice's usage id>"] = first["usage"]["id"]

    # 5. The history: one usage, the replay applied nothing more.
    (history_doc, variables) = steps[4]
    history = gql(run.base_url, key, history_doc, fill(variables, ids))["discountUsages"]
    assert history["totalCount"] == 1

    # 6 and 7. A code campaign, its code, and Bob's order checked out with it; then again.
    (code_campaign_doc, code_variables) = steps[5]
    made = gql(run.base_url, key, code_campaign_doc, fill(code_variables, ids))["createCampaign"]
    assert made["userErrors"] == [] and made["campaign"]["requiresCode"] is True
    ids["<Welcome campaign id>"] = made["campaign"]["id"]
    (checkout_doc, code_variables) = steps[6]
    checked_out = gql(run.base_url, key, checkout_doc, fill(code_variables, ids))
    assert checked_out["addCouponCodes"] == {"addedCount": 1, "userErrors": []}
    checkout = checked_out["applyBestDiscounts"]["checkout"]
    assert checkout["cartDiscount"] == {"campaign": {"name": "Welcome 15"}, "discountAmount": "15.00",
                                        "couponCode": "WELCOME-15"}
    assert (checkout["totalDiscount"], checkout["totalPayable"]) == ("55.00", "625.00")
    assert '`"55.00"`' in readme and '`"625.00"`' in readme
    again = gql(run.base_url, key, checkout_doc, fill(code_variables, ids))
    assert again["addCouponCodes"]["userErrors"][0]["code"] == "CODE_TAKEN"
    assert again["applyBestDiscounts"]["userErrors"][0]["code"] == "NO_DISCOUNT_APPLIES"

    # 8. Half of Alice's discount back, then the retry with the same key.
    (refund_doc, refund_variables) = steps[7]
    refund = gql(run.base_url, key, refund_doc, fill(refund_variables, ids))["reverseDiscountUsage"]
    assert refund["userErrors"] == [] and refund["reversal"]["amount"] == "105.00"
    assert refund["usage"]["netDiscountAmount"] == "105.00" and refund["usage"]["isFullyReversed"] is False
    assert refund["usage"]["campaign"]["usedBudget"] == "105.00" and '`"105.00"`' in readme
    assert [event["kind"] for event in refund["usage"]["campaign"]["events"]["nodes"]] == ["CREATED"]
    retried = gql(run.base_url, key, refund_doc, fill(refund_variables, ids))["reverseDiscountUsage"]
    assert retried["reversal"] == refund["reversal"] and retried["usage"]["campaign"]["usedBudget"] == "105.00"

    # The commands, against the same embedded database while it serves.
    listed = cli(clone, "keys", "list")
    assert listed.returncode == 0 and "first run" in listed.stdout, listed.stdout + listed.stderr
    made = cli(clone, "keys", "create", "--role", "checkout", "--name", "storefront")
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(r"csk_[A-Za-z0-9_-]+\n", made.stdout), "keys create prints the key alone on stdout"
    assert gql(run.base_url, made.stdout.strip(), "{ campaigns(first: 1) { totalCount } }", {})
    checked = cli(clone, "check")
    assert checked.returncode == 0 and "consistent" in checked.stdout, checked.stdout + checked.stderr
    exported = cli(clone, "export-schema", "--output", str(clone / "exported.graphql"))
    assert exported.returncode == 0, exported.stderr
    assert (clone / "exported.graphql").read_text() == (clone / "schema.graphql").read_text()

    # Ctrl-C stops the server and the embedded PostgreSQL.
    assert postgres_processes(data_dir)
    run.ctrl_c()
    assert wait_until_gone(data_dir) == [], "the embedded PostgreSQL outlived make run"

    # A second start keeps the data and prints no new key.
    again = MakeRun(clone)
    again.wait_until_serving()
    assert "Created an admin API key" not in again.output
    assert gql(again.base_url, key, history_doc, fill(variables, ids))["discountUsages"]["totalCount"] == 1

    # Killed with SIGKILL, the server cannot stop its database...
    server = again.serve_process()
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    again.kill()
    assert postgres_processes(data_dir), "with its owner killed, the database is still up"
    # ...so the next start adopts it, and its Ctrl-C stops it.
    adopted = MakeRun(clone)
    adopted.wait_until_serving()
    assert gql(adopted.base_url, key, history_doc, fill(variables, ids))["discountUsages"]["totalCount"] == 1
    # Restarted from outside while it serves: the new server is the one Ctrl-C stops.
    before = {process.pid for process in postgres_processes(data_dir)}
    restart_from_outside(clone, data_dir)
    after = {process.pid for process in postgres_processes(data_dir)}
    assert after and before.isdisjoint(after), (before, after)
    deadline = time.monotonic() + 30  # the pool reconnects to the new server
    while httpx2.post(f"{adopted.base_url}/graphql", headers={"Authorization": f"Bearer {key}"}, timeout=30,
                      json={"query": history_doc, "variables": fill(variables, ids)}).status_code != 200:
        assert time.monotonic() < deadline, "no answer from the restarted database"
        time.sleep(0.5)
    adopted.ctrl_c()
    assert wait_until_gone(data_dir) == [], "the adopted PostgreSQL outlived make run"


def restart_from_outside(clone: Path, data_dir: Path) -> None:
    """pg_ctl restart, as an operator would, with the clone's pgserver."""
    script = ("import sys, pathlib, pgserver; from pgserver.postgres_server import PostgresServer; "
              "pgdata = pathlib.Path(sys.argv[1]); "
              "user = 'pgserver' if __import__('os').geteuid() == 0 else None; "
              "pgserver.pg_ctl(['-w', '-m', 'fast', 'restart'], pgdata=pgdata, user=user, timeout=60)")
    subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c", script, str(data_dir)], check=True,
                   capture_output=True, timeout=120)


def test_a_production_start_says_so_and_makes_no_key(clone, tmp_path):
    data_dir = tmp_path / "production-data"
    run = MakeRun(clone, ENVIRONMENT="production", DATA_DIR=str(data_dir))
    try:
        run.wait_until_serving()
        banner = [line for line in run.lines if "GraphQL API at" in line]
        assert banner == [f"GraphQL API at {run.base_url}/graphql (production mode, GraphiQL off); Ctrl-C stops.\n"]
        assert "csk_" not in run.output and "Created an admin API key" not in run.output
        assert "keys create --role admin" in run.output  # how to make the first key
        page = httpx2.get(f"{run.base_url}/graphql", headers={"Accept": "text/html"}, timeout=10)
        assert "graphiql" not in page.text.lower()
    finally:
        run.ctrl_c()
    assert wait_until_gone((data_dir / "postgres").resolve()) == []
