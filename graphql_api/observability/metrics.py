"""Prometheus metrics. With several worker processes, PROMETHEUS_MULTIPROC_DIR
(set by `serve --workers N`) makes every process write its samples there and
/metrics add them up."""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import select
from sqlalchemy.orm import Session

REQUESTS = Counter(
    "campaign_graphql_requests_total", "GraphQL requests by operation and outcome.",
    ["operation_name", "operation_type", "outcome"],
)
LATENCY = Histogram(
    "campaign_graphql_request_duration_seconds", "GraphQL request latency by operation and outcome.",
    ["operation_name", "outcome"],
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
APPLIES = Counter("campaign_discount_applies_total", "applyDiscount attempts by outcome (applied or a refusal code).", ["outcome"])
AMOUNT_APPLIED = Counter("campaign_discount_amount_applied_total", "Money discounted by applied usages.", ["discount_type"])
SUBSCRIPTIONS = Gauge("campaign_subscriptions_active", "Subscriptions running on open sockets.",
                      multiprocess_mode="livesum")
SUBSCRIPTION_MESSAGES = Counter("campaign_subscription_messages_total",
                                "Subscription messages sent, by subscription field.", ["field"])
SOCKETS_CLOSED = Counter("campaign_subscription_sockets_closed_total",
                         "Subscription sockets the service closed, by close code.", ["code"])
WEBHOOK_DELIVERIES = Counter("campaign_webhook_deliveries_total", "Webhook delivery attempts, by outcome.",
                             ["outcome"])
REVERSALS = Counter("campaign_discount_reversals_total", "Reversals recorded, by extent (full or partial).", ["extent"])
POOL_IN_USE = Gauge(
    "campaign_db_pool_connections_in_use", "Database connections checked out, by pool (read or write).", ["pool"],
    multiprocess_mode="livesum"
)
REQUESTS_IN_FLIGHT = Gauge(
    "campaign_graphql_requests_in_flight", "GraphQL requests executing now.", multiprocess_mode="livesum"
)
REQUESTS_QUEUED = Gauge(
    "campaign_graphql_requests_queued", "GraphQL requests waiting for an execution slot.", multiprocess_mode="livesum"
)
REQUESTS_TURNED_AWAY = Counter(
    "campaign_graphql_requests_turned_away_total", "GraphQL requests answered 503 OVERLOADED at capacity."
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 200
_seen_names: set[str] = set()


def operation_label(name: str | None) -> str:
    """Clients choose operation names: keep the label set bounded."""
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "invalid"
    if name not in _seen_names:
        if len(_seen_names) >= _MAX_NAMES:
            return "other"
        _seen_names.add(name)
    return name


def _labelled(metric):
    """`metric.labels(value)`, each child looked up once: the labels are
    codes and discount types, a handful, and every apply counts."""
    children: dict = {}

    def child(value: str):
        found = children.get(value)
        if found is None:
            found = children[value] = metric.labels(value)
        return found

    return child


applies = _labelled(APPLIES)
amount_applied = _labelled(AMOUNT_APPLIED)
reversals = _labelled(REVERSALS)


# (label, type, outcome) -> that request counter and latency histogram.
# Bounded as the labels are; saves prometheus_client's locked lookup per request.
_request_series: dict[tuple[str, str, str], tuple] = {}


def observe_request(operation_name: str | None, operation_type: str | None, outcome: str, seconds: float) -> None:
    key = (operation_label(operation_name), operation_type or "none", outcome)
    series = _request_series.get(key)
    if series is None:
        series = _request_series[key] = (REQUESTS.labels(*key), LATENCY.labels(key[0], outcome))
    series[0].inc()
    series[1].observe(seconds)


def watch_pool(engine, pool: str) -> None:
    from sqlalchemy import event

    in_use = POOL_IN_USE.labels(pool)
    event.listen(engine, "checkout", lambda *_: in_use.inc())
    event.listen(engine, "checkin", lambda *_: in_use.dec())


def campaign_budgets(session: Session) -> list:
    """(id, used, total) of every campaign not deleted."""
    from ..campaigns.conditions import NOT_DELETED_SQL
    from ..campaigns.models import Campaign
    from ..campaigns.slots import USED_BUDGET

    return session.execute(
        select(Campaign.id, USED_BUDGET, Campaign.total_budget).where(NOT_DELETED_SQL)
    ).all()


class _Budgets:
    """Budget gauges from the database, read at scrape time, so that every
    process reports the same truth."""

    def __init__(self, rows):
        self.rows = rows

    def collect(self):
        used = GaugeMetricFamily("campaign_budget_used", "Budget used per campaign.", labels=["campaign_id"])
        total = GaugeMetricFamily("campaign_budget_total", "Total budget per campaign.", labels=["campaign_id"])
        for row in self.rows:
            used.add_metric([str(row.id)], float(row.used_budget))
            total.add_metric([str(row.id)], float(row.total_budget))
        yield used
        yield total


def exposition(budget_rows) -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    budgets = CollectorRegistry(auto_describe=False)
    budgets.register(_Budgets(budget_rows))
    return generate_latest(registry) + generate_latest(budgets)


CONTENT_TYPE = CONTENT_TYPE_LATEST
