"""Hot-campaign mode under more concurrent applies than slots: an apply that
finds every slot that holds enough locked by other applies waits for one of
them, instead of taking the campaign's lock and collecting every slot (which
stops all spending meanwhile). The unit of work's own function on real
connections; a second transaction stands in for the applies holding the slots."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from graphql_api.campaigns.slots import lend
from graphql_api.core.discounts import Cart
from graphql_api.core.errors import ErrorCode
from graphql_api.db.database import make_engine
from graphql_api.db.invariants import find_violations
from graphql_api.discounts.apply import AppliedDiscount, ApplyDiscount, apply_in_transaction

from .test_contention import wait_for_blocked_service_backend

UTC = ZoneInfo("UTC")
SLOTS = 4


def _hot_campaign(admin_engine, max_total_usage=None) -> tuple[int, int]:
    now = datetime.now(timezone.utc)
    with admin_engine.begin() as connection:
        campaign = connection.execute(text("""
            INSERT INTO campaigns (name, discount_type, discount_flat, start_date, end_date, total_budget,
                                   max_usage_per_customer_per_day, max_total_usage, created_at, updated_at,
                                   budget_slots)
            VALUES ('hot', 'CART', 10, :start, :end, 1000, 1000, :cap, now(), now(), :slots) RETURNING id"""),
            {"start": now - timedelta(days=1), "end": now + timedelta(days=1), "slots": SLOTS,
             "cap": max_total_usage}).scalar_one()
        customer = connection.execute(text(
            "INSERT INTO customers (email, name, created_at) VALUES ('waiter@example.com', 'w', now()) RETURNING id"
        )).scalar_one()
        lend(connection, [campaign])
    return campaign, customer


def _state(admin_engine, campaign: int):
    """The campaign row's version (an apply under its lock rewrites it) and each slot's budget."""
    with admin_engine.connect() as connection:
        version = connection.execute(text("SELECT xmin::text FROM campaigns WHERE id = :id"),
                                     {"id": campaign}).scalar_one()
        budgets = connection.execute(text(
            "SELECT budget FROM campaign_budget_slots WHERE campaign_id = :id ORDER BY slot"),
            {"id": campaign}).scalars().all()
    return version, budgets


def _apply_while_held(admin_engine, database_url, campaign: int, customer: int, holders: list, release) -> object:
    """Runs an apply while `holders` (open transactions) hold what they
    locked; once it waits on a lock, `release(holders)` ends them."""
    # Named as the service's connections are, for wait_for_blocked_service_backend.
    service = make_engine(database_url, connect_args={"application_name": "campaign-service"})
    applied: dict = {}

    def apply():
        with service.begin() as connection:
            applied["result"] = apply_in_transaction(connection, ApplyDiscount(
                campaign_id=campaign, customer_id=customer, cart=Cart(cart_value=Decimal("100"))),
                datetime.now(timezone.utc), UTC)

    waiter = threading.Thread(target=apply)
    waiter.start()
    try:
        wait_for_blocked_service_backend(admin_engine, count=1)
        release(holders)
    finally:
        for holder in holders:
            holder.close()
        waiter.join(30)
        service.dispose()
    return applied["result"]


def _holding_every_slot(admin_engine, campaign: int, change: str = ""):
    holder = admin_engine.connect()
    holder.begin()
    holder.execute(text("SELECT slot FROM campaign_budget_slots WHERE campaign_id = :id FOR UPDATE"),
                   {"id": campaign})
    if change:
        holder.execute(text(f"UPDATE campaign_budget_slots SET {change} WHERE campaign_id = :id"), {"id": campaign})
    return holder


def _commit_all(holders) -> None:
    for holder in holders:
        holder.commit()


def test_an_apply_that_finds_every_slot_busy_waits_for_one_and_leaves_the_campaign_row_alone(
        admin_engine, database_url):
    campaign, customer = _hot_campaign(admin_engine)
    version, budgets = _state(admin_engine, campaign)
    result = _apply_while_held(admin_engine, database_url, campaign, customer,
                               [_holding_every_slot(admin_engine, campaign)], _commit_all)
    assert isinstance(result, AppliedDiscount), result
    after_version, after_budgets = _state(admin_engine, campaign)
    assert after_version == version  # neither locked for the collection nor lent to again
    # One slot gave the discount; the others are as they were.
    assert sorted(b - a for a, b in zip(budgets, after_budgets)) == [Decimal("-10.00")] + [Decimal("0")] * 3
    with Session(admin_engine) as session:
        assert find_violations(session, UTC) == []


def test_an_apply_that_waited_spends_from_the_slot_as_its_holder_left_it(admin_engine, database_url):
    campaign, customer = _hot_campaign(admin_engine)
    version, budgets = _state(admin_engine, campaign)
    result = _apply_while_held(admin_engine, database_url, campaign, customer,
                               [_holding_every_slot(admin_engine, campaign, "budget = budget - 10")], _commit_all)
    assert isinstance(result, AppliedDiscount), result
    after_version, after_budgets = _state(admin_engine, campaign)
    assert after_version == version
    # Every slot lost the holder's 10.00, and one the apply's 10.00 on top: no spend was lost.
    assert sorted(b - a for a, b in zip(budgets, after_budgets)) == [Decimal("-20.00")] + [Decimal("-10.00")] * 3


@pytest.mark.parametrize("change", [
    "budget = 5",  # less than the discount is left in each
    "revision = revision + 1",  # lent to anew under other terms
])
def test_an_apply_whose_waited_slot_no_longer_serves_takes_the_campaign_lock(admin_engine, database_url, change):
    """PostgreSQL checks the slot's conditions again once its holder
    commits; when they fail, the apply collects under the campaign's lock,
    as when no slot holds enough."""
    campaign, customer = _hot_campaign(admin_engine)
    version, _ = _state(admin_engine, campaign)
    result = _apply_while_held(admin_engine, database_url, campaign, customer,
                               [_holding_every_slot(admin_engine, campaign, change)], _commit_all)
    assert isinstance(result, AppliedDiscount), result
    after_version, _ = _state(admin_engine, campaign)
    assert after_version != version  # collected and lent to again under the campaign's lock


def test_an_apply_whose_waited_slot_has_no_use_left_spends_nothing_from_it(admin_engine, database_url):
    """Under a maxTotalUsage, a slot holds uses too: once its holder leaves
    none, the apply decides under the campaign's lock on the true count,
    which here (every use lent out counted, none left in the slots) is the cap."""
    campaign, customer = _hot_campaign(admin_engine, max_total_usage=100)
    _, budgets = _state(admin_engine, campaign)
    result = _apply_while_held(admin_engine, database_url, campaign, customer,
                               [_holding_every_slot(admin_engine, campaign, "uses = 0")], _commit_all)
    assert [error.code for error in result] == [ErrorCode.TOTAL_USAGE_LIMIT_REACHED], result
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM discount_usages")).scalar_one() == 0


def test_an_apply_that_finds_every_slot_busy_during_an_edit_waits_for_the_edit(admin_engine, database_url):
    """The edit holds the campaign's lock and has not reached the slots
    (other applies hold them). The apply must not spend from a slot the
    edit has yet to lend anew, but wait for the edit and then decide under
    the campaign's lock."""
    campaign, customer = _hot_campaign(admin_engine)
    version, _ = _state(admin_engine, campaign)
    edit = admin_engine.connect()
    edit.begin()
    edit.execute(text("SELECT id FROM campaigns WHERE id = :id FOR NO KEY UPDATE"), {"id": campaign})
    spenders = _holding_every_slot(admin_engine, campaign)

    def release(holders):
        spenders.commit()
        # The edit reaches the slots only now: an apply that took one meanwhile would hold it here.
        edit.execute(text("SET LOCAL lock_timeout = '5s'"))
        edit.execute(text("UPDATE campaign_budget_slots SET revision = revision + 1 WHERE campaign_id = :id"),
                     {"id": campaign})
        edit.commit()

    result = _apply_while_held(admin_engine, database_url, campaign, customer, [edit, spenders], release)
    assert isinstance(result, AppliedDiscount), result
    after_version, _ = _state(admin_engine, campaign)
    assert after_version != version  # decided under the campaign's lock, after the edit
