"""`make bench`: the benchmark suite. Starts the service (and the floor app)
from a clean database on loopback, loads the fixed data set, drives load with
wrk, and writes one table to bench/RESULTS.md.

Every figure is the median of BENCH_ROUNDS rounds of BENCH_SECONDS each, all
scenarios side by side in one run (the machine is shared and noisy, so the
targets are ratios). Environment: BENCH_SECONDS (10), BENCH_ROUNDS (3),
BENCH_WORKERS ("1 2"), BENCH_CONNECTIONS ("16 64"), BENCH_GROWTH (1),
BENCH_SOAK_SECONDS (600; 0 skips the soak), BENCH_SCENARIOS (all; e.g.
"read,floor read" while working on one of them).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx2
import psutil
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import codes, dataset  # noqa: E402
from graphql_api.db import embedded_postgres  # noqa: E402
from graphql_api.db import migrate  # noqa: E402
from graphql_api.graphql.ids import encode_id  # noqa: E402
from graphql_api.settings import sqlalchemy_url  # noqa: E402
from tests.conftest import make_key  # noqa: E402
from tests.servers import free_port  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = [int(w) for w in os.environ.get("BENCH_WORKERS", "1 2").split()]
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "16 64").split()]
GROWTH = os.environ.get("BENCH_GROWTH", "1") == "1"
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "600"))
SCENARIOS = [name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name.strip()]
LUA = ROOT / "bench" / "lua" / "common.lua"
# Between runs: wrk stops with requests still queued in the server, and the
# next scenario must not wait behind them.
SETTLE_SECONDS = 2

READ_QUERY = """query Offers($input: CartInput!) { availableDiscounts(input: $input) {
  cartDiscounts { campaign { id name } discountType discountAmount finalAmount isBest savings }
  deliveryDiscounts { campaign { id name } discountType discountAmount finalAmount isBest savings }
  bestCartDiscount { campaign { id name } discountType discountAmount finalAmount isBest savings }
  bestDeliveryDiscount { campaign { id name } discountType discountAmount finalAmount isBest savings } } }"""
# A cart with two codes (one of a code campaign, one unknown) that asks why
# the other campaigns are not offered.
CODES_READ_QUERY = """query CodeOffers($input: CartInput!) { availableDiscounts(input: $input) {
  cartDiscounts { campaign { id name } discountAmount finalAmount isBest savings couponCode }
  deliveryDiscounts { campaign { id name } discountAmount finalAmount isBest savings }
  ineligibleDiscounts { campaign { id name } reasons { code message shortfall used limit } }
  rejectedCouponCodes
  bestCombination { totalDiscount totalPayable } } }"""
WRITE_QUERY = """mutation Apply($input: ApplyDiscountInput!) { applyDiscount(input: $input) {
  usage { id discountAmount finalAmount } userErrors { code } } }"""
# A refund: a cent of a usage back (each usage of the data set has 5.00, so
# every usage takes 500 of them), answered with the usage and its campaign.
REVERSE_QUERY = """mutation Refund($input: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $input) {
  reversal { id amount } usage { reversedAmount netDiscountAmount campaign { usedBudget } } userErrors { code } } }"""
# What an ops page asks every few seconds: the figures of 50 campaigns.
STATS_QUERY = """{ campaigns(first: 50, filter: {status: ACTIVE}) { nodes { name stats { usageCount uniqueCustomers
  totalDiscount averageDiscount burnRatePerHour projectedExhaustionAt byDay(days: 30) { date usageCount totalDiscount }
  } } } }"""
# What users run: the README walkthrough's read and apply selections (the
# apply also asks for the customer, as a checkout's confirmation page would).
README_READ_QUERY = """query Offers($input: CartInput!) { availableDiscounts(input: $input) {
  bestCartDiscount { campaign { id name } discountAmount finalAmount savings }
  bestDeliveryDiscount { campaign { id name } discountAmount finalAmount savings }
  cartDiscounts { campaign { name } discountAmount isBest } } }"""
README_APPLY_QUERY = """mutation Apply($input: ApplyDiscountInput!) { applyDiscount(input: $input) {
  usage { id discountAmount finalAmount usedAt campaign { id name usedBudget remainingBudget }
          customer { id email name } }
  userErrors { field code message } } }"""
# Rate limits out of the way; logging as the service ships (the "quiet"
# server, LOG_LEVEL=WARNING, is the yardstick for what the request log costs).
SERVER_ENV = {
    "RATE_LIMIT_CAPACITY": "1000000000000", "RATE_LIMIT_RESTORE_RATE": "1000000000000",
    "ANONYMOUS_RATE_LIMIT_CAPACITY": "1000000000", "ANONYMOUS_RATE_LIMIT_RESTORE_RATE": "1000000000",
}
QUIET = {"LOG_LEVEL": "WARNING"}


def graphql_body(query, variables):
    return json.dumps({"query": query, "variables": variables})


def scenario_bodies(data: dataset.Dataset) -> dict[str, tuple[str, list[str]]]:
    """(path, request bodies) per scenario."""
    cid = lambda pk: encode_id("Customer", pk)  # noqa: E731
    kid = lambda pk: encode_id("Campaign", pk)  # noqa: E731
    readers = data.customers[:200]  # includes the targeted ones
    writes = [(data.write_campaigns[n % len(data.write_campaigns)], data.customers[n % len(data.customers)])
              for n in range(5000)]
    reads = [graphql_body(READ_QUERY, {"input": {"customerId": cid(c), "cartValue": "600", "deliveryCharge": "80"}})
             for c in readers]
    thin_writes = [graphql_body(WRITE_QUERY, {"input": {"campaignId": kid(k), "customerId": cid(c),
                                                        "cartValue": "600"}}) for k, c in writes]
    return {
        "read": ("/graphql", reads),
        "read quiet": ("/graphql", reads),
        "readme read": ("/graphql", [graphql_body(README_READ_QUERY, {"input": {
            "customerId": cid(c), "cartValue": "600", "deliveryCharge": "80"}}) for c in readers]),
        "floor read": ("/read", [json.dumps({"customerId": c, "cartValue": "600", "deliveryCharge": "80"})
                                 for c in readers]),
        "write": ("/graphql", thin_writes),
        "write quiet": ("/graphql", thin_writes),
        "readme apply": ("/graphql", [graphql_body(README_APPLY_QUERY, {"input": {
            "campaignId": kid(k), "customerId": cid(c), "cartValue": "600"}}) for k, c in writes]),
        "floor write": ("/apply", [json.dumps({"campaignId": k, "customerId": c, "cartValue": "600"})
                                   for k, c in writes]),
        "hot row": ("/graphql", [graphql_body(WRITE_QUERY, {"input": {"campaignId": kid(data.hot_campaign),
                                                                      "customerId": cid(c), "cartValue": "600"}})
                                 for c in data.customers]),
        "hot row 16 slots": ("/graphql", [graphql_body(WRITE_QUERY, {"input": {
            "campaignId": kid(data.slotted_campaign), "customerId": cid(c), "cartValue": "600"}})
            for c in data.customers]),
        "codes read": ("/graphql", [graphql_body(CODES_READ_QUERY, {"input": {
            "customerId": cid(c), "cartValue": "600", "deliveryCharge": "80",
            "couponCodes": [f"bench-{1 + (n * 7919) % dataset.CODES}", f"NOPE-{n}"]}})
            for n, c in enumerate(readers)]),
        "reverse": ("/graphql", [graphql_body(REVERSE_QUERY, {"input": {
            "usageId": encode_id("DiscountUsage", u), "amount": "0.01", "reason": "bench refund"}})
            for u in data.usages]),
        "trivial": ("/graphql", [json.dumps({"query": "{ __typename }"})]),
    }


def lua_script(workdir: Path, path: str, bodies: list[str], key: str) -> Path:
    def quote(value: str) -> str:
        return "[==[" + value + "]==]"

    data = [f"path = {quote(path)}",
            f'headers = {{["Content-Type"] = "application/json", ["Authorization"] = {quote("Bearer " + key)}}}',
            "bodies = {" + ",\n".join(quote(b) for b in bodies) + "}"]
    script = workdir / f"{abs(hash((path, len(bodies), bodies[0])))}.lua"
    script.write_text("\n".join(data) + "\n" + LUA.read_text())
    return script


@dataclass
class Server:
    process: subprocess.Popen
    url: str

    def tree(self) -> list[psutil.Process]:
        parent = psutil.Process(self.process.pid)
        return [parent, *parent.children(recursive=True)]

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def peak_rss_mb(self) -> float:
        peak = 0
        for proc in self.tree():
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        return peak / 1024

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(command: list[str], env: dict, health_path: str) -> Server:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)
    process = subprocess.Popen([*command, "--port", str(port)], env={**os.environ, **SERVER_ENV, **env},
                               stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx2.get(url + health_path, timeout=1)
            return Server(process, url)
        except httpx2.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {Path(log.name).read_text()[-3000:]}")


def wrk(url: str, script: Path, connections: int, seconds: int) -> dict:
    threads = 2 if connections >= 2 else 1
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "-s", str(script), url], capture_output=True, text=True, timeout=seconds + 120)
    line = [line for line in out.stdout.splitlines() if line.startswith("{")][-1]
    result = json.loads(line)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = result["non2xx"] + result["socket_errors"] + result["failed"]
    return result


@dataclass
class Figure:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0
    socket_errors: int = 0  # wrk's own: connect, read, write, and its 2 s timeout
    cpu_ms: list[float] = field(default_factory=list)

    def row(self) -> dict:
        median = statistics.median
        return {"rps": median(self.rps), "p50_ms": median(self.p50), "p99_ms": median(self.p99),
                "errors": self.errors, "socket_errors": self.socket_errors, "cpu_ms_per_request": median(self.cpu_ms)}


def measure(servers: dict[str, Server], scripts: dict[str, Path], connections: int) -> dict[str, dict]:
    figures = {name: Figure() for name in scripts}
    for _ in range(ROUNDS):
        for name, script in scripts.items():  # side by side, round-robin: noise hits them all
            server = servers["floor" if name.startswith("floor") else "quiet" if name.endswith(" quiet") else "graphql"]
            cpu_before = server.cpu_seconds()
            result = wrk(server.url, script, connections, SECONDS)
            cpu = server.cpu_seconds() - cpu_before
            time.sleep(SETTLE_SECONDS)
            figure = figures[name]
            figure.rps.append(result["rps"])
            figure.p50.append(result["p50_us"] / 1000)
            figure.p99.append(result["p99_us"] / 1000)
            figure.errors += result["errors"]
            figure.socket_errors += result["socket_errors"]
            figure.cpu_ms.append(1000 * cpu / max(1, result["requests"]))
    return {name: figure.row() for name, figure in figures.items()}


def statements_per_request(url: str, key: str) -> dict[str, float]:
    """Counted, not guessed: the service's own statement counter over a
    sample of requests, BEGIN and COMMIT included (see graphql_api/db/database.py)."""
    from graphql_api.server.app import create_app
    from graphql_api.settings import Settings
    from starlette.testclient import TestClient
    from sqlalchemy import event

    settings = Settings(database_url=url, rate_limit_capacity=1e12, rate_limit_restore_rate=1e12)
    database = settings.database()
    counted = {"n": 0}

    def count(*_args):
        counted["n"] += 1

    def count_transaction(*_args):
        # psycopg2 sends BEGIN before a transaction's first statement and COMMIT at the
        # end; reads run in autocommit, on their own engine, and send neither.
        counted["n"] += 1

    for engine in database.engines:
        event.listen(engine, "before_cursor_execute", count)
    event.listen(database.engine, "begin", count_transaction)
    event.listen(database.engine, "commit", count_transaction)
    app = create_app(settings, database=database)
    figures = {}
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        client.post("/graphql", json={"query": "{ __typename }"})  # authenticate once; the key is cached after
        for name, query, variables in SQL_SAMPLES(url):
            counted["n"] = 0
            for variables_one in variables:
                client.post("/graphql", json={"query": query, "variables": variables_one})
            figures[name] = counted["n"] / len(variables)
    database.dispose()
    return figures


def SQL_SAMPLES(url):  # noqa: N802 - built late, from the loaded data
    engine = create_engine(url)
    with engine.connect() as db:
        customers = [r[0] for r in db.execute(text("SELECT id FROM customers ORDER BY id LIMIT 50"))]
        campaign = db.execute(text("SELECT id FROM campaigns WHERE name = 'live 1'")).scalar()
        usages = [r[0] for r in db.execute(text("SELECT id FROM discount_usages ORDER BY id DESC LIMIT 50"))]
    engine.dispose()
    reads = [{"input": {"customerId": encode_id("Customer", c), "cartValue": "600", "deliveryCharge": "80"}}
             for c in customers]
    writes = [{"input": {"campaignId": encode_id("Campaign", campaign), "customerId": encode_id("Customer", c),
                         "cartValue": "600"}} for c in customers]
    reversals = [{"input": {"usageId": encode_id("DiscountUsage", u), "amount": "0.01", "reason": "count"}}
                 for u in usages]
    return [("availableDiscounts", READ_QUERY, reads), ("applyDiscount", WRITE_QUERY, writes),
            ("reverseDiscountUsage", REVERSE_QUERY, reversals)]


def fresh_database(name: str) -> str:
    if os.environ.get("DATABASE_URL"):
        base = create_engine(sqlalchemy_url(os.environ["DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    else:
        base = create_engine(sqlalchemy_url(embedded_postgres.start(ROOT / ".data", "postgres")),
                             isolation_level="AUTOCOMMIT")
    with base.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.url.set(database=name).render_as_string(hide_password=False)
    base.dispose()
    migrate.upgrade(url)
    return url


def explain(url: str, customer: int) -> str:
    """EXPLAIN ANALYZE of the statement availableDiscounts really sends (an
    EXECUTE of the prepared statement), captured from the service function
    rather than written out again here."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from graphql_api.core.discounts import Cart
    from graphql_api.discounts.offers import CartQuery, available_offers

    from graphql_api.db.prepared_statements import OPTION

    engine = create_engine(url, execution_options={OPTION: True})
    captured = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, params, *_: captured.append((statement, params)))
    with Session(engine) as session:
        # As the service runs it: prepared, past the five runs after which
        # PostgreSQL may settle on one plan for every parameter.
        for _ in range(6):
            available_offers(session, CartQuery(customer, Cart(Decimal("600"), Decimal("80"))),
                             datetime.now(timezone.utc), ZoneInfo("UTC"))
        statement, params = captured[-1]
        cursor = session.connection().connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    engine.dispose()
    return plan


