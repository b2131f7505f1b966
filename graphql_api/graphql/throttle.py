"""Query-cost rate limiting: a bucket per API key, charged before execution
with the requested cost and refunded afterwards down to the actual cost."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode

from ..ratelimit import BucketLimits, Buckets, Draw
from .cost import CostCalculator, DocumentCosts
from .query_limits import too_complex

if TYPE_CHECKING:
    from .context import Context

logger = logging.getLogger("graphql_api.throttle")


@dataclass
class Charge:
    bucket: str
    requested: int
    draw: Optional[Draw]


class Throttle:
    def __init__(self, buckets: Buckets, limits: BucketLimits):
        self.buckets = buckets
        self.limits = limits

    async def charge(self, bucket: str, points: int) -> Charge:
        try:
            draw = await self.buckets.take(bucket, points, self.limits)
        except Exception:  # the limiter failing must not take checkout down with it
            logger.warning("rate limiter unavailable; letting the request through", exc_info=True)
            draw = None
        return Charge(bucket, points, draw)

    async def refund(self, charge: Charge, actual: int) -> Optional[float]:
        unused = charge.requested - actual
        if charge.draw is None or not charge.draw.allowed:
            return charge.draw.available if charge.draw else None
        if unused <= 0:
            return charge.draw.available
        try:
            return await self.buckets.give(charge.bucket, unused, self.limits)
        except Exception:
            logger.warning("rate limiter unavailable for a refund", exc_info=True)
            return None

    def status(self, available: Optional[float]) -> dict:
        return {
            "maximumAvailable": self.limits.capacity,
            "currentlyAvailable": None if available is None else math.floor(available),
            "restoreRate": self.limits.restore_rate,
        }


class MeteredOperation:
    """One operation's cost and its charge: the cost limit and the charge to
    the caller's bucket before any resolver runs, the refund down to the
    actual cost after, and the `extensions.cost` report. The QueryCost
    extension and the view's prepared-operation path both meter through it."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                 variables: Optional[dict], max_cost: int, costs: Optional[DocumentCosts] = None):
        self.operation = operation
        self.costs = costs
        self.calculator = CostCalculator(schema, document, variables, costs)
        self.max_cost = max_cost
        self.requested: Optional[int] = None
        self.actual: Optional[int] = None
        self.available: Optional[float] = None
        self.charge: Optional[Charge] = None

    async def start(self, context: "Context") -> None:
        """Raises the GraphQLError that stops the operation: over the cost
        limit, or throttled (then the response is a 429 with Retry-After)."""
        self.requested = self._requested_cost()
        if self.requested > self.max_cost:
            raise too_complex(
                "cost", self.max_cost, self.requested,
                f"The query would cost {self.requested} points; the limit is {self.max_cost}.",
            )
        self.charge = await context.throttle.charge(context.rate_limit_bucket, self.requested)
        draw = self.charge.draw
        self.available = draw.available if draw is not None else None
        if draw is not None and not draw.allowed:
            retry_after = max(1, math.ceil(draw.retry_after))
            context.response.status_code = 429
            context.response.headers["Retry-After"] = str(retry_after)
            raise GraphQLError(
                f"Throttled: the query costs {self.requested} points and {math.floor(draw.available)} "
                f"are available; retry in {retry_after} s.",
                extensions={"code": "THROTTLED", "retryAfter": retry_after},
            )

    def _requested_cost(self) -> int:
        costs = self.costs
        if costs is not None and costs.requested is not None:
            return costs.requested
        requested = self.calculator.operation_cost(self.operation)
        if costs is not None and not self.calculator.read_variables:
            costs.requested = requested
        return requested

    async def finish(self, context: "Context", data: Optional[dict]) -> None:
        if self.charge is not None and self.charge.draw is not None and self.charge.draw.allowed:
            self.actual = self.calculator.operation_cost(self.operation, data or {})
            self.available = await context.throttle.refund(self.charge, self.actual)

    def report(self, throttle: Throttle) -> dict[str, Any]:
        if self.requested is None:
            return {}
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": self.actual if self.actual is not None else 0,
                "throttleStatus": throttle.status(self.available),
            }
        }
