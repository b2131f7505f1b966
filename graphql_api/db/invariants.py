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
            """
            SELECT c.id, c.used_budget, c.total_budget, coalesce(sum(u.discount_amount), 0) AS usage_sum
            FROM campaigns c LEFT JOIN discount_usages u ON u.campaign_id = c.id
            GROUP BY c.id
            HAVING c.used_budget < 0 OR c.used_budget > c.total_budget
                OR c.used_budget <> coalesce(sum(u.discount_amount), 0)
            ORDER BY c.id
            """
        )
    ).all()
    for row in budgets:
        violations.append(
            Violation(
                "budget",
                f"campaign {row.id}: used_budget {row.used_budget}, total_budget {row.total_budget}, "
                f"sum of usages {row.usage_sum}",
            )
        )
    # Each usage against the limit it was applied under: counting the
    # customer's usages of the campaign that business day up to and including
    # it (in id order, the order the customer's row lock applied them), the
    # count may not exceed that limit. A limit lowered later breaks nothing.
    # Usages recorded without their limit are judged by the campaign's.
    over_limit = session.execute(
        text(
            """
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
    return violations