def run_matrix(url: str, data: dataset.Dataset, key: str, workdir: Path, workers: int, scenarios=None) -> dict:
    bodies = scenario_bodies(data)
    if scenarios:
        bodies = {k: v for k, v in bodies.items() if k in scenarios}
    scripts = {name: lua_script(workdir, path, body, key) for name, (path, body) in bodies.items()}
    env = {"DATABASE_URL": url}
    serve = [sys.executable, "-m", "graphql_api.server.cli", "serve", "--workers", str(workers)]
    graphql = start(serve, env, "/health")
    quiet = start(serve, {**env, **QUIET}, "/health") if any(name.endswith(" quiet") for name in bodies) else None
    floor = start([sys.executable, "-m", "uvicorn", "--factory", "bench.floor:create_floor_app", "--log-level",
                   "warning", "--no-access-log", "--workers", str(workers)], env, "/")
    try:
        table = {}
        for connections in CONNECTIONS:
            for name, row in measure({"graphql": graphql, "quiet": quiet, "floor": floor}, scripts, connections).items():
                table[(name, connections)] = row
        for server in (graphql, floor):
            server.peak = server.peak_rss_mb()
        return {"table": table, "peak_rss_mb": {"graphql": graphql.peak, "floor": floor.peak}}
    finally:
        for server in (graphql, quiet, floor):
            if server is not None:
                server.stop()


