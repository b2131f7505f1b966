"""The per-request context: who is calling, what time it is, and the loaders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Optional

from starlette.requests import Request
from starlette.responses import Response

from ..database import Database
from ..settings import Settings
from .loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response
    request_id: str
    database: Database
    settings: Settings
    # One clock reading per request: every status and rule in a response agrees.
    now: datetime
    loaders: Loaders
    # The authenticated caller, once authentication exists; None is anonymous.
    caller: Optional[Any] = None

    @property
    def zone(self) -> tzinfo:
        return self.settings.business_timezone
