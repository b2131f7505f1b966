"""`make bench-sql`: the apply's own statements driven by pgbench, no Python
in the way, to measure what the database alone allows: one campaign (the
hot row: every apply waits for the one before it to commit) against applies
spread over the 10 write campaigns, at BENCH_SQL_CLIENTS (64) connections.

The statements are captured from one real apply (discounts/apply.py, run as
plain text), with the customer and the campaign turned into pgbench
variables; pgbench runs them as prepared statements, as the service does.
Environment: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_SQL_CLIENTS (64).
Prints the figures; docs/scaling.md turns them into a capacity model."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import event
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402
from bench import run as bench_run  # noqa: E402
from graphql_api.core.discounts import Cart  # noqa: E402
from graphql_api.discounts.apply import (  # noqa: E402
    SHARE_CAMPAIGN,
    SPEND_FROM_WAITED_SLOT,
    ApplyDiscount,
    AppliedDiscount,
    apply_in_transaction,
)
from graphql_api.settings import Settings  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_SQL_CLIENTS", "64"))
# Stand-ins put into the captured statements, then made pgbench variables.
CUSTOMER_MARK, CAMPAIGN_MARK, PICK_MARK = 987_654_321, 987_654_322, 987_654_323


def captured_apply(url: str, data: dataset.Dataset, campaign: int) -> list[str]:
    """The statements of one apply, as literal SQL with :customer and :campaign;
    in hot-campaign mode, the spend from a free slot is followed by the
    campaign's shared lock and the spend that waits for a slot (picked as
    :pick), which the service runs only when the first found every slot
    busy (see slotted_transaction)."""
    database = Settings(database_url=url, db_prepared_statements=False).database()
    database.engine.connect().close()  # the dialect's own first queries, before the capture
    seen: list[tuple[str, object]] = []
    event.listen(database.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many: seen.append((statement, parameters)))
    command = ApplyDiscount(campaign_id=campaign, customer_id=data.customers[0],
                            cart=Cart(cart_value=Decimal("600.00")))
    result = anyio.run(database.write_statements, apply_in_transaction, command, datetime.now(timezone.utc),
                       ZoneInfo("UTC"))
    assert isinstance(result, AppliedDiscount), result
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        statements = []
        spends = [(statement, parameters) for statement, parameters in seen if "SKIP LOCKED" in statement]
        for statement, parameters in spends:  # the campaign shared and the waiting spend, with the same values
            at = seen.index((statement, parameters)) + 1
            for waiting in (SHARE_CAMPAIGN, SPEND_FROM_WAITED_SLOT):
                compiled = waiting.statement.compile(dialect=database.engine.dialect)
                seen.insert(at, (compiled.string, {**compiled.params, **parameters, "slot_pick": PICK_MARK}))
                at += 1
        for statement, parameters in seen:
            if isinstance(parameters, dict):
                parameters = {name: CUSTOMER_MARK if value == data.customers[0] and "customer" in name
                              else CAMPAIGN_MARK if value == campaign and "campaign" in name else value
                              for name, value in parameters.items()}
            text = cursor.mogrify(statement, parameters).decode()
            statements.append(re.sub(r"\s+", " ", text).replace(str(CUSTOMER_MARK), ":customer")
                              .replace(str(CAMPAIGN_MARK), ":campaign").replace(str(PICK_MARK), ":pick"))
    finally:
        raw.close()
        database.dispose()
    return statements


def usage_count(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM discount_usages")).scalar_one()
    finally:
        engine.dispose()


def pgbench(url: str, script: Path, clients: int, misses_allowed: bool = False) -> float:
    """Applies recorded per second, each transaction one apply. Every one
    must have recorded its usage (a replayed statement whose guard failed
    would lock and record nothing, and count as fast), except with
    `misses_allowed`: in hot-campaign mode an apply that finds no slot with
    enough, even after waiting, records nothing here (the service then takes
    the campaign's lock), and only the recorded ones count."""
    before = usage_count(url)
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host")
    binary = str(Path(__import__("pgserver").__file__).parent / "pginstall" / "bin" / "pgbench")
    command = [binary, "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(SECONDS), "-f", str(script),
               "-h", host, "-U", parsed.username or "postgres", parsed.database]
    if parsed.port:
        command += ["-p", str(parsed.port)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PGPASSWORD": parsed.password or ""})
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    if done.returncode != 0 or match is None or processed is None:
        raise RuntimeError(done.stdout + done.stderr)
    recorded = usage_count(url) - before
    ran = int(processed.group(1))
    if recorded != ran and not misses_allowed:
        raise RuntimeError(f"{ran} applies ran but {recorded} usages were recorded")
    if misses_allowed and recorded < ran:
        MISSES.append((script.stem, clients, 1 - recorded / ran))
    return float(match.group(1)) * recorded / ran


MISSES: list[tuple[str, int, float]] = []  # (script, clients, share of transactions that found no slot)


def main() -> int:
    url = bench_run.fresh_database("campaign_service_bench_sql")
    data = dataset.load(url)
    statements = captured_apply(url, data, data.hot_campaign)
    # Hot-campaign mode: the apply that spends from one slot.
    slotted = captured_apply(url, data, data.slotted_campaign)
    workdir = Path(tempfile.mkdtemp(prefix="bench-sql-"))
    customers = f"\\set customer random({min(data.customers)}, {max(data.customers)})\n"

    def transaction(statements: list[str]) -> str:
        return "BEGIN;\n" + "".join(statement.rstrip(";") + ";\n" for statement in statements) + "COMMIT;\n"

    def slotted_transaction(statements: list[str]) -> str:
        """As the service runs it: the spend from a free slot in a savepoint;
        when it recorded nothing (every slot busy), back to the savepoint
        (kept here, where the service makes a second one), the campaign's
        shared lock and the spend that waits for the slot at or after a
        random one. (When that too records nothing, the service takes the
        campaign's lock; here the transaction records nothing.)"""
        free = next(n for n, statement in enumerate(statements) if "SKIP LOCKED" in statement)
        savepoint = statements[free - 1]
        assert savepoint.startswith("SAVEPOINT"), savepoint
        lines = [statement.rstrip(";") + ";" for statement in statements[:free]]
        lines += ["\\set id 0", statements[free] + " \\aset", "\\if :id = 0",
                  "ROLLBACK TO " + savepoint + ";", statements[free + 1] + ";",
                  f"\\set pick random(0, {dataset.SLOTS - 1})", statements[free + 2] + " \\aset", "\\endif"]
        lines += [statement.rstrip(";") + ";" for statement in statements[free + 3:]]
        return "BEGIN;\n" + "\n".join(lines) + "\nCOMMIT;\n"

    body = transaction(statements)
    scripts = {
        "one campaign": f"{customers}\\set campaign {data.hot_campaign}\n{body}",
        f"one campaign, {dataset.SLOTS} slots": f"{customers}\\set campaign {data.slotted_campaign}\n"
                                               + slotted_transaction(slotted),
        "10 campaigns": customers + "".join(
            f"\\set c{n} {pk}\n" for n, pk in enumerate(data.write_campaigns))
        + f"\\set pick random(0, {len(data.write_campaigns) - 1})\n"
        + "".join(f"\\if :pick = {n}\n\\set campaign :c{n}\n\\endif\n" for n in range(len(data.write_campaigns)))
        + body,
    }
    figures = {}
    runs_of = [(name, clients) for name in scripts for clients in (CLIENTS, dataset.SLOTS)
               if clients == CLIENTS or "campaign" in name and name.startswith("one")]
    for name, clients in runs_of:
        path = workdir / f"{name.replace(' ', '_').replace(',', '')}.sql"
        path.write_text(scripts[name])
        slotted_run = "slots" in name
        pgbench(url, path, clients, slotted_run)  # warm-up, and the campaign's rows in memory
        figures[(name, clients)] = [pgbench(url, path, clients, slotted_run) for _ in range(ROUNDS)]
    print(f"The apply's statements and COMMIT, pgbench -M prepared, median of {ROUNDS} x {SECONDS} s:")
    for (name, clients), runs in figures.items():
        median = statistics.median(runs)
        print(f"- {name}, {clients} clients: {median:.0f} applies/s ({', '.join(f'{run:.0f}' for run in runs)}); "
              f"{1000 / median:.2f} ms of the database per apply")
    for script, clients, share in MISSES:
        print(f"  ({script}, {clients} clients: {100 * share:.1f}% of transactions found no slot, "
              "even after waiting)")
    for name, captured in (("one slot", statements), (f"{dataset.SLOTS} slots", slotted)):
        print(f"Statements, {name} ({workdir}):")
        for statement in captured:
            print("  " + statement[:160] + ("..." if len(statement) > 160 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