LIVE_SOCKETS = 20
# An ops page is a few people, not a crowd: the stats query is measured at
# this many connections, apart from the matrix (at 64 it would still be
# answering when the next scenario starts).
STATS_CONNECTIONS = 4


def stats_figures(url: str, key: str, workdir: Path) -> dict:
    script = lua_script(workdir, "/graphql", [json.dumps({"query": STATS_QUERY})], key)
    server = start([sys.executable, "-m", "graphql_api.server.cli", "serve"], {"DATABASE_URL": url}, "/health")
    try:
        wrk(server.url, script, STATS_CONNECTIONS, 3)  # warm-up
        runs = [wrk(server.url, script, STATS_CONNECTIONS, SECONDS) for _ in range(ROUNDS)]
    finally:
        server.stop()
    return {"p50_ms": statistics.median(run["p50_us"] / 1000 for run in runs),
            "rps": statistics.median(run["rps"] for run in runs)}


def live_sale(url: str, data: dataset.Dataset, key: str, workdir: Path) -> dict:
    """The write scenario with and without 20 watchers connected (each
    subscribed to the budget of every write campaign, so every apply is 20
    events), rounds alternating, at 64 connections, --workers 1."""
    bodies = scenario_bodies(data)
    script = lua_script(workdir, "/graphql", bodies["write"][1], key)
    server = start([sys.executable, "-m", "graphql_api.server.cli", "serve"], {"DATABASE_URL": url}, "/health")
    campaigns = [encode_id("Campaign", pk) for pk in data.write_campaigns]
    alone, watched, events, cpu_alone, cpu_watched, cpu_watchers = [], [], 0, [], [], []

    def measured(cpu: list) -> float:
        before = server.cpu_seconds()
        result = wrk(server.url, script, 64, SECONDS)
        cpu.append(1000 * (server.cpu_seconds() - before) / max(1, result["requests"]))
        return result["rps"]

    try:
        wrk(server.url, script, 64, 5)  # warm-up
        for _ in range(ROUNDS):
            alone.append(measured(cpu_alone))
            watchers = subprocess.Popen([sys.executable, str(ROOT / "bench" / "subscribers.py"), server.url, key,
                                         str(LIVE_SOCKETS), *campaigns], stdout=subprocess.PIPE, text=True, cwd=ROOT)
            assert watchers.stdout.readline().strip() == "ready"
            watcher = psutil.Process(watchers.pid)
            watcher_before = sum(watcher.cpu_times()[:2])
            watched.append(measured(cpu_watched))
            cpu_watchers.append(sum(watcher.cpu_times()[:2]) - watcher_before)
            watchers.terminate()
            events += json.loads(watchers.communicate(timeout=30)[0].strip().splitlines()[-1])["events"]
    finally:
        server.stop()
    return {"alone_rps": statistics.median(alone), "watched_rps": statistics.median(watched), "events": events,
            "sockets": LIVE_SOCKETS, "cpu_alone_ms": statistics.median(cpu_alone),
            "cpu_watched_ms": statistics.median(cpu_watched),
            "watchers_cpu_share": statistics.median(cpu_watchers) / SECONDS}


