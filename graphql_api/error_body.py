"""The one shape of a top-level error outside GraphQL execution (401, 403,
404, 405, 413, 429, 503 and malformed requests), the same as GraphQL's own:
{"errors": [{"message": ..., "extensions": {"code": ..., ...}}]}."""

from __future__ import annotations

import json
from typing import Optional


def error_document(code: str, message: str, extensions: Optional[dict] = None) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}


def error_json(code: str, message: str, extensions: Optional[dict] = None) -> bytes:
    # Compact, as Starlette's JSONResponse renders the GraphQL answers.
    return json.dumps(error_document(code, message, extensions), separators=(",", ":")).encode()


# Refusals Starlette's router makes before any view runs.
HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}
