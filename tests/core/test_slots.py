"""The lending rules of hot-campaign mode (core/slots.py)."""

from decimal import Decimal

from graphql_api.core.slots import gives_back_to_the_pool, lease, lendable_budget

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


def test_a_reversal_goes_back_to_the_pool_unless_it_reopens_a_threshold_the_slots_could_cross():
    total = D("1000.00")
    # 600 used, the slots lent up to 799.99: back to 590 and 789.99, both past 50 % and short of 80 %.
    assert gives_back_to_the_pool(D("799.99"), D("600.00"), D("10.00"), total, 5, True)
    # Back to exactly 500: 50 % still reached, nothing between.
    assert gives_back_to_the_pool(D("799.99"), D("600.00"), D("100.00"), total, 5, True)
    # Back to 499.99 while the slots could take it to 699.99: 50 % would be crossed again unseen.
    assert not gives_back_to_the_pool(D("799.99"), D("600.00"), D("100.01"), total, 5, True)
    # Below the first threshold with the slots lent up to 499.99: nothing to cross.
    assert gives_back_to_the_pool(D("499.99"), D("300.00"), D("200.00"), total, 5, True)
    # An exhausted campaign (nothing lent) given 50 back: true and pool figures both at 950, past 95 %.
    assert gives_back_to_the_pool(D("1000.00"), D("1000.00"), D("50.00"), total, 5, True)
    # 990 used, lent up to 999.99: 45 back is 945 with the slots able to reach 954.99, across 95 %;
    # 50 back is 940 and 949.99, both short of it.
    assert not gives_back_to_the_pool(D("999.99"), D("990.00"), D("45.00"), total, 5, True)
    assert gives_back_to_the_pool(D("999.99"), D("990.00"), D("50.00"), total, 5, True)
    # Without a maxTotalUsage the slots count their uses below 0: a pool counting none gives no use back.
    assert not gives_back_to_the_pool(D("799.99"), D("600.00"), D("10.00"), total, 0, True)
    assert gives_back_to_the_pool(D("799.99"), D("600.00"), D("5.00"), total, 0, False)  # a partial one
