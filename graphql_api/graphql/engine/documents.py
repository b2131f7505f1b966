"""Documents: what a request asks to run, parsed, picked and validated.

A request names its document by text (`query`) or by the id of a trusted
document (trusted.py). Either way the engine resolves it here: parsed within
the token limit, its operation picked, checked against what the HTTP method
may run, validated with the service's rules. A document that validates is
kept, least recently used dropped first, by text and operation name
(validation depends on nothing else: not on variables, nor on the caller), so
its next run skips the parsing and validation, never the checks of the other
stages.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Optional

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from ...settings import Settings
from .adapter import validate_as_strawberry
from .cost import DocumentCosts
from .execution import selections_may_vary
from .query_limits import max_aliases_rule, max_depth_rule, max_fields_rule, token_past_limit, too_complex
from .validation_rules import with_coded_rules

_EVERY_TYPE = frozenset(OperationType)
_PLURALS = {OperationType.QUERY: "queries", OperationType.MUTATION: "mutations",
            OperationType.SUBSCRIPTION: "subscriptions"}


class NoOperation(Exception):
    """The request names no operation the engine can run: an HTTP 400."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidDocument(Exception):
    """The document does not parse or validate: GraphQL errors, no data."""

    def __init__(self, errors: list[GraphQLError], operation: Optional[OperationDefinitionNode] = None):
        super().__init__(errors[0].message)
        self.errors = errors
        self.operation = operation  # when one was picked: it still names the request in the log


@dataclass(frozen=True)
class PreparedDocument:
    """A document that validated, with the operation a request runs from it."""

    document: DocumentNode
    operation: OperationDefinitionNode
    # When the request names none: the first operation's name (None if anonymous).
    operation_name: Optional[str]
    # What the cost analysis keeps between runs (cost.py).
    costs: DocumentCosts = field(default_factory=DocumentCosts, compare=False)
    # The executor's collected subfields and plain groups, shared by every run;
    # None when variables may change them between runs (execution.py).
    selections: Optional[dict] = field(default=None, compare=False)


def validation_rules(settings: Settings) -> tuple:
    """graphql-core's rules, the ones that tag their errors with the contract's
    codes, and the depth, alias and field limits; without introspection when
    it is off."""
    rules = [*with_coded_rules(specified_rules), max_depth_rule(settings.max_query_depth),
             max_aliases_rule(settings.max_aliases), max_fields_rule(settings.max_fields)]
    if not settings.allow_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


def _first_operation(document: DocumentNode) -> Optional[OperationDefinitionNode]:
    return next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None)


def pick_operation(document: DocumentNode, operation_name: Optional[str]) -> OperationDefinitionNode:
    """The operation named, or the first one when none is named."""
    if operation_name is None:
        operation = _first_operation(document)
    else:
        operation = next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)
                          and d.name is not None and d.name.value == operation_name), None)
    if operation is None:
        raise NoOperation("Can't get GraphQL operation type" if operation_name is None
                          else f'Unknown operation named "{operation_name}".')
    return operation


class Documents:
    """Resolves document text to a PreparedDocument, through the parser cache
    and the cache of documents that validated."""

    def __init__(self, schema: GraphQLSchema, settings: Settings):
        self.schema = schema
        self.max_tokens = settings.max_tokens
        self.max_bytes = settings.max_document_bytes
        self.hide_suggestions = settings.production
        self.rules = validation_rules(settings)
        self.maxsize = settings.validation_cache_size
        # What each HTTP method may run (GraphQL over HTTP: GET never mutates).
        self.runs_over = {"GET": frozenset({OperationType.QUERY} if settings.allow_get_queries else ()),
                          "POST": _EVERY_TYPE}
        self._parse: Callable[..., DocumentNode] = functools.lru_cache(maxsize=settings.parser_cache_size)(parse)
        self._prepared: OrderedDict[tuple[str, Optional[str]], PreparedDocument] = OrderedDict()

    def _check_size(self, text: str) -> None:
        size = len(text.encode())
        if size > self.max_bytes:
            raise InvalidDocument([too_complex(
                "documentSize", self.max_bytes, size, f"The document is {size} bytes; the limit is {self.max_bytes}.",
            )])

    def resolve(self, text: str, operation_name: Optional[str], method: str) -> PreparedDocument:
        key = (text, operation_name)
        prepared = self._prepared.get(key)
        if prepared is not None:
            self._prepared.move_to_end(key)
            self._check_method(prepared.operation, method)
            return prepared
        self._check_size(text)
        document = self._parsed(text)
        operation = pick_operation(document, operation_name)
        self._check_method(operation, method)
        errors = validate_as_strawberry(self.schema, document, self.rules, self.hide_suggestions)
        if errors:
            raise InvalidDocument(errors, operation)
        if operation_name is None and operation.name is not None:
            operation_name = operation.name.value
        prepared = PreparedDocument(document, operation, operation_name,
                                    selections=None if selections_may_vary(document) else {})
        self._keep(key, prepared)
        return prepared

    def _parsed(self, text: str) -> DocumentNode:
        """Parsed, stopping past `max_tokens` tokens. graphql-core stops there
        with a syntax error like any other; one that is the token limit is
        refused as QUERY_TOO_COMPLEX, told from the document itself."""
        try:
            return self._parse(text, max_tokens=self.max_tokens)
        except GraphQLSyntaxError as error:
            past = token_past_limit(text, self.max_tokens)
            if past is not None and error.positions and error.positions[0] == past:
                raise InvalidDocument([too_complex("tokens", self.max_tokens, None,
                                                   f"The document has more than {self.max_tokens} tokens.")]) from None
            raise InvalidDocument([error]) from None

    def _check_method(self, operation: OperationDefinitionNode, method: str) -> None:
        if operation.operation not in self.runs_over[method]:
            raise NoOperation(f"{_PLURALS[operation.operation]} are not allowed when using {method}")

    def _keep(self, key: tuple[str, Optional[str]], prepared: PreparedDocument) -> None:
        if self.maxsize <= 0:
            return
        self._prepared[key] = prepared
        while len(self._prepared) > self.maxsize:
            self._prepared.popitem(last=False)
