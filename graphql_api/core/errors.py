"""Error codes shared by every layer, and the two ways a rule can fail."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional, Sequence


class ErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    CAMPAIGN_NOT_ACTIVE = "CAMPAIGN_NOT_ACTIVE"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"
    MIN_CART_VALUE_NOT_MET = "MIN_CART_VALUE_NOT_MET"
    NOT_TARGETED = "NOT_TARGETED"
    DAILY_LIMIT_REACHED = "DAILY_LIMIT_REACHED"
    NOTHING_TO_DISCOUNT = "NOTHING_TO_DISCOUNT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_COUPON_CODE = "INVALID_COUPON_CODE"
    CUSTOMER_LIMIT_REACHED = "CUSTOMER_LIMIT_REACHED"
    TOTAL_USAGE_LIMIT_REACHED = "TOTAL_USAGE_LIMIT_REACHED"
    NOT_COMBINABLE = "NOT_COMBINABLE"
    CODE_TAKEN = "CODE_TAKEN"
    NO_DISCOUNT_APPLIES = "NO_DISCOUNT_APPLIES"
    REVERSAL_EXCEEDS_USAGE = "REVERSAL_EXCEEDS_USAGE"
    EXTERNAL_ID_TAKEN = "EXTERNAL_ID_TAKEN"


# What a reference to nothing is told, one sentence per kind of object.
NO_SUCH_CUSTOMER = "No such customer."
NO_SUCH_CAMPAIGN = "No such campaign."
NO_SUCH_USAGE = "No such discount usage."


@dataclass(frozen=True)
class UserError:
    """One problem with a mutation's input or with a business rule."""

    code: ErrorCode
    message: str
    field: Optional[tuple[str, ...]] = None


class DomainError(Exception):
    """A rule failure that ends a query (reported as a top-level GraphQL error)."""

    def __init__(self, code: ErrorCode, message: str, field: Optional[Sequence[str]] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = tuple(field) if field is not None else None


class InvalidInput(DomainError):
    def __init__(self, message: str, field: Optional[Sequence[str]] = None):
        super().__init__(ErrorCode.INVALID_INPUT, message, field)


class NotFound(DomainError):
    def __init__(self, message: str, field: Optional[Sequence[str]] = None):
        super().__init__(ErrorCode.NOT_FOUND, message, field)
