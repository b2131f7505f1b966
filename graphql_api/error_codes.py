"""The codes of top-level errors (`errors[].extensions.code`), all of them.

A mutation's refusals of its input are `userErrors` with the domain's
`core.errors.ErrorCode`; a query's are top-level errors with the same codes
(INVALID_INPUT, NOT_FOUND). These are the others: refusals of the request
itself, by the HTTP layer or before execution."""

from __future__ import annotations

import enum


class TopLevelCode(str, enum.Enum):
    def __str__(self) -> str:
        # As the string it is, in metrics labels and human log lines too.
        return self.value

    # The request, before GraphQL sees it.
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    # Who is calling, and how much.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    THROTTLED = "THROTTLED"
    # The document.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    # A trusted-document id no manifest has (Apollo's code, which its clients know).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    # TRUSTED_DOCUMENTS=require: this key may run only trusted documents.
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    # The service; SERVICE_UNAVAILABLE always carries extensions.reason.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