def soak(url: str, data: dataset.Dataset, key: str, workdir: Path) -> dict:
    """32 connections mixing reads and writes; RSS sampled after warm-up and at the end."""
    bodies = scenario_bodies(data)
    mixed = [b for pair in zip(bodies["read"][1], bodies["write"][1]) for b in pair]
    script = lua_script(workdir, "/graphql", mixed, key)
    server = start([sys.executable, "-m", "graphql_api.server.cli", "serve"], {"DATABASE_URL": url}, "/health")
    try:
        wrk(server.url, script, 32, 30)  # warm-up
        rss_after_warmup = sum(p.memory_info().rss for p in server.tree()) / 2**20
        result = wrk(server.url, script, 32, SOAK_SECONDS)
        rss_end = sum(p.memory_info().rss for p in server.tree()) / 2**20
    finally:
        server.stop()
    check = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "check"], capture_output=True, text=True,
                           env={**os.environ, "DATABASE_URL": url}, cwd=ROOT)
    return {"seconds": SOAK_SECONDS, "requests": result["requests"], "errors": result["errors"],
            "rss_after_warmup_mb": rss_after_warmup, "rss_end_mb": rss_end,
            "rss_growth": rss_end / rss_after_warmup - 1, "check_exit": check.returncode,
            "check_output": check.stdout.strip()}


