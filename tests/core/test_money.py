from decimal import Decimal

import pytest

from graphql_api.core.money import MAX_AMOUNT, MoneyError, format_amount, parse_amount, round_to_cents


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("600", Decimal("600.00")),
        ("600.5", Decimal("600.50")),
        ("0.10", Decimal("0.10")),
        (" 12.34 ", Decimal("12.34")),
        (0.1, Decimal("0.10")),
        (600, Decimal("600.00")),
        ("1.230", Decimal("1.23")),  # the value fits in cents
        ("-5", Decimal("-5.00")),  # the sign is the field's business
        (str(MAX_AMOUNT), MAX_AMOUNT),
    ],
)
def test_parses_exact_amounts(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["1.234", "0.001", "NaN", "nan", "Infinity", "-inf", "sNaN", "", "abc", "1e999999999", "1e-999999999", "-1e999999999", "1" * 41,
     True, None, [], "10000000000.00", -10000000000, 1e300],
)
def test_refuses_what_is_not_an_exact_amount(raw):
    with pytest.raises(MoneyError):
        parse_amount(raw)


def test_float_input_is_read_through_its_shortest_decimal_form():
    assert parse_amount(0.3) == Decimal("0.30")
    with pytest.raises(MoneyError):  # binary noise is refused, never silently rounded
        parse_amount(0.1 + 0.2)


@pytest.mark.parametrize(
    "value, expected",
    [("10.005", "10.01"), ("10.004", "10.00"), ("0.125", "0.13"), ("2.675", "2.68"), ("-0.005", "-0.01")],
)
def test_rounds_half_up_to_cents(value, expected):
    assert round_to_cents(Decimal(value)) == Decimal(expected)


def test_formats_with_two_digits_and_no_exponent():
    assert format_amount(Decimal("210")) == "210.00"
    assert format_amount(Decimal("1E+3")) == "1000.00"
    assert format_amount(Decimal("0")) == "0.00"
