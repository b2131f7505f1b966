"""A reversal on a hot campaign that waits for the campaign's lock while
its holder lends the slots anew must decide on the slots as lent, not on
the ones its locking statement started with (READ COMMITTED: a statement
that waited for a row sees that row's new version and every other table as
it was). Otherwise it would give back in place with the slots able to cross
a threshold again unseen. The unit of work's own functions on two real
connections; the apply holds the lock, uncommitted, while the reversal waits."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from graphql_api.campaigns.slots import lend
from graphql_api.core.discounts import Cart
from graphql_api.db.database import make_engine
from graphql_api.db.invariants import find_violations
from graphql_api.discounts.apply import AppliedDiscount, ApplyDiscount, apply_in_transaction
from graphql_api.discounts.reversal import ReversedUsage, ReverseUsage, reverse_in_transaction

from .test_contention import wait_for_blocked_service_backend

UTC = ZoneInfo("UTC")


def test_a_reversal_that_waited_for_a_new_lending_decides_on_the_slots_as_lent(admin_engine, admin_key, database_url):
    now = datetime.now(timezone.utc)
    with admin_engine.begin() as connection:
        key_id = connection.execute(text("SELECT min(id) FROM api_keys")).scalar_one()
        campaign = connection.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_flat, start_date, end_date, total_budget,
                                   max_usage_per_customer_per_day, created_at, updated_at, budget_slots)
            VALUES ('hot', 'CART', 10, :start, :end, 1000, 1000, now(), now(), 4) RETURNING id"""),
            {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}).scalar_one()
        customers = [connection.execute(text(
            "INSERT INTO customers (email, name, created_at) VALUES (:email, 'c', now()) RETURNING id"),
            {"email": f"race{n}@example.com"}).scalar_one() for n in range(100)]
        lend(connection, [campaign])
    buyers = iter(customers)

    def apply(connection):
        result = apply_in_transaction(connection, ApplyDiscount(campaign_id=campaign, customer_id=next(buyers),
                                                                cart=Cart(cart_value=Decimal("100"))),
                                      datetime.now(timezone.utc), UTC)
        assert isinstance(result, AppliedDiscount), result
        return result.usage

    def figures():
        with admin_engine.connect() as connection:
            pool, held = connection.execute(text(
                "SELECT used_budget, (SELECT sum(budget) FROM campaign_budget_slots WHERE campaign_id = :id) "
                "FROM campaigns WHERE id = :id"), {"id": campaign}).one()
            crossed = connection.execute(text(
                "SELECT threshold FROM campaign_events WHERE campaign_id = :id AND kind = 'BUDGET_THRESHOLD' "
                "ORDER BY id"), {"id": campaign}).scalars().all()
        return pool - held, crossed

    usages = []
    for _ in range(79):  # 790.00: the next apply crosses 80 % under the campaign's lock
        with admin_engine.begin() as connection:
            usages.append(apply(connection))
    assert figures() == (Decimal("790.00"), [50])

    holder = admin_engine.connect()
    holding = holder.begin()
    apply(holder)  # collects, records 800.00, lends up to 949.99: uncommitted, the campaign locked
    reversed_: dict = {}

    # Named as the service's connections are, for wait_for_blocked_service_backend.
    service = make_engine(database_url, connect_args={"application_name": "campaign-service"})

    def reverse():
        with service.begin() as connection:
            reversed_["result"] = reverse_in_transaction(connection, ReverseUsage(
                usage_id=usages[0].id, amount=None, reason="refund", api_key_id=key_id), datetime.now(timezone.utc))

    reversal = threading.Thread(target=reverse)
    reversal.start()
    try:
        wait_for_blocked_service_backend(admin_engine, count=1)
        holding.commit()
    finally:
        holder.close()
        reversal.join(30)
        service.dispose()
    assert isinstance(reversed_["result"], ReversedUsage), reversed_
    # Back to 790.00, below 80 %, with the slots lent only up to a cent below it again.
    assert figures() == (Decimal("790.00"), [50, 80])
    for _ in range(14):  # to 930.00: 80 % crossed a second time, and recorded
        with admin_engine.begin() as connection:
            apply(connection)
    assert figures() == (Decimal("930.00"), [50, 80, 80])
    with Session(admin_engine) as session:
        assert find_violations(session, UTC) == []
