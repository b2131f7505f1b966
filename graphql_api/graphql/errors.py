"""Errors as clients see them: typed `userErrors` in mutation payloads, and
top-level errors with `extensions.code` for everything else."""

from __future__ import annotations

import logging
import re
from typing import Any, Iterable, Optional

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError

from ..core.errors import DomainError, ErrorCode
from ..core.errors import UserError as DomainUserError
from ..database import DatabaseUnavailable
from .query_limits import QUERY_TOO_COMPLEX

logger = logging.getLogger("graphql_api.errors")

UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="Why a mutation refused its input.")


@strawberry.type(description="A problem with a mutation's input or with a business rule; nothing was written.")
class UserError:
    field: Optional[list[str]] = strawberry.field(
        description='Path into the input, e.g. ["input", "endDate"]; null when no single field is at fault.'
    )
    code: UserErrorCode
    message: str


def user_errors(errors: Iterable[DomainUserError]) -> list[UserError]:
    return [
        UserError(field=list(error.field) if error.field is not None else None, code=error.code, message=error.message)
        for error in errors
    ]


# Codes of top-level errors that are not about a mutation's input.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


_TOKEN_LIMIT = re.compile(r"Document contains more than (\d+) tokens")


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
        too_many = _TOKEN_LIMIT.search(error.message)
        if too_many:  # graphql-core's max_tokens stops parsing with a syntax error
            extensions.update(code=QUERY_TOO_COMPLEX, limit="tokens", maximum=int(too_many.group(1)))
        else:
            extensions["code"] = PARSE_FAILED
    elif isinstance(cause, DomainError):
        extensions["code"] = cause.code.value
        if cause.field is not None:
            extensions["field"] = list(cause.field)
        if error.path is not None:
            formatted["message"] = cause.message
    elif isinstance(cause, DatabaseUnavailable):
        extensions["code"] = SERVICE_UNAVAILABLE
        extensions["reason"] = cause.reason
        formatted["message"] = cause.message
    elif "code" in extensions:
        pass
    elif error.path is not None or (cause is not None and not isinstance(cause, GraphQLError)):
        logger.error(
            "unexpected error in request %s", request_id, exc_info=cause or error
        )
        extensions["code"] = INTERNAL_SERVER_ERROR
        formatted["message"] = f"Internal server error (request id {request_id})."
        extensions["requestId"] = request_id
    elif error.message.startswith("Variable '$") or cause is not None:
        extensions["code"] = ErrorCode.INVALID_INPUT.value  # a variable the types refuse
    else:
        extensions["code"] = VALIDATION_FAILED
    formatted["extensions"] = extensions
    return formatted
