"""`make bench-codes`: coupon codes at scale, through the service as users
run it. Starts the service on a fresh database, then per round creates a
code campaign, generates 100,000 codes with one generateCouponCodes call
(the wall time of that request is the figure), and streams them back from
GET /export/coupon-codes, with the server's memory before and after.

Environment: BENCH_CODES (100000), BENCH_ROUNDS (3). Appends one section to
bench/RESULTS.md."""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx2
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as bench_run  # noqa: E402
from tests.conftest import make_key  # noqa: E402

COUNT = int(os.environ.get("BENCH_CODES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MARK = "\n## Coupon codes at scale\n"
RESULTS = ROOT / "bench" / "RESULTS.md"


def graphql(client: httpx2.Client, query: str, variables: dict) -> dict:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return body["data"]


def rss_mb(pid: int) -> float:
    parent = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20


def main() -> int:
    url = bench_run.fresh_database("campaign_service_bench_codes")
    key = make_key(url, "admin", "bench")
    server = bench_run.start([sys.executable, "-m", "graphql_api.server.cli", "serve"], {"DATABASE_URL": url},
                             "/health")
    now = datetime.now(timezone.utc)
    rows = []
    try:
        with httpx2.Client(base_url=server.url, timeout=300, headers={"Authorization": f"Bearer {key}"}) as client:
            for round_ in range(ROUNDS):
                campaign = graphql(client, """mutation($i: CreateCampaignInput!) { createCampaign(input: $i) {
                    campaign { id } userErrors { code } } }""", {"i": {
                    "name": f"codes {round_}", "discountType": "CART", "discountFlat": "5", "requiresCode": True,
                    "startDate": now.isoformat(), "endDate": (now + timedelta(days=30)).isoformat(),
                    "totalBudget": "1000000"}})["createCampaign"]["campaign"]["id"]
                started = time.perf_counter()
                made = graphql(client, """mutation($i: GenerateCouponCodesInput!) { generateCouponCodes(input: $i) {
                    addedCount userErrors { code message } } }""", {"i": {
                    "campaignId": campaign, "count": COUNT, "prefix": f"R{round_}-"}})["generateCouponCodes"]
                generated = time.perf_counter() - started
                assert made == {"addedCount": COUNT, "userErrors": []}, made
                before = rss_mb(server.process.pid)
                started, lines = time.perf_counter(), 0
                with client.stream("GET", "/export/coupon-codes", params={"campaignId": campaign}) as response:
                    assert response.status_code == 200
                    for _line in response.iter_lines():
                        lines += 1
                exported = time.perf_counter() - started
                assert lines == COUNT + 1, lines
                rows.append((generated, exported, before, rss_mb(server.process.pid)))
                print(f"round {round_}: generate {generated:.2f} s, export {exported:.2f} s, "
                      f"RSS {before:.0f} -> {rows[-1][3]:.0f} MB", flush=True)
    finally:
        server.stop()
    section = (
        f"{MARK}\n`make bench-codes` ({datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}): {ROUNDS} rounds, each one "
        f"generateCouponCodes call of {COUNT:,} codes, then the CSV export streamed back.\n\n"
        "| | median | worst |\n|---|---|---|\n"
        f"| generateCouponCodes, {COUNT:,} codes (s) | {statistics.median(r[0] for r in rows):.2f} | "
        f"{max(r[0] for r in rows):.2f} |\n"
        f"| CSV export, {COUNT:,} rows (s) | {statistics.median(r[1] for r in rows):.2f} | {max(r[1] for r in rows):.2f} |\n"
        f"| server RSS growth during an export (MB) | {statistics.median(r[3] - r[2] for r in rows):.1f} | "
        f"{max(r[3] - r[2] for r in rows):.1f} |\n\n"
        "Target: 100,000 codes in under 10 s.\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else ""
    head, _kept = _split(text)
    RESULTS.write_text(head.rstrip("\n") + "\n" + section)
    print(section)
    return 0


def _split(text: str) -> tuple[str, str]:
    """RESULTS.md without this benchmark's section, and the section (it is the last one)."""
    if MARK not in text:
        return text, ""
    head, _, tail = text.partition(MARK)
    return head, MARK + tail


def kept_section() -> str:
    """The last `make bench-codes` section, for `make bench` to keep when it rewrites RESULTS.md."""
    return _split(RESULTS.read_text())[1] if RESULTS.exists() else ""


if __name__ == "__main__":
    sys.exit(main())
