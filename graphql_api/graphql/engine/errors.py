"""Top-level errors as clients see them: each with `extensions.code`, and
`extensions.field` for an input the schema's types refuse."""

from __future__ import annotations

import logging
from typing import Any, Iterator, Optional, Sequence, Union

from graphql import (
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Undefined,
    VariableDefinitionNode,
    VariableNode,
)
from graphql.utilities import type_from_ast, validate_input_value

from ...core.errors import DomainError, ErrorCode
from ...db.database import DatabaseUnavailable
from ...error_codes import TopLevelCode

logger = logging.getLogger("graphql_api.errors")


def invalid_input_at(error: GraphQLError, field: Optional[Sequence[Union[str, int]]]) -> GraphQLError:
    """Tags a value the schema's types refuse as INVALID_INPUT, with `field`
    the path to it: an argument's or a variable's name, then the keys and list
    indexes into its value."""
    extensions = {**(error.extensions or {}), "code": ErrorCode.INVALID_INPUT.value}
    if field:
        extensions["field"] = list(field)
    error.extensions = extensions
    return error


def locate_variable_errors(
    errors: list[GraphQLError], schema: GraphQLSchema, variables: dict[str, Any]
) -> list[GraphQLError]:
    """Tags the errors of variables that do not coerce as INVALID_INPUT, with a
    field when the error names the variable's definition (all but "too many
    errors" and "nested too deeply"). graphql-core puts the path into the value
    in the message only, but hands it to its validator's callback: running the
    validator again on that variable gives the paths, in the errors' order."""
    paths: dict[int, Iterator[list]] = {}
    for error in errors:
        node = error.nodes[0] if error.nodes else None
        field = None
        if isinstance(node, VariableDefinitionNode):
            name = node.variable.name.value
            if id(node) not in paths:
                paths[id(node)] = iter(_refused_paths(schema, node, variables.get(name, Undefined)))
            field = [name, *next(paths[id(node)], [])]
        invalid_input_at(error, field)
    return errors


def _refused_paths(schema: GraphQLSchema, node: VariableDefinitionNode, value: Any) -> list[list]:
    found: list[list] = []
    variable_type = type_from_ast(schema, node.type)
    if variable_type is not None:
        validate_input_value(value, variable_type, lambda _error, path: found.append(path))
    return found


def _root_cause(error: GraphQLError) -> Optional[BaseException]:
    cause: Optional[BaseException] = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """The JSON of one top-level error. Unexpected exceptions are masked: the
    client gets the request id, the log has the stack trace under it."""
    formatted = error.formatted
    extensions = dict(error.extensions or {})
    cause = _root_cause(error)
    if isinstance(error, GraphQLSyntaxError):
        # (The token limit is refused before this, as QUERY_TOO_COMPLEX: documents.py.)
        extensions["code"] = TopLevelCode.GRAPHQL_PARSE_FAILED
    elif isinstance(cause, DomainError):
        extensions["code"] = cause.code.value
        if cause.field is not None:
            extensions["field"] = list(cause.field)
        if error.path is not None:
            formatted["message"] = cause.message
    elif isinstance(cause, DatabaseUnavailable):
        extensions["code"] = TopLevelCode.SERVICE_UNAVAILABLE
        extensions["reason"] = cause.reason
        formatted["message"] = cause.message
    elif "code" in extensions:
        pass
    elif isinstance(cause, GraphQLError) and error.nodes and isinstance(error.nodes[0], VariableNode):
        # graphql-core's run-time check of an argument refused a variable's value: a null,
        # given to a variable with a default, in a non-null position.
        extensions.update(code=ErrorCode.INVALID_INPUT.value, field=[error.nodes[0].name.value])
    elif error.path is not None or (cause is not None and not isinstance(cause, GraphQLError)):
        logger.error(
            "unexpected error in request %s", request_id, exc_info=cause or error
        )
        extensions["code"] = TopLevelCode.INTERNAL_SERVER_ERROR
        formatted["message"] = f"Internal server error (request id {request_id})."
        extensions["requestId"] = request_id
    else:
        extensions["code"] = TopLevelCode.GRAPHQL_VALIDATION_FAILED
    formatted["extensions"] = extensions
    return formatted
