"""Schema extensions. They are passed to the schema as classes or factories, so
each request gets fresh instances and no state leaks between requests."""

from __future__ import annotations

import functools
from functools import lru_cache
from typing import Any, Callable, Iterator, Optional

from graphql import DocumentNode, GraphQLSchema, GraphQLSyntaxError, OperationDefinitionNode, get_operation_ast, parse
from strawberry.extensions import SchemaExtension

from .adapter import core_schema, validate_as_strawberry
from .context import Context, ValidatedOperation
from .query_limits import token_past_limit, too_complex
from .throttle import MeteredOperation
from .validation_rules import with_coded_rules


def document_validator(maxsize: int, hide_suggestions: bool) -> Callable:
    """graphql-core's validation, as strawberry runs it (with its own two rules
    added) but told whether to leave out the "Did you mean" suggestions, which
    strawberry cannot pass on. One cache per schema, by document and rules: the
    parser cache gives one text one document."""

    @lru_cache(maxsize=maxsize)
    def validate_document(schema: GraphQLSchema, document: DocumentNode, rules: tuple) -> list:
        return validate_as_strawberry(schema, document, rules, hide_suggestions)

    return validate_document


class CodedValidation(SchemaExtension):
    """Validates with the rules that attach `extensions.code` to their errors,
    plus `extra_rules` (the depth and alias limits), through the schema's
    cached `validate_document`. The rule classes are made once per schema, so
    the cache's keys stay stable."""

    def __init__(self, validate_document: Callable, extra_rules: tuple = ()):
        super().__init__()
        self.validate_document = validate_document
        self.extra_rules = extra_rules

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = (*with_coded_rules(context.validation_rules), *self.extra_rules)
        # Once set, strawberry runs no validation of its own.
        context.pre_execution_errors = self.validate_document(core_schema(context.schema), context.graphql_document,
                                                              rules)
        yield


@functools.lru_cache(maxsize=None)
def _parse_cache(maxsize: int) -> Callable[..., DocumentNode]:
    # One cache per size, shared by every request: the same text, the same document.
    return functools.lru_cache(maxsize=maxsize)(parse)


class CachedParse(SchemaExtension):
    """Parses through a cache, and stops past `max_tokens` tokens. graphql-core
    stops there with a syntax error like any other; one that is the token
    limit is refused as QUERY_TOO_COMPLEX, told from the document itself."""

    def __init__(self, maxsize: int, max_tokens: int):
        super().__init__()
        self.parse = _parse_cache(maxsize)
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.parse(context.query, max_tokens=self.max_tokens)
        except GraphQLSyntaxError as error:
            past = token_past_limit(context.query or "", self.max_tokens)
            if past is not None and error.positions and error.positions[0] == past:
                raise too_complex("tokens", self.max_tokens, None,
                                  f"The document has more than {self.max_tokens} tokens.") from None
            raise
        yield


class QueryCost(SchemaExtension):
    """Charges the caller's bucket its minimum on arrival, refuses documents
    too large or too costly before they run, charges the rest of their cost,
    and reports `extensions.cost` on every response."""

    def __init__(self, max_document_bytes: int, max_cost: int):
        super().__init__()
        self.max_document_bytes = max_document_bytes
        self.metered = MeteredOperation(max_cost)

    async def on_operation(self):
        context = self.execution_context
        # Before any work: a caller whose bucket is empty gets no parsing or validation.
        await self.metered.admit(context.context)
        query = context.query or ""
        size = len(query.encode())
        if size > self.max_document_bytes:
            raise too_complex(
                "documentSize", self.max_document_bytes, size,
                f"The document is {size} bytes; the limit is {self.max_document_bytes}.",
            )
        yield
        result = context.result
        await self.metered.finish(context.context, result.data if result is not None else None)


    async def on_execute(self):
        """After validation, before any resolver: the cost limit and the charge.
        (Raising here is how an extension stops an operation; errors added
        after validation's own check would be ignored.)"""
        context = self.execution_context
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        if operation is not None:
            await self.metered.start(context.context, core_schema(context.schema), context.graphql_document,
                                     operation, context.variables)
        yield

    def get_results(self) -> dict[str, Any]:
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
