"""Query-cost rate limiting: a bucket per API key, charged before execution
with the requested cost and refunded afterwards down to the actual cost; no
request costs less than MINIMUM_COST, a refused one included."""

from __future__ import annotations

import logging
import math
from typing import Any, Optional

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode

from ...access.ratelimit import BucketLimits, Buckets, Draw
from .cost import CostCalculator, DocumentCosts
from .query_limits import too_complex
from ...error_codes import TopLevelCode

logger = logging.getLogger("graphql_api.throttle")


# No request is free, a trivial or refused one included: otherwise a caller
# with an empty bucket could still make the service parse and validate.
MINIMUM_COST = 1


class Throttle:
    def __init__(self, buckets: Buckets, limits: BucketLimits):
        self.buckets = buckets
        self.limits = limits

    async def take(self, bucket: str, points: int) -> Optional[Draw]:
        """None when the limiter is unavailable: the request goes through."""
        try:
            return await self.buckets.take(bucket, points, self.limits)
        except Exception:  # the limiter failing must not take checkout down with it
            logger.warning("rate limiter unavailable; letting the request through", exc_info=True)
            return None

    async def debit(self, bucket: str, points: int) -> Optional[float]:
        try:
            return await self.buckets.debit(bucket, points, self.limits)
        except Exception:
            logger.warning("rate limiter unavailable for a penalty", exc_info=True)
            return None

    async def give(self, bucket: str, points: int) -> Optional[float]:
        try:
            return await self.buckets.give(bucket, points, self.limits)
        except Exception:
            logger.warning("rate limiter unavailable for a refund", exc_info=True)
            return None

    def retry_after(self, points: int, available: float) -> int:
        """Whole seconds, at least 1, until the bucket holds `points`."""
        return max(1, math.ceil((points - available) / self.limits.restore_rate))

    def status(self, available: Optional[float]) -> dict:
        return {
            "maximumAvailable": self.limits.capacity,
            "currentlyAvailable": None if available is None else math.floor(available),
            "restoreRate": self.limits.restore_rate,
        }


class MeteredOperation:
    """One operation's charge to its caller's bucket: MINIMUM_COST on arrival,
    before the document is parsed (`admit`); the rest of its requested cost
    after the cost limit, before any resolver runs (`start`); back down to
    its actual cost, never below the minimum, after (`finish`); and the
    `extensions.cost` report."""

    def __init__(self, throttle: Throttle, bucket: str, max_cost: int):
        self.throttle = throttle
        self.bucket = bucket
        self.max_cost = max_cost
        self.calculator: Optional[CostCalculator] = None
        self.operation: Optional[OperationDefinitionNode] = None
        self.costs: Optional[DocumentCosts] = None
        self.started = False
        self.paid = 0  # points taken from the bucket so far
        self.requested: Optional[int] = None
        self.actual: Optional[int] = None
        self.available: Optional[float] = None
        # Set when the bucket refused: the response is a 429 with Retry-After.
        self.retry_after: Optional[int] = None

    async def admit(self) -> None:
        self.requested = MINIMUM_COST
        await self._take(MINIMUM_COST)

    async def start(self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                    variables: Optional[dict], costs: Optional[DocumentCosts] = None) -> None:
        """Raises the GraphQLError that stops the operation: over the cost
        limit (charged the minimum), or throttled."""
        self.operation, self.costs = operation, costs
        self.calculator = CostCalculator(schema, document, variables, costs)
        requested = max(MINIMUM_COST, self._requested_cost())
        if requested > self.max_cost:
            self.requested = MINIMUM_COST  # what the refusal costs
            await self._take(MINIMUM_COST - self.paid)
            raise too_complex(
                "cost", self.max_cost, requested,
                f"The query would cost {requested} points; the limit is {self.max_cost}.",
            )
        self.requested = requested
        await self._take(requested - self.paid)
        self.started = True

    async def _take(self, points: int) -> None:
        if points <= 0:
            return
        throttle, bucket = self.throttle, self.bucket
        draw = await throttle.take(bucket, points)
        if draw is None:
            return
        self.available = draw.available
        if draw.allowed:
            self.paid += points
            return
        if self.paid < MINIMUM_COST < points:  # refused, it still costs the minimum, when the bucket holds it
            minimum = await throttle.take(bucket, MINIMUM_COST - self.paid)
            if minimum is not None and minimum.allowed:
                self.paid, self.available = MINIMUM_COST, minimum.available
        retry_after = self.retry_after = throttle.retry_after(self.requested, self.available)
        raise GraphQLError(
            f"Throttled: the query costs {self.requested} points and {math.floor(self.available)} "
            f"are available; retry in {retry_after} s.",
            extensions={"code": TopLevelCode.THROTTLED, "retryAfter": retry_after},
        )

    def _requested_cost(self) -> int:
        costs = self.costs
        if costs is not None and costs.requested is not None:
            return costs.requested
        requested = self.calculator.operation_cost(self.operation)
        if costs is not None and not self.calculator.read_variables:
            costs.requested = requested
        return requested

    async def finish(self, data: Optional[dict], surcharge: int = 0) -> None:
        """`surcharge`: points the resolvers found owed beyond the query's
        cost (failed coupon codes), taken into debt if need be."""
        if not self.started:
            await self.penalize(surcharge)
            return
        self.actual = max(MINIMUM_COST, self.calculator.operation_cost(self.operation, data or {})) + surcharge
        if self.paid > self.actual:
            available = await self.throttle.give(self.bucket, self.paid - self.actual)
            self.available = available if available is not None else self.available
        elif self.actual > self.paid:
            await self.penalize(self.actual - self.paid)

    async def penalize(self, points: int) -> None:
        """Takes `points` even when the bucket holds fewer (it goes into
        debt): the penalty is found after the work, and an empty bucket must
        not make it free."""
        if points <= 0:
            return
        available = await self.throttle.debit(self.bucket, points)
        if available is not None:
            self.available = available

    def report(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": self.actual if self.actual is not None else self.paid,
                "throttleStatus": self.throttle.status(self.available),
            }
        }
