"""Exact money: parsing, rounding and formatting of amounts.

Amounts are `Decimal` everywhere and `NUMERIC(12, 2)` in the database; a binary
float never holds money. JSON numbers arriving as floats are converted through
their shortest decimal representation, so `0.1` becomes `Decimal("0.1")`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Union

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount NUMERIC(12, 2) holds; anything above it is refused as input
# instead of failing inside the database.
MAX_AMOUNT = Decimal("9999999999.99")
# Guards Decimal() against pathological literals such as "1e999999999" padded out.
_MAX_LITERAL_LENGTH = 40


class MoneyError(ValueError):
    """A value that is not an exact amount of cents within range."""


def parse_amount(value: Union[str, int, float, Decimal]) -> Decimal:
    """Turn a string, int, float or Decimal into an exact amount of cents.

    Refuses booleans, NaN, infinities, values with fractions of a cent and values
    beyond `MAX_AMOUNT` in either direction. The sign is left to the caller,
    because whether a negative is allowed depends on the field.
    """
    if isinstance(value, bool):
        raise MoneyError("must be a decimal number, not a boolean")
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise MoneyError("must be a decimal number given as a string or a number")
    if not text or len(text) > _MAX_LITERAL_LENGTH:
        raise MoneyError("must be a decimal number such as \"12.50\"")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError("must be a decimal number such as \"12.50\"") from None
    if not amount.is_finite():
        raise MoneyError("must be a finite decimal number")
    if amount.copy_abs() > MAX_AMOUNT:  # copy_abs: no context, so no Overflow
        raise MoneyError(f"must be at most {MAX_AMOUNT} in absolute value")
    if amount != amount.quantize(CENT):
        raise MoneyError("must have at most two fraction digits")
    return amount.quantize(CENT)


def round_to_cents(value: Decimal) -> Decimal:
    """Half-up to cents: the one rounding rule of the service."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """Two fraction digits, never exponent notation: `Decimal("210")` -> `"210.00"`."""
    return f"{value.quantize(CENT):f}"


def format_percentage(value: Decimal) -> str:
    """A percentage without trailing zeros: 35.00 -> "35", 12.50 -> "12.5"."""
    text = f"{value.quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
