"""Schema extensions. They are passed to the schema as classes or factories, so
each request gets fresh instances and no state leaks between requests."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from graphql import OperationDefinitionNode, get_operation_ast
from strawberry.extensions import SchemaExtension

from .context import Context, ValidatedOperation
from .query_limits import too_complex
from .throttle import MeteredOperation
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
        self.metered: Optional[MeteredOperation] = None

    async def on_operation(self):
        query = self.execution_context.query or ""
        size = len(query.encode())
        if size > self.max_document_bytes:
            raise too_complex(
                "documentSize", self.max_document_bytes, size,
                f"The document is {size} bytes; the limit is {self.max_document_bytes}.",
            )
        yield
        if self.metered is not None:
            result = self.execution_context.result
            await self.metered.finish(self.execution_context.context, result.data if result is not None else None)

    def on_parse(self) -> Iterator[None]:
        # graphql-core stops parsing past this many tokens.
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield

    async def on_execute(self):
        """After validation, before any resolver: the cost limit and the charge.
        (Raising here is how an extension stops an operation; errors added
        after validation's own check would be ignored.)"""
        context = self.execution_context
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        if operation is not None:
            self.metered = MeteredOperation(context.schema._schema, context.graphql_document, operation,
                                            context.variables, self.max_cost)
            await self.metered.start(context.context)
        yield

    def get_results(self) -> dict[str, Any]:
        if self.metered is None:
            return {}
        return self.metered.report(self.execution_context.context.throttle)


def tag_request(request, operation: OperationDefinitionNode, operation_name: Optional[str]) -> None:
    """Names the operation for the request log and metrics."""
    request.state.operation_name = operation.name.value if operation.name else operation_name
    request.state.operation_type = operation.operation.value


class OperationTags(SchemaExtension):
    """Names the operation for the request log and metrics, and hands a
    document that passed validation to the view (`Context.validated`), which
    keeps it so that the same document skips straight to execution next time
    (prepared.py)."""

    def on_validate(self) -> Iterator[None]:
        yield
        context = self.execution_context
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        request_context = context.context
        request = getattr(request_context, "request", None)
        if operation is not None and request is not None:
            tag_request(request, operation, context.operation_name)
        if operation is not None and not context.pre_execution_errors and isinstance(request_context, Context):
            request_context.validated = ValidatedOperation.of(context.graphql_document, operation, context.operation_name)
