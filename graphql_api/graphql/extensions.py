"""Schema extensions. They are passed to the schema as classes or factories, so
each request gets fresh instances and no state leaks between requests."""

from __future__ import annotations

import math
from typing import Any, Iterator, Optional

from graphql import GraphQLError, OperationDefinitionNode, get_operation_ast
from strawberry.extensions import SchemaExtension

from .cost import CostCalculator
from .query_limits import too_complex
from .throttle import Charge
from .validation_rules import with_coded_rules


class CodedValidation(SchemaExtension):
    """Swaps in validation rules that attach `extensions.code` to their errors,
    plus `extra_rules` (the depth and alias limits). Listed before
    ValidationCache so that the cached rules are these; the rule classes are
    made once per schema, so the cache's keys stay stable."""

    def __init__(self, extra_rules: tuple = ()):
        super().__init__()
        self.extra_rules = extra_rules

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*with_coded_rules(context.validation_rules), *self.extra_rules)
        yield


class QueryCost(SchemaExtension):
    """Refuses documents too large or too costly before they run, charges the
    caller's bucket, and reports `extensions.cost` on every response."""

    def __init__(self, max_document_bytes: int, max_tokens: int, max_cost: int):
        super().__init__()
        self.max_document_bytes = max_document_bytes
        self.max_tokens = max_tokens
        self.max_cost = max_cost
        self.operation: Optional[OperationDefinitionNode] = None
        self.charge: Optional[Charge] = None
        self.requested: Optional[int] = None
        self.actual: Optional[int] = None
        self.available: Optional[float] = None
        self.calculator: Optional[CostCalculator] = None

    async def on_operation(self):
        query = self.execution_context.query or ""
        size = len(query.encode())
        if size > self.max_document_bytes:
            raise too_complex(
                "documentSize", self.max_document_bytes, size,
                f"The document is {size} bytes; the limit is {self.max_document_bytes}.",
            )
        yield
        if self.charge is not None and self.charge.draw is not None and self.charge.draw.allowed:
            result = self.execution_context.result
            data = result.data if result is not None else None
            self.actual = self._calculator().operation_cost(self.operation, data or {})
            self.available = await self.execution_context.context.throttle.refund(self.charge, self.actual)

    def on_parse(self) -> Iterator[None]:
        # graphql-core stops parsing past this many tokens.
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield

    def _calculator(self) -> CostCalculator:
        """One per operation, for the requested and the actual cost alike."""
        if self.calculator is None:
            context = self.execution_context
            self.calculator = CostCalculator(context.schema._schema, context.graphql_document, context.variables)
        return self.calculator

    async def on_execute(self):
        """After validation, before any resolver: the cost limit and the charge.
        (Raising here is how an extension stops an operation; errors added
        after validation's own check would be ignored.)"""
        context = self.execution_context
        self.operation = get_operation_ast(context.graphql_document, context.operation_name)
        if self.operation is not None:
            self.requested = self._calculator().operation_cost(self.operation)
            if self.requested > self.max_cost:
                raise too_complex(
                    "cost", self.max_cost, self.requested,
                    f"The query would cost {self.requested} points; the limit is {self.max_cost}.",
                )
            request_context = context.context
            self.charge = await request_context.throttle.charge(request_context.rate_limit_bucket, self.requested)
            draw = self.charge.draw
            self.available = draw.available if draw is not None else None
            if draw is not None and not draw.allowed:
                retry_after = max(1, math.ceil(draw.retry_after))
                request_context.response.status_code = 429
                request_context.response.headers["Retry-After"] = str(retry_after)
                raise GraphQLError(
                    f"Throttled: the query costs {self.requested} points and {math.floor(draw.available)} "
                    f"are available; retry in {retry_after} s.",
                    extensions={"code": "THROTTLED", "retryAfter": retry_after},
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        throttle = self.execution_context.context.throttle
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": self.actual if self.actual is not None else 0,
                "throttleStatus": throttle.status(self.available),
            }
        }


class OperationTags(SchemaExtension):
    """Names the operation for the request log and metrics."""

    def on_validate(self) -> Iterator[None]:
        yield
        context = self.execution_context
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        request = getattr(context.context, "request", None)
        if operation is not None and request is not None:
            request.state.operation_name = operation.name.value if operation.name else context.operation_name
            request.state.operation_type = operation.operation.value
