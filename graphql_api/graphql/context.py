"""What every resolver reads: who is calling, what time it is, the database,
the settings, and the request's loaders. The engine's own state (the
document, its cost, the response being built) stays in the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Callable, Optional

import strawberry

from ..access.keys import Caller
from ..live.hub import Hub
from ..db.database import Database
from ..settings import Settings
from .loaders import Loaders


@dataclass
class Context:
    # The API key's holder; the engine runs nothing without one.
    caller: Optional[Caller]
    database: Database
    settings: Settings
    # One clock reading per request: every status and rule in a response agrees.
    now: datetime
    # Made lazily, per request: nothing is cached across requests.
    loaders: Loaders
    request_id: str
    # Points owed beyond the query's cost, e.g. for coupon codes that reached
    # nothing (guessing must be expensive); the engine charges them when it settles.
    surcharge: int = 0
    # For subscriptions, which outlive the request's clock reading: the
    # service's clock, and the process's feed of committed changes.
    clock: Optional[Callable[[], datetime]] = None
    live: Optional["Hub"] = None

    @property
    def zone(self) -> tzinfo:
        return self.settings.business_timezone


# What every resolver is given: `info.context` is this Context.
Info = strawberry.Info[Context, None]
