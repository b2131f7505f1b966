"""Input rules for customers and campaigns.

Each function returns every problem it finds, so that a client fixes its input
in one round trip; an empty list means the input is valid. A problem names
its field as the domain does, e.g. ("end_date",); the GraphQL layer maps it
to where the client sent it (["input", "endDate"]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping, Optional

from email_validator import EmailNotValidError, validate_email

from .campaigns import MAX_BUDGET_SLOTS, MIN_BUDGET_SLOTS, DiscountType
from .discounts import Cart
from .errors import ErrorCode, UserError
from .money import ZERO

NAME_MAX_LENGTH = 100
CAMPAIGN_NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 2000
EMAIL_MAX_LENGTH = 254
MAX_TARGETS_PER_CAMPAIGN = 10_000
IDEMPOTENCY_KEY_MAX_LENGTH = 255
ORDER_REFERENCE_MAX_LENGTH = 255
EXTERNAL_ID_MAX_LENGTH = 255
REASON_MAX_LENGTH = 255


def _invalid(path: tuple[str, ...], message: str) -> UserError:
    return UserError(code=ErrorCode.INVALID_INPUT, message=message, field=path)


def _has_nul(text: Optional[str]) -> bool:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    return text is not None and "\x00" in text


# --- customers ---------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFields:
    email: str
    name: str
    external_id: Optional[str] = None


def clean_email(email: str) -> tuple[Optional[str], list[UserError]]:
    """The address as email-validator normalizes it."""
    if len(email) > EMAIL_MAX_LENGTH + 2:  # leave room for surrounding blanks
        return None, [_invalid(("email",), "Enter a valid email address.")]
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized, []
    except EmailNotValidError as error:
        return None, [_invalid(("email",), f"Enter a valid email address: {error}")]


def clean_name(name: str) -> tuple[Optional[str], list[UserError]]:
    trimmed_name = name.strip()
    if _has_nul(trimmed_name):
        return None, [_invalid(("name",), "The name may not contain NUL characters.")]
    if not 1 <= len(trimmed_name) <= NAME_MAX_LENGTH:
        return None, [_invalid(("name",), f"The name must be 1 to {NAME_MAX_LENGTH} characters long.")]
    return trimmed_name, []


def external_id_errors(external_id: Optional[str]) -> list[UserError]:
    """The shop's own id, kept exactly as given (no trimming, no case folding)."""
    if external_id is not None and (_has_nul(external_id) or not 1 <= len(external_id) <= EXTERNAL_ID_MAX_LENGTH):
        return [_invalid(("external_id",),
                         f"externalId must be 1 to {EXTERNAL_ID_MAX_LENGTH} characters long, without NUL.")]
    return []


def clean_customer(email: str, name: str,
                   external_id: Optional[str] = None) -> tuple[Optional[CustomerFields], list[UserError]]:
    """Normalize the email as email-validator does and trim the name."""
    normalized_email, errors = clean_email(email)
    trimmed_name, name_errors = clean_name(name)
    errors += name_errors + external_id_errors(external_id)
    if errors or normalized_email is None or trimmed_name is None:
        return None, errors
    return CustomerFields(email=normalized_email, name=trimmed_name, external_id=external_id), []


def clean_customer_patch(patch: Mapping[str, Any]) -> tuple[dict[str, Any], list[UserError]]:
    """The fields an update gives (absent: unchanged), cleaned. The email and
    the name may not be null; a null externalId clears it."""
    cleaned: dict[str, Any] = {}
    errors: list[UserError] = []
    for field, clean in (("email", clean_email), ("name", clean_name)):
        if field not in patch:
            continue
        if patch[field] is None:
            errors.append(_invalid((field,), f"{field} may not be null."))
            continue
        value, field_errors = clean(patch[field])
        errors += field_errors
        cleaned[field] = value
    if "external_id" in patch:
        errors += external_id_errors(patch["external_id"])
        cleaned["external_id"] = patch["external_id"]
    return (cleaned, []) if not errors else ({}, errors)


# --- campaigns ---------------------------------------------------------------


