"""Query-cost rate limiting: a bucket per API key, charged before execution
with the requested cost and refunded afterwards down to the actual cost."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Optional

from ..ratelimit import BucketLimits, Buckets, Draw

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
