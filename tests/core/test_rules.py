"""Status, calculation, eligibility and ranking, each at its boundaries."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from graphql_api.core.campaigns import CampaignStatus, CampaignTerms, DiscountType, effective_status
from graphql_api.core.discounts import (
    Cart,
    CustomerStanding,
    Discount,
    Refusal,
    discount_amount,
    evaluate,
    rank_key,
    same_discount_budget_range,
    savings_text,
)
from graphql_api.core.errors import ErrorCode

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
D = Decimal

TERMS = CampaignTerms(
    discount_type=DiscountType.CART,
    discount_percentage=D("10"),
    discount_flat=None,
    start_date=NOW - timedelta(days=1),
    end_date=NOW + timedelta(days=1),
    total_budget=D("1000"),
    used_budget=D("0"),
    max_usage_per_customer_per_day=1,
    min_cart_value=D("0"),
    max_discount_amount=None,
    is_targeted=False,
)
OPEN = CustomerStanding(is_target=False, usages_today=0)


def terms(**changes) -> CampaignTerms:
    return replace(TERMS, **changes)


class TestStatus:
    @pytest.mark.parametrize(
        "changes, now, expected",
        [
            ({}, NOW, CampaignStatus.ACTIVE),
            ({"start_date": NOW}, NOW, CampaignStatus.ACTIVE),
            ({"end_date": NOW}, NOW, CampaignStatus.ACTIVE),
            ({"start_date": NOW + timedelta(microseconds=1)}, NOW, CampaignStatus.SCHEDULED),
            ({"end_date": NOW - timedelta(microseconds=1)}, NOW, CampaignStatus.EXPIRED),
            ({"used_budget": D("1000")}, NOW, CampaignStatus.BUDGET_EXHAUSTED),
            ({"used_budget": D("999.99")}, NOW, CampaignStatus.ACTIVE),
            ({"paused": True}, NOW, CampaignStatus.INACTIVE),
            ({"deleted": True}, NOW, CampaignStatus.INACTIVE),
            # precedence: paused beats expired beats exhausted beats scheduled
            ({"paused": True, "end_date": NOW - timedelta(days=1), "start_date": NOW - timedelta(days=2)},
             NOW, CampaignStatus.INACTIVE),
            ({"used_budget": D("1000"), "end_date": NOW - timedelta(seconds=1), "start_date": NOW - timedelta(days=2)},
             NOW, CampaignStatus.EXPIRED),
            ({"used_budget": D("1000"), "start_date": NOW + timedelta(days=1), "end_date": NOW + timedelta(days=2)},
             NOW, CampaignStatus.BUDGET_EXHAUSTED),
        ],
    )
    def test_effective_status(self, changes, now, expected):
        assert effective_status(terms(**changes), now) is expected


class TestDiscountAmount:
    def test_percentage_of_value(self):
        assert discount_amount(terms(discount_percentage=D("35")), D("600")) == D("210.00")

    def test_percentage_rounds_half_up_to_cents(self):
        # 12.5% of 0.20 = 0.025 -> 0.03 ; 33.33% of 10.01 = 3.336333 -> 3.34
        assert discount_amount(terms(discount_percentage=D("12.5")), D("0.20")) == D("0.03")
        assert discount_amount(terms(discount_percentage=D("33.33")), D("10.01")) == D("3.34")

    def test_flat_amount(self):
        assert discount_amount(terms(discount_percentage=None, discount_flat=D("50")), D("600")) == D("50")

    def test_capped_by_max_discount_amount_below_the_percentage(self):
        assert discount_amount(terms(discount_percentage=D("50"), max_discount_amount=D("100")), D("600")) == D("100")

    def test_capped_by_remaining_budget(self):
        assert discount_amount(terms(used_budget=D("995.50")), D("600")) == D("4.50")

    def test_capped_by_the_value_itself(self):
        flat = terms(discount_type=DiscountType.DELIVERY, discount_percentage=None, discount_flat=D("100"))
        assert discount_amount(flat, D("80")) == D("80")

    def test_zero_value_gives_zero(self):
        assert discount_amount(terms(discount_percentage=None, discount_flat=D("5")), D("0")) == D("0")


class TestEvaluate:
    def test_eligible_cart_discount(self):
        outcome = evaluate(terms(), Cart(D("600"), D("80")), OPEN, NOW)
        assert outcome == Discount(original_amount=D("600"), discount_amount=D("60.00"))
        assert outcome.final_amount == D("540.00")

    def test_delivery_discount_applies_to_the_delivery_charge(self):
        outcome = evaluate(terms(discount_type=DiscountType.DELIVERY, discount_percentage=D("50")),
                           Cart(D("600"), D("80")), OPEN, NOW)
        assert outcome == Discount(original_amount=D("80"), discount_amount=D("40.00"))

    @pytest.mark.parametrize(
        "changes, cart, standing, code",
        [
            ({"paused": True}, Cart(D("600")), OPEN, ErrorCode.CAMPAIGN_NOT_ACTIVE),
            ({"start_date": NOW + timedelta(seconds=1)}, Cart(D("600")), OPEN, ErrorCode.CAMPAIGN_NOT_ACTIVE),
            ({"end_date": NOW - timedelta(seconds=1)}, Cart(D("600")), OPEN, ErrorCode.CAMPAIGN_NOT_ACTIVE),
            ({"used_budget": D("1000")}, Cart(D("600")), OPEN, ErrorCode.BUDGET_EXHAUSTED),
            ({"min_cart_value": D("600.01")}, Cart(D("600")), OPEN, ErrorCode.MIN_CART_VALUE_NOT_MET),
            ({"is_targeted": True}, Cart(D("600")), OPEN, ErrorCode.NOT_TARGETED),
            ({"max_usage_per_customer_per_day": 2}, Cart(D("600")),
             CustomerStanding(False, 2), ErrorCode.DAILY_LIMIT_REACHED),
            ({"discount_type": DiscountType.DELIVERY}, Cart(D("600"), D("0")), OPEN, ErrorCode.NOTHING_TO_DISCOUNT),
            ({}, Cart(D("0")), OPEN, ErrorCode.NOTHING_TO_DISCOUNT),
        ],
    )
    def test_refusals(self, changes, cart, standing, code):
        outcome = evaluate(terms(**changes), cart, standing, NOW)
        assert isinstance(outcome, Refusal) and outcome.code is code

    def test_cart_exactly_at_min_cart_value_is_eligible(self):
        assert isinstance(evaluate(terms(min_cart_value=D("600")), Cart(D("600")), OPEN, NOW), Discount)

    def test_min_cart_value_applies_to_delivery_campaigns_too(self):
        delivery = terms(discount_type=DiscountType.DELIVERY, min_cart_value=D("700"))
        outcome = evaluate(delivery, Cart(D("600"), D("80")), OPEN, NOW)
        assert outcome.code is ErrorCode.MIN_CART_VALUE_NOT_MET

    def test_targeted_customer_is_eligible(self):
        assert isinstance(evaluate(terms(is_targeted=True), Cart(D("600")), CustomerStanding(True, 0), NOW), Discount)

    def test_one_below_the_daily_limit_is_eligible(self):
        outcome = evaluate(terms(max_usage_per_customer_per_day=2), Cart(D("600")), CustomerStanding(False, 1), NOW)
        assert isinstance(outcome, Discount)

    def test_rules_are_checked_in_the_contract_order(self):
        everything_wrong = terms(paused=True, min_cart_value=D("1000"), is_targeted=True)
        assert evaluate(everything_wrong, Cart(D("1")), CustomerStanding(False, 9), NOW).code is ErrorCode.CAMPAIGN_NOT_ACTIVE


CENT = D("0.01")


class TestSameDiscountBudgetRange:
    """The apply records a discount decided on an unlocked read when the used
    budget it then finds lies in this range; these check that every used
    budget inside gives the same discount and the first one outside does not."""

    @pytest.mark.parametrize(
        "changes, cart, used, capped_by_budget",
        [
            ({}, D("600"), D("0"), False),  # 60.00 of plenty
            ({}, D("600"), D("900"), False),  # 60.00 of 100.00 left
            ({}, D("600"), D("940"), False),  # exactly 60.00 left
            ({}, D("600"), D("950"), True),  # 50.00, the whole remaining budget
            ({"max_discount_amount": D("25")}, D("600"), D("500"), False),
            ({"discount_percentage": None, "discount_flat": D("75")}, D("600"), D("930.01"), True),
            ({"discount_percentage": None, "discount_flat": D("75")}, D("40"), D("0"), False),  # capped by the value
        ],
    )
    def test_the_range_is_exactly_where_the_discount_stays_the_same(self, changes, cart, used, capped_by_budget):
        read = terms(used_budget=used, **changes)
        discount = evaluate(read, Cart(cart), OPEN, NOW)
        assert isinstance(discount, Discount)
        low, high = same_discount_budget_range(read, discount)

        def outcome_at(used_budget):
            return evaluate(replace(read, used_budget=used_budget), Cart(cart), OPEN, NOW)

        assert low == used and low <= high
        steps = int((high - low) / CENT)
        for used_budget in {low, high, *(low + CENT * n for n in range(0, steps + 1, max(1, steps // 50)))}:
            assert outcome_at(used_budget) == discount, used_budget
        assert outcome_at(high + CENT) != discount
        if capped_by_budget:  # less used budget would mean a larger discount
            assert low == high
            assert outcome_at(low - CENT) != discount


def test_ranking_prefers_larger_discounts_then_higher_priority_then_the_older_campaign():
    offers = [("b", D("50"), 0, 2), ("a", D("50"), 0, 1), ("c", D("60"), 0, 3), ("d", D("10"), 9, 0),
              ("e", D("50"), 1, 5)]
    ranked = sorted(offers, key=lambda o: rank_key(o[1], terms(priority=o[2]), o[3]))
    assert [o[0] for o in ranked] == ["c", "e", "a", "b", "d"]


def test_savings_text():
    assert savings_text(terms(discount_percentage=D("35")), D("210")) == "35% off (210.00)"
    assert savings_text(terms(discount_percentage=D("12.50")), D("7.5")) == "12.5% off (7.50)"
    assert savings_text(terms(discount_percentage=None, discount_flat=D("50")), D("40")) == "50.00 off (40.00)"
