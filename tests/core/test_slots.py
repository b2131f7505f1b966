"""The lending rules of hot-campaign mode (core/slots.py)."""

from decimal import Decimal

from graphql_api.core.slots import lease, lendable_budget

D = Decimal


def test_slots_may_spend_up_to_a_cent_below_the_next_threshold():
    assert lendable_budget(D("0.00"), D("1000.00")) == D("499.99")  # 50 %
    assert lendable_budget(D("499.99"), D("1000.00")) == D("0.00")  # the next cent crosses it
    assert lendable_budget(D("500.00"), D("1000.00")) == D("299.99")  # 80 %
    assert lendable_budget(D("960.00"), D("1000.00")) == D("39.99")  # the last cent is the pool's
    assert lendable_budget(D("1000.00"), D("1000.00")) == D("0.00")
    # A threshold that falls between cents: lent up to the cent before the first one at or above it.
    assert lendable_budget(D("0.00"), D("0.03")) == D("0.01")


def test_the_lease_splits_to_the_cent_and_the_use_and_lends_no_more_than_it_has():
    lent = lease(16, D("0.00"), D("1000.00"), 3, 45)
    assert sum(lent.budgets) == D("499.99") and max(lent.budgets) - min(lent.budgets) == D("0.01")
    assert sum(lent.uses) == 42 and max(lent.uses) - min(lent.uses) <= 1
    assert lease(4, D("0.00"), D("1000.00"), 0, None).uses == (0, 0, 0, 0)  # no cap: counted below 0
    assert lease(4, D("0.00"), D("1000.00"), 50, 50).uses == (0, 0, 0, 0)


def test_a_small_rest_goes_to_as_many_slots_as_hold_one_discount():
    lent = lease(16, D("470.00"), D("1000.00"), 0, 100, unit=D("10.00"))
    # 29.99 lendable before 50 %: two slots of one 10.00 discount or more.
    assert lent.budgets == (D("15.00"), D("14.99")) + (D("0.00"),) * 14
    assert sum(lent.uses) == 100 and lent.uses[2:] == (0,) * 14


def test_one_slot_and_a_deleted_campaign_lend_nothing():
    assert lease(1, D("0.00"), D("1000.00"), 0, None).budgets == (D("0.00"),)
    assert set(lease(8, D("0.00"), D("1000.00"), 0, None, deleted=True).budgets) == {D("0.00")}
