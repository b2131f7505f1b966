"""The benchmark's fixed data set, loaded with set-based SQL (seconds, not
minutes, for a million usage rows). Same seed, same data, every run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text

from graphql_api.campaigns.slots import lend

LIVE_CAMPAIGNS = 50  # 30 cart (percentage), 20 delivery (flat)
TARGETED = 10  # of the live ones, each with 20 targets
TARGETS_EACH = 20
CUSTOMERS = 1_000
WRITE_CAMPAIGNS = 10  # live cart campaigns with very large budgets and limits
SLOTS = 16  # the budget slots of the hot campaign in hot-campaign mode
CODES = 100_000  # coupon codes of two live code campaigns


@dataclass(frozen=True)
class Dataset:
    customers: list[int]
    live_campaigns: list[int]
    write_campaigns: list[int]
    hot_campaign: int
    slotted_campaign: int  # the hot row again, in hot-campaign mode (budgetSlots: SLOTS)
    usages: list[int]  # the first 5,000 of the history, for the reversal scenario


def load(url: str, *, usages: int = 100_000, dead_campaigns: int = 0, more_live: int = 0) -> Dataset:
    """`dead_campaigns` expired campaigns are added for the growth run, and
    `more_live` live untargeted ones (cart and delivery in turn) for the run
    that measures the cost per offer."""
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("SELECT setseed(0.42)"))
        db.execute(text("""
            INSERT INTO customers (email, name, created_at)
            SELECT 'bench' || n || '@example.com', 'Bench ' || n, now() - interval '400 days'
            FROM generate_series(1, :n) AS n"""), {"n": CUSTOMERS})
        # Expired campaigns first (older), then the live ones.
        db.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_percentage, discount_flat, start_date, end_date,
                                   total_budget, max_usage_per_customer_per_day, min_cart_value, is_targeted,
                                   created_at, updated_at)
            SELECT 'expired ' || n, 'CART', 10, NULL, now() - interval '400 days', now() - interval '1 day',
                   1000000000, 1000000, 0, false, now() - interval '400 days', now() - interval '400 days'
            FROM generate_series(1, :n) AS n"""), {"n": dead_campaigns})
        db.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_percentage, discount_flat, start_date, end_date,
                                   total_budget, max_usage_per_customer_per_day, min_cart_value, max_discount_amount,
                                   is_targeted, created_at, updated_at)
            SELECT 'live ' || n,
                   CASE WHEN n <= 30 THEN 'CART' ELSE 'DELIVERY' END,
                   CASE WHEN n <= 30 THEN 5 + (n % 30) ELSE NULL END,
                   CASE WHEN n <= 30 THEN NULL ELSE 5 + (n % 20) END,
                   now() - interval '30 days', now() + interval '365 days',
                   1000000000, 1000000, CASE WHEN n % 7 = 0 THEN 100 ELSE 0 END,
                   CASE WHEN n % 5 = 0 THEN 150 ELSE NULL END,
                   n > 40, now() - interval '30 days' + n * interval '1 minute', now()
            FROM generate_series(1, :n) AS n"""), {"n": LIVE_CAMPAIGNS})
        db.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_percentage, discount_flat, start_date, end_date,
                                   total_budget, max_usage_per_customer_per_day, min_cart_value, is_targeted,
                                   created_at, updated_at)
            SELECT 'visible ' || n, CASE WHEN n % 2 = 0 THEN 'CART' ELSE 'DELIVERY' END,
                   CASE WHEN n % 2 = 0 THEN 1 + (n % 40) ELSE NULL END, CASE WHEN n % 2 = 0 THEN NULL ELSE 1 + (n % 9) END,
                   now() - interval '30 days', now() + interval '365 days', 1000000000, 1000000, 0, false,
                   now() - interval '20 days' + n * interval '1 minute', now()
            FROM generate_series(1, :n) AS n"""), {"n": more_live})
        # Two live code campaigns with CODES codes between them (BENCH-1, BENCH-2, ...).
        db.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_flat, start_date, end_date, total_budget,
                                   max_usage_per_customer_per_day, requires_code, created_at, updated_at)
            SELECT 'coded ' || n, 'CART', 20 + n, now() - interval '30 days', now() + interval '365 days',
                   1000000000, 1000000, true, now() - interval '25 days', now()
            FROM generate_series(1, 2) AS n"""))
        db.execute(text("""
            INSERT INTO coupon_codes (campaign_id, code, uses_per_code, created_at)
            SELECT (SELECT min(id) FROM campaigns WHERE requires_code) + n % 2, 'BENCH-' || n, NULL, now()
            FROM generate_series(1, :n) AS n"""), {"n": CODES})
        live = [row[0] for row in db.execute(text(
            "SELECT id FROM campaigns WHERE name LIKE 'live %' ORDER BY id"))]
        customers = [row[0] for row in db.execute(text("SELECT id FROM customers ORDER BY id"))]
        # The 10 targeted campaigns (live 41-50) each target 20 of the first 200 customers.
        db.execute(text("""
            INSERT INTO campaign_targets (campaign_id, customer_id)
            SELECT c.id, cu.id
            FROM campaigns c CROSS JOIN LATERAL (
                SELECT id FROM customers ORDER BY md5(c.id::text || id::text) LIMIT :each) cu
            WHERE c.is_targeted"""), {"each": TARGETS_EACH})
        # History: spread over live campaigns and the last 90 days; about 2% today.
        db.execute(text("""
            WITH live AS (SELECT array_agg(id ORDER BY id) AS ids FROM campaigns WHERE name LIKE 'live %')
            INSERT INTO discount_usages (campaign_id, customer_id, discount_type, cart_value, delivery_charge,
                                         original_amount, discount_amount, final_amount, used_at)
            SELECT c.id, :first_customer + (n::bigint * 7919) % :customers, c.discount_type, 600, 80,
                   CASE WHEN c.discount_type = 'CART' THEN 600 ELSE 80 END, 5,
                   CASE WHEN c.discount_type = 'CART' THEN 595 ELSE 75 END,
                   CASE WHEN random() < 0.02 THEN now() - random() * interval '1 hour'
                        ELSE now() - interval '1 day' - random() * interval '89 days' END
            FROM generate_series(1, :n) AS n CROSS JOIN live
            JOIN campaigns c ON c.id = live.ids[1 + n % :live]"""),
            {"n": usages, "live": LIVE_CAMPAIGNS, "first_customer": customers[0], "customers": CUSTOMERS})
        db.execute(text("""
            UPDATE campaigns c SET used_budget = s.total, usage_count = s.usages
            FROM (SELECT campaign_id, sum(discount_amount) AS total, count(*) AS usages
                  FROM discount_usages GROUP BY campaign_id) s
            WHERE s.campaign_id = c.id"""))
        usage_ids = [row[0] for row in db.execute(text("SELECT id FROM discount_usages ORDER BY id LIMIT 5000"))]
    # As autovacuum leaves a table that has settled: statistics, and the
    # visibility map that lets index-only scans skip the rows.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text("VACUUM ANALYZE"))
    cart_live = live[:30]
    slotted = cart_live[WRITE_CAMPAIGNS + 1]
    with engine.begin() as db:
        db.execute(text("UPDATE campaigns SET budget_slots = :slots WHERE id = :id"), {"slots": SLOTS, "id": slotted})
        lend(db, [slotted])
    engine.dispose()
    return Dataset(customers=customers, live_campaigns=live, write_campaigns=cart_live[:WRITE_CAMPAIGNS],
                   hot_campaign=cart_live[WRITE_CAMPAIGNS], slotted_campaign=slotted, usages=usage_ids)