def offers_per_read(url: str, data: dataset.Dataset, key: str) -> tuple[int, int]:
    """The offers in one read's response, and its size in bytes."""
    server = start([sys.executable, "-m", "graphql_api.server.cli", "serve"], {"DATABASE_URL": url, **QUIET}, "/health")
    try:
        body = scenario_bodies(data)["read"][1][0]
        response = httpx2.post(server.url + "/graphql", content=body, timeout=30,
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    finally:
        server.stop()
    offers = response.json()["data"]["availableDiscounts"]
    return len(offers["cartDiscounts"]) + len(offers["deliveryDiscounts"]), len(response.content)


def versions() -> str:
    import sqlalchemy
    import starlette
    from importlib.metadata import version

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB; "
            f"Python {platform.python_version()}; strawberry-graphql {version('strawberry-graphql')}, "
            f"graphql-core {version('graphql-core')}, starlette {starlette.__version__}, "
            f"uvicorn {version('uvicorn')}, SQLAlchemy {sqlalchemy.__version__}, {wrk_version}")


def render(results: dict) -> str:
    lines = [f"# Benchmark results ({results['when']})", "", f"Machine and versions: {results['versions']}", "",
             f"Each figure is the median of {ROUNDS} rounds of {SECONDS} s; server CPU is per request, all "
             "processes of the server summed. Produced by `make bench` (bench/run.py).", ""]
    for workers, matrix in results["matrix"].items():
        lines += [f"## --workers {workers}", "",
                  "| scenario | conns | req/s | p50 ms | p99 ms | errors (of which wrk socket/timeout) | CPU ms/req |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for (name, connections), row in matrix["table"].items():
            lines.append(f"| {name} | {connections} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                         f"{row['errors']} ({row.get('socket_errors', '?')}) | {row['cpu_ms_per_request']:.2f} |")
        lines += ["", f"Peak RSS: GraphQL server {matrix['peak_rss_mb']['graphql']:.0f} MB, "
                      f"floor {matrix['peak_rss_mb']['floor']:.0f} MB.", ""]
    lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    for target, measured, met in results["targets"]:
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines += ["", "## SQL statements per request (counted, BEGIN/COMMIT included)", ""]
    lines += [f"- {name}: {count:.2f}" for name, count in results["statements"].items()]
    if "visible" in results:
        visible = results["visible"]
        lines += ["", "## Offers: a cart that sees 500 live campaigns, against the usual 50", "",
                  f"read at 64 connections, --workers 1: {visible['rps']:.0f} req/s with {visible['offers']} offers "
                  f"per response ({visible['bytes'] / 1024:.0f} KB), CPU {visible['cpu_ms']:.2f} ms/req; with 50: "
                  f"{visible['base_rps']:.0f} req/s, {visible['base_offers']} offers, CPU {visible['base_cpu_ms']:.2f} "
                  f"ms/req. CPU per extra live campaign: {visible['us_per_campaign']:.1f} µs (the offer lists are "
                  "bounded at 100 each, so more campaigns are judged than returned)."]
    if "visible_2000" in results:
        widest = results["visible_2000"]
        lines += ["", f"A cart that sees 2,000 live campaigns (the offer lists bounded at their default `first: 100`): "
                      f"read at 64 connections, --workers 1: {widest['rps']:.0f} req/s, {widest['offers']} offers per "
                      f"response ({widest['bytes'] / 1024:.0f} KB), CPU {widest['cpu_ms']:.2f} ms/req."]
    if "live_sale" in results:
        live = results["live_sale"]
        lines += ["", f"## A sale watched live: write with {live['sockets']} subscribers connected", "",
                  f"write at 64 connections, --workers 1, rounds alternating: {live['alone_rps']:.0f} req/s without "
                  f"subscribers, {live['watched_rps']:.0f} req/s with {live['sockets']} sockets subscribed to every "
                  f"write campaign's budget ({live['events']} events received in all). Server CPU per apply: "
                  f"{live['cpu_alone_ms']:.2f} ms alone, {live['cpu_watched_ms']:.2f} ms watched; the watchers' own "
                  f"process (on the same machine) used {100 * live['watchers_cpu_share']:.0f}% of a core."]
    if "growth" in results:
        growth = results["growth"]
        lines += ["", "## Growth: 1,000,000 usage rows and 5,000 campaigns (50 live)", "",
                  f"read at 64 connections, --workers 1: p50 {growth['p50_ms']:.1f} ms "
                  f"(100,000-row case {growth['base_p50_ms']:.1f} ms), req/s {growth['rps']:.0f}.", "",
                  *([f"The ops page's query (`Campaign.stats` of the 50 live campaigns with `byDay(days: 30)`, "
                     f"20,000 usages each) at {growth['stats_connections']} connections: p50 "
                     f"{growth['stats_p50_ms']:.0f} ms, {growth['stats_rps']:.1f} req/s (with 100,000 usages: p50 "
                     f"{growth['base_stats_p50_ms']:.0f} ms, {growth['base_stats_rps']:.1f} req/s).", ""]
                    if "stats_rps" in growth else []),
                  "EXPLAIN (ANALYZE) of the eligibility query, 100,000 rows:", "", "```",
                  results["explain_small"], "```", "", "and with 1,000,000 rows:", "", "```",
                  growth["explain"], "```"]
    if "soak" in results:
        soak_result = results["soak"]
        lines += ["", f"## Soak: {soak_result['seconds']} s at 32 connections, reads and writes mixed", "",
                  f"{soak_result['requests']} requests, {soak_result['errors']} errors; RSS "
                  f"{soak_result['rss_after_warmup_mb']:.0f} MB after warm-up, {soak_result['rss_end_mb']:.0f} MB at "
                  f"the end ({100 * soak_result['rss_growth']:+.1f}%); `campaign-service check` exit "
                  f"{soak_result['check_exit']}: {soak_result['check_output']}"]
    return "\n".join(lines) + "\n"


def targets(results: dict) -> list:
    out = []
    one = results["matrix"].get(1, {}).get("table", {})

    def get(name, connections, key="rps", table=one):
        return table.get((name, connections), {}).get(key)

    # The ratio targets, for every worker count measured.
    for workers, matrix in results["matrix"].items():
        table = matrix["table"]
        where = f"{workers} worker{'s' if workers > 1 else ''}"
        for connections in CONNECTIONS:
            # What GraphQL costs: against the floor, which logs nothing, the server that logs nothing either
            # (the request log has a target of its own).
            def quiet(name):
                if get(f"{name} quiet", connections, table=table):
                    return f"{name} quiet", get(f"{name} quiet", connections, table=table)
                return name, get(name, connections, table=table)

            (read_name, read), floor_read = quiet("read"), get("floor read", connections, table=table)
            if read and floor_read:
                out.append((f"{read_name} >= 50% of floor ({connections} conns, {where})",
                            f"{100 * read / floor_read:.0f}%", read >= 0.5 * floor_read))
            (write_name, write), floor_write = quiet("write"), get("floor write", connections, table=table)
            if write and floor_write:
                out.append((f"{write_name} >= 60% of floor ({connections} conns, {where})",
                            f"{100 * write / floor_write:.0f}%", write >= 0.6 * floor_write))
            write = get("write", connections, table=table)
            hot = get("hot row", connections, table=table)
            if hot and write:
                out.append((f"hot row >= 70% of write ({connections} conns, {where})", f"{100 * hot / write:.0f}%",
                            hot >= 0.7 * write))
            slotted = get("hot row 16 slots", connections, table=table)
            if slotted and write:  # hot-campaign mode: one campaign as fast as applies spread over ten
                out.append((f"hot row 16 slots >= 95% of write ({connections} conns, {where})",
                            f"{100 * slotted / write:.0f}%", slotted >= 0.95 * write))
            reverse = get("reverse", connections, table=table)
            if reverse and write:  # a reversal takes as many locks as an apply: it should run about as fast
                out.append((f"reverse >= 80% of write ({connections} conns, {where})",
                            f"{100 * reverse / write:.0f}%", reverse >= 0.8 * write))
    for connections in CONNECTIONS:  # one worker: what users run, against the yardsticks
        trivial = get("trivial", connections)
        for name, share in (("read", 0.15), ("readme read", 0.15), ("codes read", 0.15), ("readme apply", 0.12)):
            if trivial and get(name, connections):
                rps = get(name, connections)
                out.append((f"{name} >= {100 * share:.0f}% of trivial ({connections} conns, 1 worker)",
                            f"{100 * rps / trivial:.1f}%", rps >= share * trivial))
        if get("readme apply", connections) and get("write", connections):
            ratio = get("readme apply", connections) / get("write", connections)
            out.append((f"readme apply >= 80% of write ({connections} conns, 1 worker)", f"{100 * ratio:.0f}%",
                        ratio >= 0.8))
        for name in ("read", "write"):
            logged, quiet = get(name, connections), get(f"{name} quiet", connections)
            if logged and quiet:
                out.append((f"{name}: default request log costs <= 5% ({connections} conns, 1 worker)",
                            f"{100 * (1 - logged / quiet):.1f}%", logged >= 0.95 * quiet))
    for name in ("read", "readme read", "write", "readme apply"):
        if (row := one.get((name, 64))):
            out.append((f"{name} at 64: zero errors", str(row["errors"]), row["errors"] == 0))
            out.append((f"{name} at 64: p99 <= 3x p50", f"{row['p99_ms'] / row['p50_ms']:.1f}x",
                        row["p99_ms"] <= 3 * row["p50_ms"]))
    statements = results["statements"]
    out.append(("availableDiscounts <= 3 statements", f"{statements['availableDiscounts']:.2f}",
                statements["availableDiscounts"] <= 3))
    out.append(("applyDiscount <= 6 statements", f"{statements['applyDiscount']:.2f}", statements["applyDiscount"] <= 6))
    two = results["matrix"].get(2, {}).get("table", {})
    if one.get(("read", 64)) and two.get(("read", 64)):
        ratio = two[("read", 64)]["rps"] / one[("read", 64)]["rps"]
        out.append(("--workers 2 >= 1.6x --workers 1 on read (64 conns)", f"{ratio:.2f}x", ratio >= 1.6))
    if "visible" in results:
        visible = results["visible"]
        ratio = visible["rps"] / visible["base_rps"]
        out.append(("read with 500 visible campaigns >= 20% of read with 50 (64 conns, 1 worker)",
                    f"{100 * ratio:.0f}%", ratio >= 0.2))
    if "growth" in results:
        ratio = results["growth"]["p50_ms"] / results["growth"]["base_p50_ms"]
        out.append(("growth: read latency within 1.25x", f"{ratio:.2f}x", ratio <= 1.25))
    if "live_sale" in results:
        live = results["live_sale"]
        ratio = live["watched_rps"] / live["alone_rps"]
        out.append((f"write with {live['sockets']} subscribers >= 90% of write without (64 conns, 1 worker)",
                    f"{100 * ratio:.0f}%", ratio >= 0.9))
    if "soak" in results:
        soak_result = results["soak"]
        out.append(("soak: zero errors", str(soak_result["errors"]), soak_result["errors"] == 0))
        out.append(("soak: RSS growth < 10%", f"{100 * soak_result['rss_growth']:.1f}%", soak_result["rss_growth"] < 0.10))
        out.append(("soak: invariant check passes", f"exit {soak_result['check_exit']}", soak_result["check_exit"] == 0))
    return out


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    results: dict = {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "versions": versions(),
                     "matrix": {}}
    url = fresh_database("campaign_service_bench")
    data = dataset.load(url)
    key = make_key(url, "admin", "bench")
    results["statements"] = statements_per_request(url, key)
    results["explain_small"] = explain(url, data.customers[0])

    def save() -> str:
        # After every phase, so that a failure late in a long run keeps what was measured.
        results["targets"] = targets(results)
        report = render(results) + "\nEarlier runs, and how to read them: [HISTORY.md](HISTORY.md).\n"
        (ROOT / "bench" / "RESULTS.md").write_text(report + codes.kept_section())
        return report

    for workers in WORKERS:
        print(f"measuring --workers {workers} ...", flush=True)
        results["matrix"][workers] = run_matrix(url, data, key, workdir, workers, SCENARIOS or None)
        save()
    if not SCENARIOS or "write live" in SCENARIOS:
        print(f"write with {LIVE_SOCKETS} subscribers ...", flush=True)
        results["live_sale"] = live_sale(url, data, key, workdir)
        save()
    if SOAK_SECONDS:
        print(f"soak for {SOAK_SECONDS} s ...", flush=True)
        results["soak"] = soak(url, data, key, workdir)
        save()
    if GROWTH:
        print("500 visible campaigns ...", flush=True)
        wide = fresh_database("campaign_service_bench_visible")
        wide_data = dataset.load(wide, more_live=450)
        wide_key = make_key(wide, "admin", "bench")
        wide_row = run_matrix(wide, wide_data, wide_key, workdir, 1, scenarios={"read"})["table"][("read", 64)]
        base = results["matrix"][WORKERS[0]]["table"][("read", 64)]
        offers, size = offers_per_read(wide, wide_data, wide_key)
        base_offers, _ = offers_per_read(url, data, key)
        results["visible"] = {
            "rps": wide_row["rps"], "cpu_ms": wide_row["cpu_ms_per_request"], "offers": offers, "bytes": size,
            "base_rps": base["rps"], "base_cpu_ms": base["cpu_ms_per_request"], "base_offers": base_offers,
            "us_per_campaign": 1000 * (wide_row["cpu_ms_per_request"] - base["cpu_ms_per_request"]) / 450,
        }
        save()
        print("2,000 visible campaigns ...", flush=True)
        widest = fresh_database("campaign_service_bench_visible_2000")
        widest_data = dataset.load(widest, more_live=1_950)
        widest_key = make_key(widest, "admin", "bench")
        widest_row = run_matrix(widest, widest_data, widest_key, workdir, 1, scenarios={"read"})["table"][("read", 64)]
        offers, size = offers_per_read(widest, widest_data, widest_key)
        results["visible_2000"] = {"rps": widest_row["rps"], "cpu_ms": widest_row["cpu_ms_per_request"],
                                   "offers": offers, "bytes": size}
        save()
        print("growth data set ...", flush=True)
        big = fresh_database("campaign_service_bench_growth")
        big_data = dataset.load(big, usages=1_000_000, dead_campaigns=4_950)
        big_key = make_key(big, "admin", "bench")
        growth = run_matrix(big, big_data, big_key, workdir, 1, scenarios={"read"})["table"]
        base = results["matrix"][WORKERS[0]]["table"][("read", max(CONNECTIONS))]
        row = growth[("read", max(CONNECTIONS))]
        results["growth"] = {"p50_ms": row["p50_ms"], "rps": row["rps"], "base_p50_ms": base["p50_ms"],
                             "explain": explain(big, big_data.customers[0])}
        big_stats, base_stats = stats_figures(big, big_key, workdir), stats_figures(url, key, workdir)
        results["growth"].update(stats_rps=big_stats["rps"], stats_p50_ms=big_stats["p50_ms"],
                                 base_stats_rps=base_stats["rps"], base_stats_p50_ms=base_stats["p50_ms"],
                                 stats_connections=STATS_CONNECTIONS)
    print(save())
    return 0


if __name__ == "__main__":
    sys.exit(main())
