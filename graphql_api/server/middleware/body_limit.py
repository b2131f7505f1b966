"""The request body, read before the app runs, bounded in size and time."""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..asgi import request_header, send_json_error
from ...error_codes import TopLevelCode


class BodyLimitMiddleware:
    """Reads the request body before the app runs: at most `max_bytes` (413
    past that) and within `timeout_seconds` (408 past that), so a client
    sending a byte now and then holds neither memory nor a worker."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = request_header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        if scope.get("state", {}).get("caller") is None:
            # No key, so nothing downstream reads a body (the GraphiQL page,
            # /health, unknown paths): never hold one for a stranger.
            await self.app(scope, receive, send)
            return
        # Read it all here (bounded in size and time), then replay it to the app.
        chunks, size, more = [], 0, True
        with anyio.move_on_after(self.timeout_seconds) as deadline:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes:
                    await self._too_large(send)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
        if deadline.cancelled_caught:
            await send_json_error(send, 408, TopLevelCode.REQUEST_TIMEOUT,
                                  f"The request body did not arrive within {self.timeout_seconds:g} s.",
                                  {"Connection": "close"})
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await send_json_error(
            send, 413, TopLevelCode.REQUEST_TOO_LARGE, f"The request body is larger than {self.max_bytes} bytes."
        )
