"""The contract's `Decimal` and `DateTime` scalars."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode

from ..core.errors import InvalidInput
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
    return value.astimezone(timezone.utc).isoformat()


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > _MAX_DATETIME_LENGTH:
        raise InvalidInput("DateTime must be an RFC 3339 string such as 2026-11-26T10:30:00+00:00.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)  # the contract: no offset means UTC
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidInput(
            "DateTime must be an RFC 3339 string such as 2026-11-26T10:30:00+00:00."
        ) from None


def _parse_datetime_literal(node, _variables=None) -> datetime:
    if isinstance(node, StringValueNode):
        return _parse_datetime(node.value)
    raise InvalidInput("DateTime must be given as a string.")


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description=(
        "An RFC 3339 date and time, always with an offset on output (UTC). An input "
        "without an offset is taken as UTC."
    ),
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
    parse_literal=_parse_datetime_literal,
)

SCALAR_MAP = {Decimal: DecimalScalar, datetime: DateTimeScalar}
