"""Business events, one log line each on `graphql_api.events`, with ids and
amounts (database ids, as `campaign-service check` prints them). Never API
keys, never email addresses."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Iterable, Optional

from . import metrics
from .logs import EVENTS

log = logging.getLogger(EVENTS)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def customer_created(customer_id: int) -> None:
    log.info("customer created", extra={"event": "customer.created", "customer_id": customer_id})


def campaign_created(campaign_id: int, discount_type: str, total_budget: Decimal) -> None:
    log.info("campaign created", extra={
        "event": "campaign.created", "campaign_id": campaign_id, "discount_type": discount_type,
        "total_budget": _amount(total_budget),
    })


def campaign_changed(campaign_id: int, fields: Iterable[str]) -> None:
    log.info("campaign changed", extra={"event": "campaign.changed", "campaign_id": campaign_id, "fields": sorted(fields)})


def campaign_deleted(campaign_id: int) -> None:
    log.info("campaign deleted", extra={"event": "campaign.deleted", "campaign_id": campaign_id})


def discount_applied(usage_id: int, campaign_id: int, customer_id: int, discount_type: str,
                     original_amount: Decimal, discount_amount: Decimal) -> None:
    metrics.applies("applied").inc()
    metrics.amount_applied(discount_type).inc(float(discount_amount))
    log.info("discount applied", extra={
        "event": "discount.applied", "usage_id": usage_id, "campaign_id": campaign_id, "customer_id": customer_id,
        "discount_type": discount_type, "original_amount": _amount(original_amount),
        "discount_amount": _amount(discount_amount),
    })


def discount_refused(campaign_id: Optional[int], customer_id: Optional[int], code: str) -> None:
    metrics.applies(code).inc()
    log.info("discount refused", extra={
        "event": "discount.refused", "campaign_id": campaign_id, "customer_id": customer_id, "reason": code,
    })


def budget_exhausted(campaign_id: int, total_budget: Decimal) -> None:
    log.info("campaign budget exhausted", extra={
        "event": "campaign.budget_exhausted", "campaign_id": campaign_id, "total_budget": _amount(total_budget),
    })


def codes_added(campaign_id: int, count: int) -> None:
    log.info("coupon codes added", extra={"event": "campaign.codes_added", "campaign_id": campaign_id, "count": count})


def discount_reversed(reversal_id: int, usage_id: int, campaign_id: int, amount: Decimal, full: bool) -> None:
    metrics.reversals("full" if full else "partial").inc()
    log.info("discount reversed", extra={
        "event": "discount.reversed", "reversal_id": reversal_id, "usage_id": usage_id, "campaign_id": campaign_id,
        "amount": _amount(amount), "full": full,
    })


def customer_changed(customer_id: int, fields: Iterable[str]) -> None:
    log.info("customer changed", extra={"event": "customer.changed", "customer_id": customer_id,
                                        "fields": sorted(fields)})


def customer_erased(customer_id: int) -> None:
    log.info("customer erased", extra={"event": "customer.erased", "customer_id": customer_id})
