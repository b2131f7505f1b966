"""Prepared operations: documents that strawberry has parsed and validated
once, run again without strawberry's per-request pipeline.

Strawberry's `Schema.execute` takes every operation through its extension
runner: an execution context, five extension instances, and a context manager
per stage (operation, parsing, validation, execution) that looks up and runs
each extension's hooks, even when the parser and validation caches answer at
once; skipping it saves a checkout apply a good part of its CPU
(bench/HISTORY.md).

The first time a document is POSTed, it goes through `Schema.execute`, and
the OperationTags extension hands the view the document if it validated. The
view keeps it here, keyed by the query text and operation name (validation
depends on nothing else: not on variables, nor on the caller). When the same
text comes again, `execute_prepared` does what the extensions would do at
run time, through the same code they use (`MeteredOperation` for the cost
limit, the charge and the refund; `tag_request` for the request log) and
has graphql-core execute it with the schema's executor. Everything that
depends on the document alone (size, tokens, validation, depth, aliases,
introspection, the operation type a POST may run) was settled on its first
run. tests/api/test_http_view.py checks that both ways answer alike.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional

from graphql import GraphQLError, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult

from .adapter import core_schema
from .context import Context, ValidatedOperation
from .extensions import tag_request
from .throttle import MeteredOperation


class PreparedOperations:
    """The validated documents by (query, operationName), least recently used
    dropped first, so that unknown clients cannot grow it without bound."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._operations: OrderedDict[tuple[str, Optional[str]], ValidatedOperation] = OrderedDict()

    def get(self, query: str, operation_name: Optional[str]) -> Optional[ValidatedOperation]:
        key = (query, operation_name)
        operation = self._operations.get(key)
        if operation is not None:
            self._operations.move_to_end(key)
        return operation

    def add(self, query: str, operation_name: Optional[str], operation: ValidatedOperation) -> None:
        if self.maxsize <= 0:
            return
        self._operations[(query, operation_name)] = operation
        self._operations.move_to_end((query, operation_name))
        while len(self._operations) > self.maxsize:
            self._operations.popitem(last=False)


async def execute_prepared(
    schema: Any,
    prepared: ValidatedOperation,
    *,
    variables: Optional[dict],
    operation_extensions: Optional[dict],
    context: Context,
) -> ExecutionResult:
    """What `Schema.execute` answers for a document that already validated,
    with the work its extensions do for every operation."""
    tag_request(context.request, prepared.operation, prepared.operation_name)
    context.validated = prepared
    metered = MeteredOperation(context.settings.max_query_cost)
    try:
        await metered.start(context, core_schema(schema), prepared.document, prepared.operation, variables,
                            prepared.costs)
        result = execute(
            core_schema(schema),
            prepared.document,
            variable_values=variables,
            operation_name=prepared.operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,
            executor_class=schema.execution_context_class,
            operation_extensions=operation_extensions,
            hide_suggestions=schema.hide_suggestions,
        )
        if optimized_is_awaitable(result):
            result = await result
    except Exception as error:  # as `Schema.execute` turns them into the response's error
        coerced = error if isinstance(error, GraphQLError) else GraphQLError(str(error), original_error=error)
        schema.process_errors([coerced])
        return ExecutionResult(data=None, errors=[coerced], extensions=metered.report(context.throttle))
    if result.errors:
        schema.process_errors(result.errors)
    await metered.finish(context, result.data)
    return ExecutionResult(data=result.data, errors=result.errors, extensions=metered.report(context.throttle))
