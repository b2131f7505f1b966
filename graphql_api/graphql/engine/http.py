"""GraphQL over HTTP: a request's operations decoded from its body or query
string, and the response encoded in the media type the client prefers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from starlette.requests import Request
from starlette.responses import Response

from ...error_codes import TopLevelCode
from ...server.asgi import error_document

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class BadRequest(Exception):
    """A request the engine cannot take as GraphQL: an HTTP 400 (405 for a
    method GraphQL over HTTP does not use)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class OperationRequest:
    """One operation as the client sent it: by text (`query`) or by the id of
    a trusted document (`documentId`, or Apollo's persisted-query extension)."""

    query: Optional[str] = None
    document_id: Optional[str] = None
    variables: Optional[dict] = None
    operation_name: Optional[str] = None
    extensions: Optional[dict] = None


_OBJECT_OR_NULL = (dict, type(None))
_STRING_OR_NULL = (str, type(None))
# The members of an operation, and what each must be.
_MEMBERS = {
    "query": (_STRING_OR_NULL, "a string"),
    "documentId": (_STRING_OR_NULL, "a string"),
    "variables": (_OBJECT_OR_NULL, "an object"),
    "operationName": (_STRING_OR_NULL, "a string"),
    "extensions": (_OBJECT_OR_NULL, "an object"),
}
# A \uD800-\uDFFF escape: only then can a decoded string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def decode_json(data: Union[str, bytes]) -> Any:
    """Refused like any other malformed JSON: nesting deeper than the
    interpreter's recursion limit, bytes that are not UTF-8, and a lone
    surrogate (`"\\ud800"`), which no UTF-8 can hold and which would fail
    wherever the string is encoded: the log, the database, the response."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        decoded = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):
            json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError):  # JSONDecodeError is a ValueError
        raise BadRequest("Unable to parse request body as JSON") from None
    return decoded


def _operation(data: dict, members: tuple[str, ...]) -> OperationRequest:
    for name in members:
        types, kind = _MEMBERS[name]
        if not isinstance(data.get(name), types):
            raise BadRequest(f"The GraphQL operation's `{name}` must be {kind} or null, if provided.")
    return OperationRequest(data.get("query"), data.get("documentId"), data.get("variables"),
                            data.get("operationName"), data.get("extensions"))


async def decode(request: Request, batch_max_operations: int) -> tuple[list[OperationRequest], bool]:
    """The request's operations, and whether it was a batch (an array)."""
    if request.method not in ("GET", "POST"):  # Starlette adds HEAD to a GET route
        raise BadRequest("GraphQL only supports GET and POST requests.", status=405)
    if request.method == "GET":
        params = dict(request.query_params)
        for name in ("variables", "extensions"):
            if params.get(name):
                params[name] = decode_json(params[name])
        # As GraphQL over HTTP reads GET parameters: `operationName` is a string by construction.
        return [_operation(params, ("query", "documentId", "variables", "extensions"))], False
    media_type = (request.headers.get("content-type") or "").partition(";")[0].strip().lower()
    if JSON not in media_type:
        raise BadRequest("Unsupported content type")
    data = decode_json(await request.body())
    if not isinstance(data, list):
        if not isinstance(data, dict):
            raise BadRequest("The request body must be a JSON object, or an array of objects for a batch.")
        return [_operation(data, tuple(_MEMBERS))], False
    if not all(isinstance(item, dict) for item in data):
        raise BadRequest("The request body must be a JSON object, or an array of objects for a batch.")
    operations = [_operation(item, tuple(_MEMBERS)) for item in data]
    if not batch_max_operations:
        raise BadRequest("Batching is not enabled")
    if len(operations) > batch_max_operations:
        raise BadRequest("Too many operations")
    return operations, True


def prefers_graphql_response(request: Request) -> bool:
    """Whether the client ranks application/graphql-response+json above
    application/json."""
    accept = request.headers.get("accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return False  # most clients: no need to rank anything
    ranks = {}
    for position, part in enumerate(accept.split(",")):
        media_type, *params = [p.strip() for p in part.split(";")]
        quality = next((float(p[2:]) for p in params if p.startswith("q=") and p[2:].replace(".", "", 1).isdigit()),
                       1.0)
        ranks.setdefault(media_type, (quality, -position))
    mine = ranks.get(GRAPHQL_RESPONSE)
    return mine is not None and mine > ranks.get(JSON, (0.0, 0))


def encode(body: Any, status: int, headers: dict[str, str], graphql_response: bool) -> Response:
    """In application/graphql-response+json, a request that never reached
    execution (it did not parse, validate or coerce its variables) is a 400
    without `data`."""
    if graphql_response and isinstance(body, dict) and status == 200 and body.get("data") is None \
            and body.get("errors") and all("path" not in error for error in body["errors"]):
        body = {key: value for key, value in body.items() if key != "data"}
        status = 400
    return Response(json.dumps(body, separators=(",", ":")), status_code=status, headers=headers,
                    media_type=GRAPHQL_RESPONSE if graphql_response else JSON)


def refusal(message: str, graphql_response: bool, status: int = 400) -> Response:
    code = TopLevelCode.METHOD_NOT_ALLOWED if status == 405 else TopLevelCode.BAD_REQUEST
    headers = {"Allow": "GET, POST"} if status == 405 else {}
    return encode(error_document(code, message), status, headers, graphql_response)
