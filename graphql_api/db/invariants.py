"""Whole-database checks of the promises the service makes about money.

Run by `campaign-service check` and at the end of the fault tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str


def find_violations(session: Session, zone: tzinfo) -> list[Violation]:
    violations = []
    budgets = session.execute(
        text(
            f"""
            SELECT c.id, c.used_budget, c.total_budget, u.usage_sum, r.reversal_sum
            FROM {_CAMPAIGNS} c
            CROSS JOIN LATERAL (SELECT coalesce(sum(discount_amount), 0) AS usage_sum
                                FROM discount_usages WHERE campaign_id = c.id) u
            CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS reversal_sum
                                FROM discount_reversals WHERE campaign_id = c.id) r
            WHERE c.used_budget < 0 OR c.used_budget > c.total_budget
               OR c.used_budget <> u.usage_sum - r.reversal_sum
            ORDER BY c.id
            """
        )
    ).all()
    for row in budgets:
        violations.append(
            Violation(
                "budget",
                f"campaign {row.id}: used_budget {row.used_budget}, total_budget {row.total_budget}, "
                f"sum of usages {row.usage_sum}, sum of reversals {row.reversal_sum}",
            )
        )
    # Each usage against the limit it was applied under: counting the
    # customer's usages of the campaign that business day up to and including
    # it (in id order, the order the customer's row lock applied them), the
    # count may not exceed that limit. A limit lowered later breaks nothing.
    # Usages recorded without their limit are judged by the campaign's. A
    # fully reversed usage counts toward no limit.
    over_limit = session.execute(
        text(
            f"""
            SELECT DISTINCT ON (campaign_id, customer_id, day) campaign_id, customer_id, day,
                   day_total AS usages, day_limit
            FROM (
                SELECT u.campaign_id, u.customer_id, (u.used_at AT TIME ZONE :zone)::date AS day,
                       coalesce(u.daily_limit_at_apply, c.max_usage_per_customer_per_day) AS day_limit,
                       row_number() OVER (PARTITION BY u.campaign_id, u.customer_id,
                                          (u.used_at AT TIME ZONE :zone)::date ORDER BY u.id) AS nth,
                       count(*) OVER (PARTITION BY u.campaign_id, u.customer_id,
                                      (u.used_at AT TIME ZONE :zone)::date) AS day_total
                FROM discount_usages u JOIN campaigns c ON c.id = u.campaign_id
                WHERE {_COUNTS}
            ) numbered
            WHERE nth > day_limit
            ORDER BY campaign_id, customer_id, day, nth
            """
        ),
        {"zone": str(zone)},
    ).all()
    for row in over_limit:
        violations.append(
            Violation(
                "daily_limit",
                f"campaign {row.campaign_id}, customer {row.customer_id}, {row.day}: "
                f"{row.usages} usages, limit {row.day_limit}",
            )
        )
    violations += _checkout_violations(session)
    return violations


def _counted(alias: str) -> str:
    """core.campaigns.USAGE_COUNTS for the usages aliased `alias`, as SQL text."""
    from ..campaigns.conditions import usage_counts
    from ..discounts.models import DiscountUsage

    return str(usage_counts(DiscountUsage.__table__.alias(alias)).compile(compile_kwargs={"literal_binds": True}))


_COUNTS = _counted("u")


def _true_figures() -> str:
    """The campaigns with their true used budget and usage count (in
    hot-campaign mode, the pool's less what the slots hold), as SQL text."""
    from sqlalchemy import select

    from ..campaigns.models import Campaign
    from ..campaigns.slots import USAGE_COUNT, USED_BUDGET

    query = select(Campaign.id, Campaign.total_budget, Campaign.max_total_usage, Campaign.budget_slots,
                   Campaign.revision, Campaign.deleted_at, USED_BUDGET, USAGE_COUNT)
    return f"({query.compile(compile_kwargs={'literal_binds': True})})"


_CAMPAIGNS = _true_figures()


def _checkout_violations(session: Session) -> list[Violation]:
    """The counters the applies keep, the caps, and the order rule."""
    checks = {
        "usage_count": f"""
            SELECT c.id, c.usage_count, count(u.id) AS counted FROM {_CAMPAIGNS} c
            LEFT JOIN discount_usages u ON u.campaign_id = c.id AND {_COUNTS}
            GROUP BY c.id, c.usage_count, c.max_total_usage
            HAVING c.usage_count <> count(u.id) OR c.usage_count > coalesce(c.max_total_usage, c.usage_count)
            ORDER BY c.id""",
        "code_uses": f"""
            SELECT k.code, k.usage_count, k.uses_per_code, count(u.id) AS counted FROM coupon_codes k
            LEFT JOIN discount_usages u ON u.coupon_code = k.code AND {_COUNTS}
            GROUP BY k.id HAVING k.usage_count <> count(u.id) OR count(u.id) > coalesce(k.uses_per_code, count(u.id))
            ORDER BY k.id""",
        # Each usage against the lifetime cap it was applied under, in the
        # order the customer's row lock applied them.
        "customer_limit": f"""
            SELECT campaign_id, customer_id, nth, customer_limit_at_apply FROM (
                SELECT u.campaign_id, u.customer_id, u.customer_limit_at_apply,
                       row_number() OVER (PARTITION BY u.campaign_id, u.customer_id ORDER BY u.id) AS nth
                FROM discount_usages u WHERE {_COUNTS}) numbered
            WHERE nth > customer_limit_at_apply ORDER BY campaign_id, customer_id, nth""",
        # Hot-campaign mode: slots only below the campaign's count, none in
        # the normal mode, uses lent only under a cap, and nothing lent
        # under a revision but the campaign's own (an edit lends anew).
        "budget_slots": f"""
            SELECT s.campaign_id, s.slot, s.budget, s.uses, s.revision FROM campaign_budget_slots s
            JOIN {_CAMPAIGNS} c ON c.id = s.campaign_id
            WHERE s.slot >= c.budget_slots OR (c.budget_slots = 1 AND (s.budget <> 0 OR s.uses <> 0))
               OR (c.max_total_usage IS NOT NULL AND s.uses < 0)
               OR (s.budget > 0 AND (s.revision <> c.revision OR c.deleted_at IS NOT NULL))
            ORDER BY s.campaign_id, s.slot""",
        # The ledger: a usage's reversed amount is the sum of its reversals.
        "reversals": """
            SELECT u.id AS usage_id, u.reversed_amount, coalesce(sum(r.amount), 0) AS reversal_sum
            FROM discount_usages u LEFT JOIN discount_reversals r ON r.usage_id = u.id
            GROUP BY u.id HAVING u.reversed_amount <> coalesce(sum(r.amount), 0)
                OR bool_or(r.campaign_id <> u.campaign_id)
            ORDER BY u.id""",
        "order": f"""
            SELECT u.order_reference, count(*) FILTER (WHERE u.discount_type = 'CART') AS cart,
                   count(*) FILTER (WHERE u.discount_type = 'DELIVERY') AS delivery,
                   count(*) FILTER (WHERE u.exclusive) AS exclusive, count(*) AS usages
            FROM discount_usages u WHERE u.order_reference IS NOT NULL AND {_COUNTS}
            GROUP BY u.order_reference
            HAVING count(*) FILTER (WHERE u.discount_type = 'CART') > 1
                OR count(*) FILTER (WHERE u.discount_type = 'DELIVERY') > 1
                OR (count(*) FILTER (WHERE u.exclusive) > 0 AND count(*) > 1)
            ORDER BY u.order_reference""",
    }
    violations = []
    for kind, query in checks.items():
        for row in session.execute(text(query)):
            violations.append(Violation(kind, ", ".join(f"{key} {value}" for key, value in row._mapping.items())))
    return violations
