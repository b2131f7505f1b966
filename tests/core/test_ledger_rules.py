"""The ledger's rules alone: reversals, thresholds and audit values."""

from datetime import datetime, timezone
from decimal import Decimal as D

import pytest

from graphql_api.core.audit import TARGETS_LISTED, api_text, field_changes, target_change
from graphql_api.core.errors import ErrorCode
from graphql_api.core.ledger import ReversalDecision, decide_reversal, fully_reversed, thresholds_crossed


@pytest.mark.parametrize("discount, reversed_, requested, expected", [
    ("10.00", "0.00", None, ("10.00", True)),
    ("10.00", "0.00", "9.99", ("9.99", False)),
    ("10.00", "9.99", "0.01", ("0.01", True)),
    ("10.00", "4.00", None, ("6.00", True)),
])
def test_a_reversal_gives_back_at_most_the_net_amount(discount, reversed_, requested, expected):
    decision = decide_reversal(D(discount), D(reversed_), D(requested) if requested else None)
    assert isinstance(decision, ReversalDecision)
    assert (str(decision.amount), decision.frees_usage) == expected


@pytest.mark.parametrize("reversed_, requested", [("0.00", "10.01"), ("9.99", "0.02"), ("10.00", None)])
def test_one_cent_more_than_the_net_amount_is_refused(reversed_, requested):
    refused = decide_reversal(D("10.00"), D(reversed_), D(requested) if requested else None)
    assert refused.code is ErrorCode.REVERSAL_EXCEEDS_USAGE


def test_only_a_full_reversal_stops_a_usage_counting():
    assert fully_reversed(D("10.00"), D("10.00")) and not fully_reversed(D("10.00"), D("9.99"))


@pytest.mark.parametrize("before, after, crossed", [
    ("0", "49.99", []), ("49.99", "50", [50]), ("50", "79.99", []), ("0", "100", [50, 80, 95, 100]),
    ("96", "60", []), ("60", "96", [80, 95]), ("100", "100", []),
])
def test_thresholds_are_crossed_upward_only(before, after, crossed):
    assert thresholds_crossed(D(before), D("100"), D(after), D("100")) == crossed


def test_a_lower_total_budget_crosses_thresholds_at_the_same_used_budget():
    assert thresholds_crossed(D("40"), D("100"), D("40"), D("50")) == [50, 80]
    assert thresholds_crossed(D("40"), D("50"), D("40"), D("100")) == []


def test_audit_values_are_written_as_the_api_writes_them():
    moment = datetime(2026, 6, 15, 14, 0, tzinfo=timezone.utc)
    assert [api_text(v) for v in (D("12.5"), True, None, 3, moment)] == \
        ["12.50", "true", None, "3", "2026-06-15T14:00:00+00:00"]
    assert field_changes({"a": D("1"), "b": 1}, {"a": D("1.00"), "b": 2}, ["a", "b"]) == \
        [{"field": "b", "before": "1", "after": "2"}]


def test_many_targets_are_counted_not_listed():
    many = list(range(TARGETS_LISTED + 1))
    assert target_change([1, 2], many) == {"field": "target_customer_ids", "before": [1, 2],
                                           "after": f"{TARGETS_LISTED + 1} customers"}
