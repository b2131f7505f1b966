"""The version-2 rules at their boundaries: codes, caps, orders, explanations
and the best combination."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from graphql_api.core.codes import ALPHABET, added_code_errors, cart_code_errors, generation_errors, random_codes
from graphql_api.core.discounts import (
    Cart,
    CustomerStanding,
    Discount,
    Ineligibility,
    OrderState,
    Refusal,
    best_combination,
    evaluate,
    reasons,
)
from graphql_api.core.errors import ErrorCode

from .test_rules import NOW, OPEN, terms

D = Decimal
CART = Cart(D("600"), D("80"))
CODE = CustomerStanding(is_target=False, usages_today=0, has_code=True)


def kinds(outcome) -> list:
    return [reason.kind for reason in outcome[1]]


class TestCaps:
    def test_the_nth_use_passes_and_the_next_is_refused(self):
        capped = terms(max_usage_per_customer=3, max_usage_per_customer_per_day=10)
        assert isinstance(evaluate(capped, CART, replace(OPEN, usages_total=2), NOW), Discount)
        refusal = evaluate(capped, CART, replace(OPEN, usages_total=3), NOW)
        assert refusal == Refusal(ErrorCode.CUSTOMER_LIMIT_REACHED, refusal.message)

    def test_total_usage(self):
        assert isinstance(evaluate(terms(max_total_usage=100, usage_count=99), CART, OPEN, NOW), Discount)
        assert evaluate(terms(max_total_usage=100, usage_count=100), CART, OPEN, NOW).code \
            is ErrorCode.TOTAL_USAGE_LIMIT_REACHED

    def test_no_cap_means_none(self):
        assert isinstance(evaluate(terms(usage_count=10**6), CART, replace(OPEN, usages_total=10**6), NOW), Discount)


class TestCodes:
    def test_a_code_campaign_needs_one_of_its_codes(self):
        assert evaluate(terms(requires_code=True), CART, OPEN, NOW).code is ErrorCode.INVALID_COUPON_CODE
        assert isinstance(evaluate(terms(requires_code=True), CART, CODE, NOW), Discount)

    @pytest.mark.parametrize("changes", [{"paused": True}, {"deleted": True}, {"end_date": NOW - timedelta(seconds=1),
                                          "start_date": NOW - timedelta(days=2)}, {"is_targeted": True}])
    def test_a_code_of_a_campaign_the_customer_cannot_use_is_just_invalid(self, changes):
        outcome = reasons(terms(requires_code=True, **changes), CART, CODE, NOW)
        assert kinds(outcome) == [Ineligibility.CODE_NOT_ACCEPTED]

    def test_a_scheduled_code_campaign_is_explained(self):
        outcome = reasons(terms(requires_code=True, start_date=NOW + timedelta(hours=1)), CART, CODE, NOW)
        assert kinds(outcome) == [Ineligibility.NOT_STARTED]
        assert outcome[1][0].starts_at == NOW + timedelta(hours=1)

    def test_cart_codes(self):
        assert cart_code_errors(["abcd", "A-B_9", "x" * 64]) == []
        for bad in ["abc", "a" * 65, "ab cd", "АBCD", "straße", "ab\u00a0cd", ""]:
            assert cart_code_errors([bad]), bad
        assert cart_code_errors(["abcd"] * 6)
        assert cart_code_errors(["abcd"] * 5) == []

    def test_added_codes(self):
        assert added_code_errors(["ABCD", "abcd"], 1)[0].message.endswith("ABCD")
        assert added_code_errors([], 1) and added_code_errors(["ABCD"] * 1001, 1)
        assert added_code_errors(["ABCD"], 0) and added_code_errors(["ABCD"], -1)
        assert added_code_errors(["ABCD"], None) == []

    def test_generation(self):
        assert generation_errors(100_000, "SALE-", 10, 1) == []
        assert generation_errors(100_001, "", 10, 1) and generation_errors(0, "", 10, 1)
        assert generation_errors(1, "", 7, 1) and generation_errors(1, "", 33, 1)
        assert generation_errors(1, "sale", 10, 1) and generation_errors(1, "X" * 17, 10, 1)
        codes = random_codes(2000, "P-", 12)
        assert len(set(codes)) == 2000
        assert all(code.startswith("P-") and len(code) == 14 and set(code[2:]) <= set(ALPHABET) for code in codes)
        assert not set("0O1I") & set(ALPHABET)


class TestOrders:
    def test_an_order_holds_one_discount_per_type(self):
        delivery = terms(discount_type=terms().discount_type.DELIVERY)
        assert evaluate(terms(), CART, OPEN, NOW, OrderState(cart=True)).code is ErrorCode.NOT_COMBINABLE
        assert isinstance(evaluate(delivery, CART, OPEN, NOW, OrderState(cart=True)), Discount)
        assert evaluate(delivery, CART, OPEN, NOW, OrderState(delivery=True)).code is ErrorCode.NOT_COMBINABLE

    def test_an_exclusive_discount_is_alone(self):
        delivery = terms(discount_type=terms().discount_type.DELIVERY)
        assert evaluate(delivery, CART, OPEN, NOW, OrderState(cart=True, exclusive=True)).code \
            is ErrorCode.NOT_COMBINABLE
        assert evaluate(replace(delivery, exclusive=True), CART, OPEN, NOW, OrderState(cart=True)).code \
            is ErrorCode.NOT_COMBINABLE
        assert isinstance(evaluate(terms(exclusive=True), CART, OPEN, NOW), Discount)


def test_every_failing_rule_is_explained_with_its_figures():
    failing = terms(min_cart_value=D("700"), max_usage_per_customer_per_day=1, max_usage_per_customer=2,
                    max_total_usage=5, usage_count=5, paused=True)
    standing = CustomerStanding(is_target=False, usages_today=1, usages_total=2, day_ends_at=NOW + timedelta(hours=12))
    discount, failed = reasons(failing, CART, standing, NOW, OrderState(cart=True))
    assert discount is None
    assert [r.kind for r in failed] == [
        Ineligibility.PAUSED, Ineligibility.MIN_CART_VALUE_NOT_MET, Ineligibility.DAILY_LIMIT_REACHED,
        Ineligibility.CUSTOMER_LIMIT_REACHED, Ineligibility.TOTAL_USAGE_LIMIT_REACHED, Ineligibility.NOT_COMBINABLE]
    by_kind = {r.kind: r for r in failed}
    assert by_kind[Ineligibility.MIN_CART_VALUE_NOT_MET].shortfall == D("100")
    daily = by_kind[Ineligibility.DAILY_LIMIT_REACHED]
    assert (daily.used, daily.limit, daily.resets_at) == (1, 1, NOW + timedelta(hours=12))
    assert (by_kind[Ineligibility.TOTAL_USAGE_LIMIT_REACHED].used, by_kind[Ineligibility.TOTAL_USAGE_LIMIT_REACHED].limit) \
        == (5, 5)
    # The apply reports the first, as before.
    assert evaluate(failing, CART, standing, NOW).code is ErrorCode.CAMPAIGN_NOT_ACTIVE


class TestBestCombination:
    @staticmethod
    def pick(cart, delivery):
        """Offers are (name, amount, priority, created, exclusive), in rank order."""
        key = lambda o: (-o[1], -o[2], o[3])  # noqa: E731
        chosen = best_combination(sorted(cart, key=key), sorted(delivery, key=key), key_of=key,
                                  amount_of=lambda o: o[1], exclusive_of=lambda o: o[4])
        return [o[0] for o in chosen.offers]

    def test_the_pair_against_an_exclusive_offer(self):
        cart = [("c1", D("50"), 0, 1, False), ("x", D("70"), 0, 2, True)]
        delivery = [("d1", D("10"), 0, 3, False)]
        assert self.pick(cart, delivery) == ["x"]  # 70 > 50 + 10
        assert self.pick(cart, [("d1", D("30"), 0, 3, False)]) == ["c1", "d1"]  # 80 > 70

    def test_a_tie_goes_to_priority_then_age(self):
        cart = [("pair", D("60"), 0, 1, False), ("x", D("60"), 1, 2, True)]
        assert self.pick(cart, []) == ["x"]
        cart = [("pair", D("60"), 0, 1, False), ("x", D("60"), 0, 2, True)]
        assert self.pick(cart, []) == ["pair"]

    def test_nothing(self):
        assert self.pick([], []) == []

    def test_exclusive_offers_never_join_the_pair(self):
        cart = [("x", D("90"), 0, 1, True), ("c", D("10"), 0, 2, False)]
        delivery = [("y", D("5"), 0, 3, True), ("d", D("85"), 0, 4, False)]
        assert self.pick(cart, delivery) == ["c", "d"]  # 95 beats 90 alone
