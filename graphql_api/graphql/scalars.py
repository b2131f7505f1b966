"""The contract's `Decimal` and `DateTime` scalars."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode

from ..core.errors import InvalidInput
from ..core.calendar import format_instant
from ..core.money import MoneyError, format_amount, parse_amount

_MAX_DATETIME_LENGTH = 64


def _parse_decimal(value: object) -> Decimal:
    try:
        return parse_amount(value)  # type: ignore[arg-type]
    except MoneyError as error:
        raise InvalidInput(f"Decimal {error}.") from None


def _parse_decimal_literal(node, _variables=None) -> Decimal:
    if isinstance(node, (IntValueNode, FloatValueNode, StringValueNode)):
        return _parse_decimal(node.value)
    raise InvalidInput("Decimal must be given as a string or a number.")


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description=(
        "An exact decimal amount, serialized as a string with two fraction digits "
        '("210.00"). Input may be a string or a number with at most two fraction '
        "digits; NaN and infinities are refused."
    ),
    serialize=format_amount,
    parse_value=_parse_decimal,
    parse_literal=_parse_decimal_literal,
)


def _serialize_datetime(value: datetime) -> str:
    return format_instant(value)


# RFC 3339's date-time, with its offset optional. datetime.fromisoformat alone
# would take a date without a time as midnight, and other ISO 8601 forms too.
_RFC3339_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
_DATETIME_FORMAT = "DateTime must be an RFC 3339 date and time such as 2026-11-26T10:30:00+00:00."


def _parse_datetime(value: object) -> datetime:
    too_long = not isinstance(value, str) or len(value) > _MAX_DATETIME_LENGTH
    shape = None if too_long else _RFC3339_DATETIME.fullmatch(value)
    if shape is None:
        raise InvalidInput(_DATETIME_FORMAT)
    date, time, offset = shape.groups()
    offset = "+00:00" if offset in (None, "Z", "z") else offset  # the contract: no offset means UTC
    try:
        return datetime.fromisoformat(f"{date}T{time}{offset}").astimezone(timezone.utc)
    except (ValueError, OverflowError):  # a month 13, a second 60, a year out of range
        raise InvalidInput(_DATETIME_FORMAT) from None


def _parse_datetime_literal(node, _variables=None) -> datetime:
    if isinstance(node, StringValueNode):
        return _parse_datetime(node.value)
    raise InvalidInput("DateTime must be given as a string.")


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description=(
        "An RFC 3339 date and time: the date, a 'T' (or 't', or a space), the time with "
        "seconds and an optional fraction, then an optional offset ('Z' or +hh:mm / -hh:mm), "
        'e.g. "2026-11-26T10:30:00+00:00". An input without an offset is taken as UTC; a '
        "date without a time is refused. Output is always in UTC, with its offset."
    ),
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
    parse_literal=_parse_datetime_literal,
)

SCALAR_MAP = {Decimal: DecimalScalar, datetime: DateTimeScalar}
