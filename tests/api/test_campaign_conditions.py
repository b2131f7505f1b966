"""The campaign rules rendered to SQL from their one definition
(core/campaigns.py): the live window keeps the form of its index's
predicate, and the status CASE has a branch per rule, in their order."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql

from graphql_api.campaigns.conditions import NOT_DELETED_SQL, live_window, status_expression
from graphql_api.core.campaigns import STATUS_RULES


def sql(expression) -> str:
    return str(expression.compile(dialect=postgresql.dialect()))


def test_the_live_window_is_what_its_index_predicate_matches():
    rendered = sql(live_window(bindparam("now")))
    assert rendered.startswith("campaigns.deleted_at IS NULL AND NOT campaigns.paused AND "), rendered
    assert "campaigns.start_date <= %(now)s" in rendered and "campaigns.end_date >= %(now)s" in rendered


def test_the_status_has_one_branch_per_rule_in_order():
    expression = status_expression(datetime(2026, 1, 1, tzinfo=timezone.utc))
    rendered = sql(expression)
    assert len(expression.whens) == len(STATUS_RULES) and " ELSE " in rendered
    # The budget rule reads the true used budget (the pool's in the normal mode, less the slots' otherwise).
    assert "campaign_budget_slots.budget" in rendered
    assert rendered.index("campaigns.paused OR campaigns.deleted_at IS NOT NULL") < rendered.index("end_date <")
    assert sql(NOT_DELETED_SQL) == "campaigns.deleted_at IS NULL"