@dataclass
class CampaignDraft:
    """A campaign as it would be stored: for an update, the stored campaign with
    the given fields laid over it. `None` in a required field means the client
    sent an explicit null."""

    name: Optional[str]
    description: Optional[str]
    discount_type: Optional[DiscountType]
    discount_percentage: Optional[Decimal]
    discount_flat: Optional[Decimal]
    start_date: Optional[datetime]
    end_date: Optional[datetime]
    total_budget: Optional[Decimal]
    max_usage_per_customer_per_day: Optional[int]
    min_cart_value: Optional[Decimal]
    max_discount_amount: Optional[Decimal]
    is_targeted: Optional[bool]
    target_count: int
    used_budget: Decimal = ZERO
    requires_code: Optional[bool] = False
    max_usage_per_customer: Optional[int] = None
    max_total_usage: Optional[int] = None
    exclusive: Optional[bool] = False
    priority: Optional[int] = 0
    usage_count: int = 0
    budget_slots: Optional[int] = 1


def validate_campaign(draft: CampaignDraft) -> list[UserError]:
    errors: list[UserError] = []

    def required(value: object, field: str, label: str) -> bool:
        if value is None:
            errors.append(_invalid((field,), f"{label} may not be null."))
            return False
        return True

    if required(draft.name, "name", "name"):
        assert draft.name is not None
        if _has_nul(draft.name):
            errors.append(_invalid(("name",), "The name may not contain NUL characters."))
        elif not 1 <= len(draft.name.strip()) <= CAMPAIGN_NAME_MAX_LENGTH:
            errors.append(
                _invalid(
                    ("name",),
                    f"The name must be 1 to {CAMPAIGN_NAME_MAX_LENGTH} characters long.",
                )
            )
    if _has_nul(draft.description):
        errors.append(_invalid(("description",), "The description may not contain NUL characters."))
    elif draft.description is not None and len(draft.description) > DESCRIPTION_MAX_LENGTH:
        errors.append(
            _invalid(
                ("description",),
                f"The description may be at most {DESCRIPTION_MAX_LENGTH} characters long.",
            )
        )
    required(draft.discount_type, "discount_type", "discountType")
    errors.extend(_discount_kind_errors(draft))

    if required(draft.start_date, "start_date", "startDate") and \
            required(draft.end_date, "end_date", "endDate"):
        assert draft.start_date is not None and draft.end_date is not None
        if not draft.start_date < draft.end_date:
            errors.append(_invalid(("end_date",), "endDate must be after startDate."))
    if required(draft.total_budget, "total_budget", "totalBudget"):
        assert draft.total_budget is not None
        if draft.total_budget <= ZERO:
            errors.append(_invalid(("total_budget",), "totalBudget must be greater than 0."))
        elif draft.total_budget < draft.used_budget:
            errors.append(
                _invalid(
                    ("total_budget",),
                    f"totalBudget may not be below the budget already used ({draft.used_budget}).",
                )
            )
    if required(draft.max_usage_per_customer_per_day, "max_usage_per_customer_per_day",
                "maxUsagePerCustomerPerDay"):
        assert draft.max_usage_per_customer_per_day is not None
        if draft.max_usage_per_customer_per_day < 1:
            errors.append(
                _invalid(
                    ("max_usage_per_customer_per_day",),
                    "maxUsagePerCustomerPerDay must be at least 1.",
                )
            )
    if required(draft.min_cart_value, "min_cart_value", "minCartValue"):
        assert draft.min_cart_value is not None
        if draft.min_cart_value < ZERO:
            errors.append(_invalid(("min_cart_value",), "minCartValue may not be negative."))
    if draft.max_discount_amount is not None and draft.max_discount_amount <= ZERO:
        errors.append(
            _invalid(("max_discount_amount",), "maxDiscountAmount must be greater than 0.")
        )
    if required(draft.is_targeted, "is_targeted", "isTargeted"):
        errors.extend(_targeting_errors(draft))
    required(draft.requires_code, "requires_code", "requiresCode")
    required(draft.exclusive, "exclusive", "exclusive")
    required(draft.priority, "priority", "priority")
    if draft.max_usage_per_customer is not None and draft.max_usage_per_customer < 1:
        errors.append(_invalid(("max_usage_per_customer",), "maxUsagePerCustomer must be at least 1, or null."))
    if draft.max_total_usage is not None:
        if draft.max_total_usage < 1:
            errors.append(_invalid(("max_total_usage",), "maxTotalUsage must be at least 1, or null."))
        elif draft.max_total_usage < draft.usage_count:
            errors.append(_invalid(("max_total_usage",),
                                   f"maxTotalUsage may not be below the uses so far ({draft.usage_count})."))
    if draft.priority is not None and not -1_000_000 <= draft.priority <= 1_000_000:
        errors.append(_invalid(("priority",), "priority must be between -1000000 and 1000000."))
    if required(draft.budget_slots, "budget_slots", "budgetSlots"):
        assert draft.budget_slots is not None
        if not MIN_BUDGET_SLOTS <= draft.budget_slots <= MAX_BUDGET_SLOTS:
            errors.append(_invalid(("budget_slots",),
                                   f"budgetSlots must be between {MIN_BUDGET_SLOTS} and {MAX_BUDGET_SLOTS}."))
    return errors


