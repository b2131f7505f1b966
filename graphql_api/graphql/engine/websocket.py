"""Subscriptions over graphql-transport-ws on /graphql: the protocol, around
the engine's own stages.

The socket authenticates once, in connection_init, with the authenticator
the HTTP middleware uses (the key in the payload's `Authorization`); a
missing or bad key closes it with 4401, a role that may not subscribe with
4403. Each `subscribe` message then goes through the pipeline's stages as an
HTTP operation does (admit, resolve, authorize, prepare, limit), and its
execute stage starts the stream. Bounds: the socket's origin must be
allowed, a key holds at most `ws_connections_per_key` sockets per process,
a socket at most `ws_subscriptions_per_connection` subscriptions, and a
subscription that falls `live_queue_size` events behind ends the socket
(4413) instead of buffering without bound."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from urllib.parse import urlsplit
from typing import Optional

from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect

from ...access.authenticator import Authenticator, Throttled, Unauthenticated
from ...access.roles import Permission, allows
from ...error_codes import TopLevelCode
from ...live.hub import Overflow
from ...observability import metrics
from . import http
from .errors import format_error
from .documents import NoOperation
from .pipeline import GraphQLEngine, OperationRun

logger = logging.getLogger("graphql_api.websocket")

SUBPROTOCOL = "graphql-transport-ws"
# The protocol's close codes.
BAD_MESSAGE, UNAUTHORIZED, FORBIDDEN, INIT_TIMEOUT, DUPLICATE_ID, TOO_MANY_INITS = 4400, 4401, 4403, 4408, 4409, 4429
# Ours: too many sockets for the key, or a subscriber too slow to keep up.
TOO_MANY_SOCKETS, SLOW_CONSUMER = 4429, 4413
CLOSE_TIMEOUT_SECONDS = 1.0


class SocketEndpoint:
    def __init__(self, engine: GraphQLEngine, authenticator: Authenticator):
        self.engine = engine
        self.authenticator = authenticator
        self.settings = engine.settings
        self.sockets_per_key: Counter = Counter()

    def allowed_origin(self, websocket: WebSocket) -> bool:
        """A browser always sends Origin: a page of this server (the ops
        page) or one of CORS_ALLOWED_ORIGINS may open a socket, no other
        site. Server-side clients send none."""
        origin = websocket.headers.get("origin")
        if origin is None or origin in self.settings.cors_allowed_origins:
            return True
        return urlsplit(origin).netloc == websocket.headers.get("host")

    async def __call__(self, scope, receive, send) -> None:
        await self.serve(WebSocket(scope, receive, send))

    async def serve(self, websocket: WebSocket) -> None:
        if SUBPROTOCOL not in websocket.scope.get("subprotocols", []) or not self.allowed_origin(websocket):
            await _refuse(websocket, code=1008)  # before accept: the handshake is refused with 403
            return
        await websocket.accept(subprotocol=SUBPROTOCOL)
        caller = await self._init(websocket)
        if caller is None:
            return
        key = caller.public_id
        if self.sockets_per_key[key] >= self.settings.ws_connections_per_key:
            await _refuse(websocket, code=TOO_MANY_SOCKETS, reason="Too many sockets for this key")
            return
        self.sockets_per_key[key] += 1
        try:
            await Session(self, websocket).run()
        finally:
            self.sockets_per_key[key] -= 1

    async def _init(self, websocket: WebSocket):
        try:
            message = await asyncio.wait_for(websocket.receive_text(), self.settings.ws_init_timeout_seconds)
        except asyncio.TimeoutError:
            await _refuse(websocket, code=INIT_TIMEOUT, reason="Connection initialisation timeout")
            return None
        except WebSocketDisconnect:
            return None
        parsed = _parse(message)
        if parsed is None or parsed.get("type") != "connection_init":
            await _refuse(websocket, code=UNAUTHORIZED if parsed is not None else BAD_MESSAGE,
                                  reason="Unauthorized" if parsed is not None else "Invalid message")
            return None
        payload = parsed.get("payload") if isinstance(parsed.get("payload"), dict) else {}
        authorization = payload.get("Authorization") or payload.get("authorization")
        client = websocket.client.host if websocket.client else "unknown"
        try:
            caller = await self.authenticator.authenticate(authorization if isinstance(authorization, str) else None,
                                                           client)
        except (Unauthenticated, Throttled):
            await _refuse(websocket, code=UNAUTHORIZED, reason="Unauthorized")
            return None
        if not allows(caller.role, Permission.SUBSCRIBE):
            await _refuse(websocket, code=FORBIDDEN, reason="Forbidden")
            return None
        websocket.state.caller = caller
        websocket.state.request_id = websocket.headers.get("x-request-id") or f"ws-{id(websocket):x}"
        await websocket.send_text(json.dumps({"type": "connection_ack"}))
        return caller


async def _refuse(websocket: WebSocket, code: int, reason: str = "") -> None:
    metrics.SOCKETS_CLOSED.labels(str(code)).inc()
    await websocket.close(code=code, reason=reason)


def _parse(message: str) -> Optional[dict]:
    try:
        parsed = json.loads(message)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and isinstance(parsed.get("type"), str) else None


class Session:
    """One acknowledged socket and its subscriptions."""

    def __init__(self, endpoint: SocketEndpoint, websocket: WebSocket):
        self.endpoint = endpoint
        self.engine = endpoint.engine
        self.websocket = websocket
        self.running: dict[str, asyncio.Task] = {}
        self.closed: Optional[int] = None
        self.main: Optional[asyncio.Task] = None
        self.pending_sends = 0
        self.waiting_since = 0.0  # since a send began with none pending, or the last one completed

    async def run(self) -> None:
        self.main = asyncio.current_task()
        watchdog = asyncio.create_task(self.watch_sends())
        try:
            while self.closed is None:
                message = _parse(await self.websocket.receive_text())
                if message is None:
                    return await self.close(BAD_MESSAGE, "Invalid message")
                kind = message["type"]
                if kind == "ping":
                    await self.send({"type": "pong"})
                elif kind == "pong":
                    pass
                elif kind == "connection_init":
                    return await self.close(TOO_MANY_INITS, "Too many initialisation requests")
                elif kind == "subscribe":
                    await self.subscribe(message)
                elif kind == "complete":
                    task = self.running.pop(str(message.get("id")), None)
                    if task is not None:
                        task.cancel()
                else:
                    return await self.close(BAD_MESSAGE, f"Unknown message type {kind!r}")
        except WebSocketDisconnect:
            pass
        except asyncio.CancelledError:
            # Dropped (drop()): the socket is done with, not the server; a
            # shutdown's cancellation on top of it still ends the task.
            if self.closed != SLOW_CONSUMER or self.main.uncancel() > 0:
                raise
        finally:
            watchdog.cancel()
            for task in self.running.values():
                task.cancel()

    def _cancel_others(self) -> None:
        for task in list(self.running.values()):
            if task is not asyncio.current_task():
                task.cancel()

    async def close(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = code
            self._cancel_others()
            try:  # a client that does not read would not take the close frame either
                await asyncio.wait_for(_refuse(self.websocket, code, reason), CLOSE_TIMEOUT_SECONDS)
            except (asyncio.TimeoutError, RuntimeError, WebSocketDisconnect):
                pass

    async def drop(self) -> None:
        """A subscriber that does not keep up: its socket is closed (4413)
        without waiting for it to read, so nothing more is buffered for it."""
        if self.closed is not None:
            return
        self.closed = SLOW_CONSUMER
        self._cancel_others()
        try:
            await asyncio.wait_for(_refuse(self.websocket, SLOW_CONSUMER, "Subscriber too slow"),
                                   CLOSE_TIMEOUT_SECONDS)
        except (asyncio.TimeoutError, RuntimeError, WebSocketDisconnect):
            pass  # it does not read its close frame either
        if self.main is not None:
            self.main.cancel()

    async def send(self, message: dict) -> None:
        await self.send_text(json.dumps(message))

    async def send_text(self, text: str) -> None:
        loop = asyncio.get_running_loop()
        if not self.pending_sends:
            self.waiting_since = loop.time()
        self.pending_sends += 1
        try:
            await self.websocket.send_text(text)  # waits while the client does not read
        finally:
            self.pending_sends -= 1
            self.waiting_since = loop.time()

    async def watch_sends(self) -> None:
        """A socket whose sends wait WS_SEND_TIMEOUT_SECONDS with none
        completing is dropped: one timer a socket rather than one a message."""
        timeout = self.engine.settings.ws_send_timeout_seconds
        loop = asyncio.get_running_loop()
        while self.closed is None:
            await asyncio.sleep(min(timeout / 4, 1.0))
            if self.pending_sends and loop.time() - self.waiting_since > timeout:
                return await self.drop()

    async def subscribe(self, message: dict) -> None:
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not isinstance(payload, dict):
            return await self.close(BAD_MESSAGE, "Invalid message")
        if operation_id in self.running:
            return await self.close(DUPLICATE_ID, f"Subscriber for {operation_id} already exists")
        if len(self.running) >= self.engine.settings.ws_subscriptions_per_connection:
            return await self.send({"type": "error", "id": operation_id, "payload": [{
                "message": f"A socket holds at most {self.engine.settings.ws_subscriptions_per_connection} "
                           "subscriptions.", "extensions": {"code": "BAD_REQUEST"}}]})
        query, variables = payload.get("query"), payload.get("variables") or {}
        name, extensions = payload.get("operationName"), payload.get("extensions") or {}
        if not (isinstance(query, str) and isinstance(variables, dict) and isinstance(extensions, dict)
                and (name is None or isinstance(name, str))):
            return await self.close(BAD_MESSAGE, "Invalid message")
        sent = http.OperationRequest(query=query, variables=variables, operation_name=name, extensions=extensions)
        exchange = self.engine.authenticate(self.websocket, batch=False, websocket=True)
        try:
            run = await self.engine.run(exchange, sent)  # the stages, and settling, as over HTTP
            errors = run.errors or ([] if run.stream is not None else [GraphQLError("The subscription did not start.")])
        except (http.BadRequest, NoOperation) as refusal:  # over HTTP, a 400
            errors = [GraphQLError(refusal.message, extensions={"code": TopLevelCode.BAD_REQUEST})]
        if errors:
            request_id = exchange.context.request_id
            return await self.send({"type": "error", "id": operation_id,
                                    "payload": [format_error(error, request_id) for error in errors]})
        self.running[operation_id] = asyncio.create_task(self.stream(operation_id, run, exchange))

    async def stream(self, operation_id: str, run: OperationRun, exchange) -> None:
        request_id = exchange.context.request_id
        field = run.prepared.operation.selection_set.selections[0].name.value
        sent = metrics.SUBSCRIPTION_MESSAGES.labels(field)
        metrics.SUBSCRIPTIONS.inc()
        try:
            framing = '{"type":"next","id":' + json.dumps(operation_id) + ',"payload":%s}'
            async for shared in run.stream:
                result = shared.result
                if result.errors:
                    if any(isinstance(error.original_error, Overflow) for error in result.errors):
                        return await self.drop()
                    payload = json.dumps({"data": result.data,
                                          "errors": [format_error(error, request_id) for error in result.errors]})
                else:
                    if shared.payload_text is None:
                        shared.payload_text = json.dumps({"data": result.data})
                    payload = shared.payload_text
                await self.send_text(framing % payload)
                sent.inc()
            await self.send({"type": "complete", "id": operation_id})
        except Overflow:
            await self.drop()
        except (WebSocketDisconnect, RuntimeError):
            pass  # the socket went away
        finally:
            metrics.SUBSCRIPTIONS.dec()
            self.running.pop(operation_id, None)
            aclose = getattr(run.stream, "aclose", None)
            if aclose is not None:
                await aclose()
