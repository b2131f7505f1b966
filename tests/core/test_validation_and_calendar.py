from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from graphql_api.core.calendar import business_day_bounds
from graphql_api.core.campaigns import DiscountType
from graphql_api.core.errors import ErrorCode
from graphql_api.core.validation import CampaignDraft, clean_customer, validate_campaign

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


def draft(**changes) -> CampaignDraft:
    values = dict(
        name="Sale", description=None, discount_type=DiscountType.CART, discount_percentage=Decimal("10"),
        discount_flat=None, start_date=NOW, end_date=NOW + timedelta(days=1), total_budget=Decimal("100"),
        max_usage_per_customer_per_day=1, min_cart_value=Decimal("0"), max_discount_amount=None,
        is_targeted=False, target_count=0,
    )
    values.update(changes)
    return CampaignDraft(**values)


def fields(errors):
    return [error.field[-1] for error in errors]


class TestCustomer:
    def test_normalizes_email_and_trims_name(self):
        cleaned, errors = clean_customer("  Alice@EXAMPLE.com ", "  Alice  ")
        assert errors == [] and cleaned.email == "Alice@example.com" and cleaned.name == "Alice"

    @pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "", "x" * 300 + "@example.com"])
    def test_refuses_malformed_email(self, email):
        cleaned, errors = clean_customer(email, "Name")
        assert cleaned is None and fields(errors) == ["email"]

    @pytest.mark.parametrize("name, ok", [("", False), ("   ", False), ("a", True), ("x" * 100, True),
                                          ("x" * 101, False), ("  " + "x" * 100 + "  ", True)])
    def test_name_length_after_trimming(self, name, ok):
        _, errors = clean_customer("a@example.com", name)
        assert (errors == []) is ok


class TestCampaign:
    def test_valid(self):
        assert validate_campaign(draft()) == []

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 256}, "name"),
            ({"discount_percentage": None}, "discount_percentage"),
            ({"discount_flat": Decimal("5")}, "discount_percentage"),
            ({"discount_percentage": Decimal("0")}, "discount_percentage"),
            ({"discount_percentage": Decimal("100.01")}, "discount_percentage"),
            ({"discount_percentage": None, "discount_flat": Decimal("0")}, "discount_flat"),
            ({"end_date": NOW}, "end_date"),
            ({"total_budget": Decimal("0")}, "total_budget"),
            ({"max_usage_per_customer_per_day": 0}, "max_usage_per_customer_per_day"),
            ({"min_cart_value": Decimal("-0.01")}, "min_cart_value"),
            ({"max_discount_amount": Decimal("0")}, "max_discount_amount"),
            ({"is_targeted": True}, "target_customer_ids"),
            ({"target_count": 1}, "target_customer_ids"),
            ({"total_budget": Decimal("50"), "used_budget": Decimal("50.01")}, "total_budget"),
            ({"name": None}, "name"),
        ],
    )
    def test_each_rule(self, changes, field):
        assert fields(validate_campaign(draft(**changes))) == [field]

    def test_boundaries_that_pass(self):
        assert validate_campaign(draft(discount_percentage=Decimal("100"), name="x" * 255,
                                       total_budget=Decimal("50"), used_budget=Decimal("50"),
                                       min_cart_value=Decimal("0"), is_targeted=True, target_count=1)) == []

    def test_reports_every_problem_at_once(self):
        errors = validate_campaign(draft(name="", total_budget=Decimal("0"), end_date=NOW))
        assert sorted(fields(errors)) == ["end_date", "name", "total_budget"]
        assert {error.code for error in errors} == {ErrorCode.INVALID_INPUT}


class TestBusinessDay:
    def test_utc(self):
        start, end = business_day_bounds(NOW, ZoneInfo("UTC"))
        assert start == datetime(2026, 6, 15, tzinfo=timezone.utc) and end - start == timedelta(days=1)

    def test_another_zone_moves_midnight(self):
        # 23:30 UTC on 14 June is 01:30 on 15 June in Berlin (UTC+2 in summer).
        start, end = business_day_bounds(datetime(2026, 6, 14, 23, 30, tzinfo=timezone.utc), ZoneInfo("Europe/Berlin"))
        assert start == datetime(2026, 6, 14, 22, 0, tzinfo=timezone.utc)
        assert end == datetime(2026, 6, 15, 22, 0, tzinfo=timezone.utc)

    def test_daylight_saving_days_are_23_and_25_hours(self):
        zone = ZoneInfo("America/New_York")
        spring_start, spring_end = business_day_bounds(datetime(2026, 3, 8, 12, tzinfo=timezone.utc), zone)
        autumn_start, autumn_end = business_day_bounds(datetime(2026, 11, 1, 12, tzinfo=timezone.utc), zone)
        assert spring_end - spring_start == timedelta(hours=23)
        assert autumn_end - autumn_start == timedelta(hours=25)