def _discount_kind_errors(draft: CampaignDraft) -> list[UserError]:
    percentage, flat = draft.discount_percentage, draft.discount_flat
    if (percentage is None) == (flat is None):
        return [
            _invalid(
                ("discount_percentage",),
                "Give exactly one of discountPercentage and discountFlat "
                "(to switch kinds in an update, set the other one to null).",
            )
        ]
    if percentage is not None and not ZERO < percentage <= Decimal(100):
        return [
            _invalid(
                ("discount_percentage",),
                "discountPercentage must be greater than 0 and at most 100.",
            )
        ]
    if flat is not None and flat <= ZERO:
        return [_invalid(("discount_flat",), "discountFlat must be greater than 0.")]
    return []


def _targeting_errors(draft: CampaignDraft) -> list[UserError]:
    path = ("target_customer_ids",)
    if draft.is_targeted and draft.target_count == 0:
        return [_invalid(path, "A targeted campaign needs at least one target customer.")]
    if not draft.is_targeted and draft.target_count > 0:
        return [_invalid(path, "targetCustomerIds is only allowed on a targeted campaign.")]
    if draft.target_count > MAX_TARGETS_PER_CAMPAIGN:
        return [
            _invalid(path, f"A campaign may target at most {MAX_TARGETS_PER_CAMPAIGN} customers.")
        ]
    return []


def idempotency_key_errors(key: Optional[str]) -> list[UserError]:
    if key is not None and (_has_nul(key) or not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH):
        return [
            _invalid(
                ("idempotency_key",),
                f"idempotencyKey must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters long, without NUL.",
            )
        ]
    return []


def reason_errors(reason: str) -> list[UserError]:
    """A reversal's reason, for the books: 1-255 characters after trimming."""
    stripped = reason.strip()
    if _has_nul(stripped):
        return [_invalid(("reason",), "The reason may not contain NUL characters.")]
    if not 1 <= len(stripped) <= REASON_MAX_LENGTH:
        return [_invalid(("reason",), f"The reason must be 1 to {REASON_MAX_LENGTH} characters long.")]
    return []


def cart_errors(cart: Cart) -> list[UserError]:
    """The one check of a cart, for the offers query and the apply alike."""
    errors = []
    if cart.cart_value < ZERO:
        errors.append(_invalid(("cart_value",), "cartValue may not be negative."))
    if cart.delivery_charge < ZERO:
        errors.append(_invalid(("delivery_charge",), "deliveryCharge may not be negative."))
    return errors


def order_reference_errors(reference: Optional[str], field: str = "order_reference") -> list[UserError]:
    if reference is not None and (_has_nul(reference) or not 1 <= len(reference) <= ORDER_REFERENCE_MAX_LENGTH):
        return [_invalid((field,), f"orderReference must be 1 to {ORDER_REFERENCE_MAX_LENGTH} characters long, "
                                   "without NUL.")]
    return []
