"""The per-request context: who is calling, what time it is, and the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import MutableMapping, Optional, Protocol

import strawberry
from graphql import DocumentNode, OperationDefinitionNode
from starlette.requests import Request

from ..access.keys import Caller
from ..db.database import Database
from ..settings import Settings
from .cost import DocumentCosts
from .execution import selections_may_vary
from .loaders import Loaders
from .throttle import Throttle


@dataclass(frozen=True)
class ValidatedOperation:
    """A parsed document that passed validation, and its operation to run."""

    document: DocumentNode
    operation: OperationDefinitionNode
    # As strawberry runs it: when none is given, the first operation's name.
    operation_name: Optional[str]
    costs: DocumentCosts = field(default_factory=DocumentCosts, compare=False)
    # The executor's collected subfields and plain groups (execution.py), shared
    # by every run; None when variables may change them between runs.
    selections: Optional[dict] = field(default=None, compare=False)

    @classmethod
    def of(cls, document: DocumentNode, operation: OperationDefinitionNode,
           operation_name: Optional[str]) -> "ValidatedOperation":
        return cls(document, operation, operation_name, selections=None if selections_may_vary(document) else {})


class OperationResponse(Protocol):
    """What an operation may set on its HTTP response (a throttled one sets
    429 and Retry-After): strawberry's sub-response, or the view's lighter
    SubResponse on the plain-operation path."""

    status_code: Optional[int]
    headers: MutableMapping[str, str]


@dataclass
class Context:
    request: Request
    response: OperationResponse
    request_id: str
    database: Database
    settings: Settings
    # One clock reading per request: every status and rule in a response agrees.
    now: datetime
    loaders: Loaders
    throttle: Throttle
    # The API key's holder; the middleware refuses requests without one.
    caller: Optional[Caller] = None
    # Set by the OperationTags extension when the document passed validation.
    validated: Optional[ValidatedOperation] = None

    @property
    def zone(self) -> tzinfo:
        return self.settings.business_timezone

    @property
    def rate_limit_bucket(self) -> str:
        return f"key:{self.caller.public_id}" if self.caller else f"ip:{self.request.client.host if self.request.client else 'unknown'}"


# What every resolver is given: `info.context` is this Context.
Info = strawberry.Info[Context, None]
