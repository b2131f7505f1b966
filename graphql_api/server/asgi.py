"""Small ASGI helpers every middleware and the app share: reading a request
header from the scope, and the one shape of a top-level error outside
GraphQL execution (401, 403, 404, 405, 408, 413, 429, 503 and malformed
requests), the same as GraphQL's own:
{"errors": [{"message": ..., "extensions": {"code": ..., ...}}]}."""

from __future__ import annotations

import json
from typing import Optional

from starlette.types import Scope, Send

from ..error_codes import TopLevelCode


def error_document(code: str, message: str, extensions: Optional[dict] = None) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}


def error_json(code: str, message: str, extensions: Optional[dict] = None) -> bytes:
    # Compact, as Starlette's JSONResponse renders the GraphQL answers.
    return json.dumps(error_document(code, message, extensions), separators=(",", ":")).encode()


# Refusals Starlette's router makes before any view runs.
HTTP_CODES = {400: TopLevelCode.BAD_REQUEST, 404: TopLevelCode.NOT_FOUND, 405: TopLevelCode.METHOD_NOT_ALLOWED,
              415: TopLevelCode.UNSUPPORTED_MEDIA_TYPE}


def request_header(scope: Scope, name: bytes) -> Optional[str]:
    """The first value of one request header (`name` in lower case, as ASGI
    servers give them), without building a Headers object for it."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def send_json_error(send: Send, status: int, code: str, message: str, headers: Optional[dict] = None,
                          extensions: Optional[dict] = None) -> None:
    body = error_json(code, message, extensions)
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
