"""The one way a GraphQL request is answered.

Before the engine, the server's middleware has given the request an id
(and will write its log line and metrics from what the engine tags),
authenticated the caller from the headers, and bounded and read the body
(server/app.py). Then, for every request, GET or POST, text or trusted
document, first run of a document or thousandth:

1. decode: the operations in the body or the query string (http.py);
2. authenticate: the caller the middleware established, and the context
   resolvers read;
then, for each operation, the STAGES in order:
3. admit: the minimum charge to the caller's bucket, before any work;
4. resolve: the text, as sent or from the trusted-documents manifest;
5. authorize: may this caller run this document (TRUSTED_DOCUMENTS);
6. prepare: parsed, picked and validated (documents.py; cached);
7. limit: the cost limit, and the charge of the requested cost;
8. execute: graphql-core runs it with the schema strawberry built (a
   subscription, only on a WebSocket: websocket.py, starts its stream);
and, whatever happened, 9. settle: the refund down to the actual cost and
the cost report; 10. respond: the response, in the media type asked for.

A cache shortens the work inside a stage (prepare), never skips one.
Strawberry provides the schema and its types; it runs no extension here
(tests/api/test_engine.py fails when the schema gains one).
"""

from __future__ import annotations

import asyncio
import functools
import json
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

import anyio
from graphql import ExecutionResult, GraphQLError, OperationType, execute
from graphql.execution import create_source_event_stream, execute_subscription_event
from graphql.execution.execute import ExecutorThrowingOnIncremental
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from ...access.roles import Role
from ...db.database import Database
from ...error_codes import TopLevelCode
from ...settings import Settings
from ..context import Context
from ..loaders import Loaders
from . import http
from .adapter import core_schema, is_awaitable
from .documents import Documents, InvalidDocument, NoOperation, PreparedDocument
from .errors import format_error
from .execution import PlainFieldExecutor
from .metering import MeteredOperation, Throttle
from .trusted import DocumentNotFound, TrustedDocuments, id_from_request, not_found_error, sha256_hex

GRAPHIQL_PAGE = Path(__file__).resolve().parent.parent.parent / "static" / "graphiql" / "index.html"


@functools.lru_cache(maxsize=1)
def _graphiql_page() -> str:
    return GRAPHIQL_PAGE.read_text(encoding="utf-8")


# Each event's results, by who asked what (role, document, variables), keyed
# by the event's identity (strawberry types compare by value and do not hash):
# kept as long as the event object lives, that is while subscribers still hold it.
_RESULTS: dict[int, dict] = {}


def _results_of(event) -> dict:
    results = _RESULTS.get(id(event))
    if results is None:
        try:
            weakref.finalize(event, _RESULTS.pop, id(event), None)
        except TypeError:  # an event that cannot be weakly referenced is executed for itself
            return {}
        results = _RESULTS[id(event)] = {}
    return results


@dataclass(eq=False)
class EventResult:
    """One execution of a subscription's document for one event, shared by
    every subscriber who sent that document, and its payload as JSON text
    once the first of them has written it (an error-free one only: errors
    carry each request's id)."""

    result: ExecutionResult
    payload_text: Optional[str] = None


async def _awaited(executing) -> EventResult:
    return EventResult(await executing)


async def _shared(executor, source, shared_by: tuple):
    """MapSourceToResponseEvent, with one execution per event and `shared_by`.
    The subscribers of a change all wake in one turn of the loop: an execution
    that awaits (a loader) is kept as a task from its start, which the others
    await, shielded, so that one subscriber leaving cancels it for none."""
    build = executor.build_per_event_executor
    try:
        async for event in source:
            results = _results_of(event)
            result = results.get(shared_by)
            if result is None:
                executed = execute_subscription_event(build(event))
                result = results[shared_by] = (asyncio.ensure_future(_awaited(executed)) if is_awaitable(executed)
                                               else EventResult(executed))
            if isinstance(result, asyncio.Future):
                result = await asyncio.shield(result)
            yield result
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


class Refused(Exception):
    """A stage stops the operation: these errors are its answer."""

    def __init__(self, *errors: GraphQLError):
        super().__init__(errors[0].message)
        self.errors = list(errors)


@dataclass
class Exchange:
    """One HTTP request on its way through the engine."""

    request: Request  # or the WebSocket, for a subscription
    context: Context
    bucket: str  # the caller's rate-limit bucket
    batch: bool = False  # an array of operations: each answers for itself
    method: str = "POST"  # GET may not mutate (documents.py)
    websocket: bool = False  # graphql-transport-ws: subscriptions only
    status: Optional[int] = None  # set by a stage: 429 for a throttled operation
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class OperationRun:
    """One operation on its way through the stages."""

    sent: http.OperationRequest
    metered: MeteredOperation
    text: Optional[str] = None  # the document's text, as sent or from the manifest
    trusted: bool = False  # named by id, or text identical to a trusted document
    prepared: Optional[PreparedDocument] = None
    data: Optional[dict] = None
    errors: list[GraphQLError] = field(default_factory=list)
    timed_out: bool = False
    stream: Any = None  # a subscription's results, an async iterator


class GraphQLEngine:
    """The ASGI app behind /graphql."""

    def __init__(self, schema, *, database: Database, settings: Settings, clock: Callable[[], datetime],
                 throttle: Throttle, trusted: TrustedDocuments, live=None):
        self.schema = core_schema(schema)
        self.database = database
        self.settings = settings
        self.clock = clock
        self.throttle = throttle
        self.trusted = trusted
        self.live = live  # graphql_api.live.hub.Hub: what subscriptions read
        self.documents = Documents(self.schema, settings)
        # Checkout keys run only trusted documents.
        self.trusted_only = {Role.CHECKOUT} if settings.trusted_documents == "require" else set()
        self.stages = (self.admit, self.resolve, self.authorize, self.prepare, self.limit, self.execute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if scope["state"].get("graphiql_page"):  # decided once, by the authentication middleware
            response: Response = HTMLResponse(_graphiql_page())
        else:
            response = await self.answer(request)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        graphql_response = http.prefers_graphql_response(request)
        try:
            operations, batch = await http.decode(request, self.settings.batch_max_operations)
            exchange = self.authenticate(request, batch)
            if batch:
                runs = await asyncio.gather(*(self.run(exchange, sent) for sent in operations))
            else:
                runs = [await self.run(exchange, operations[0])]
        except (http.BadRequest, NoOperation) as refusal:
            return http.refusal(refusal.message, graphql_response, getattr(refusal, "status", 400))
        bodies = [self.respond(exchange, run) for run in runs]
        return http.encode(bodies if batch else bodies[0], exchange.status or 200, exchange.headers,
                           graphql_response and not batch)

    def authenticate(self, request: Request, batch: bool, *, websocket: bool = False) -> Exchange:
        """`request.state.caller` is set by the authentication middleware, or
        for a WebSocket by its connection_init, with the same authenticator."""
        caller = getattr(request.state, "caller", None)
        if caller is None:  # only reachable if the app is wired without the authentication middleware
            raise RuntimeError("a GraphQL request reached the engine without an authenticated caller")
        now = self.clock()
        context = Context(caller=caller, database=self.database, settings=self.settings, now=now,
                          loaders=Loaders(self.database, now, self.settings.business_timezone),
                          request_id=request.state.request_id, clock=self.clock, live=self.live)
        return Exchange(request, context, bucket=f"key:{caller.public_id}", batch=batch,
                        method="POST" if websocket else request.method, websocket=websocket)

    async def run(self, exchange: Exchange, sent: http.OperationRequest) -> OperationRun:
        """The stages in order; a refusal ends them, settling never is skipped.
        Database work already running in a thread when the time limit strikes
        finishes (bounded by statement_timeout); the client gets its answer."""
        run = OperationRun(sent, MeteredOperation(self.throttle, exchange.bucket, self.settings.max_query_cost))
        try:
            with anyio.move_on_after(self.settings.request_timeout_seconds) as deadline:
                try:
                    for stage in self.stages:
                        await stage(exchange, run)
                except Refused as refusal:
                    run.errors = refusal.errors
                except (http.BadRequest, NoOperation) as refusal:
                    # Alone, the request is a 400. In a batch the others run anyway: one
                    # malformed entry must not answer 400 for mutations that committed.
                    if not exchange.batch:
                        raise
                    run.errors = [GraphQLError(refusal.message, extensions={"code": TopLevelCode.BAD_REQUEST})]
            if deadline.cancelled_caught:
                run.timed_out, run.data = True, None
                run.errors = [GraphQLError(
                    f"The request took longer than {self.settings.request_timeout_seconds:g} s.",
                    extensions={"code": TopLevelCode.SERVICE_UNAVAILABLE, "reason": TopLevelCode.REQUEST_TIMEOUT},
                )]
        finally:
            await self.settle(exchange, run)
        return run

    async def admit(self, exchange: Exchange, run: OperationRun) -> None:
        await self._charge(exchange, run, run.metered.admit())

    async def resolve(self, exchange: Exchange, run: OperationRun) -> None:
        sent = run.sent
        try:
            digest = id_from_request(sent.document_id, sent.extensions)
        except ValueError as error:
            raise http.BadRequest(str(error)) from None
        if digest is None:
            if not sent.query:
                raise http.BadRequest("No GraphQL query found in the request")
            run.text = sent.query
            return
        try:
            run.text, run.trusted = self.trusted.text(digest), True
        except DocumentNotFound:
            if not sent.query:
                raise Refused(not_found_error(digest)) from None
            run.text = sent.query  # Apollo's second try: the text with its hash
        if sent.query is not None and sha256_hex(sent.query) != digest:
            raise http.BadRequest("The query text is not the document its id names.")

    async def authorize(self, exchange: Exchange, run: OperationRun) -> None:
        if exchange.context.caller.role in self.trusted_only and not (run.trusted or self.trusted.trusts(run.text)):
            raise Refused(GraphQLError(
                "This key may run only trusted documents: send the documentId of one (README: Trusted documents).",
                extensions={"code": TopLevelCode.DOCUMENT_NOT_TRUSTED},
            ))

    async def prepare(self, exchange: Exchange, run: OperationRun) -> None:
        try:
            run.prepared = prepared = self.documents.resolve(run.text, run.sent.operation_name, exchange.method)
        except InvalidDocument as invalid:
            if invalid.operation is not None:
                self._tag(exchange, invalid.operation, run.sent.operation_name)
            raise Refused(*invalid.errors) from None
        self._tag(exchange, prepared.operation, prepared.operation_name)

    async def limit(self, exchange: Exchange, run: OperationRun) -> None:
        prepared = run.prepared
        await self._charge(exchange, run, run.metered.start(
            self.schema, prepared.document, prepared.operation, run.sent.variables, prepared.costs))

    async def execute(self, exchange: Exchange, run: OperationRun) -> None:
        prepared = run.prepared
        if (prepared.operation.operation is OperationType.SUBSCRIPTION) != exchange.websocket:
            raise Refused(GraphQLError(
                "Subscriptions run over a WebSocket on /graphql (graphql-transport-ws)." if not exchange.websocket
                else "This socket runs subscriptions only; send queries and mutations over HTTP.",
                extensions={"code": TopLevelCode.BAD_REQUEST}))
        if exchange.websocket:
            return await self._subscribe(exchange, run)
        try:
            result = execute(
                self.schema,
                prepared.document,
                variable_values=run.sent.variables,
                operation_name=prepared.operation_name,
                context_value=exchange.context,
                is_awaitable=is_awaitable,
                executor_class=PlainFieldExecutor,
                hide_suggestions=self.settings.production,
                operation_extensions=run.sent.extensions,
                shared_selections=prepared.selections,
            )
            if is_awaitable(result):
                result = await result
        except GraphQLError as error:
            raise Refused(error) from None
        except Exception as error:  # masked by format_error, logged with the request id
            raise Refused(GraphQLError(str(error), original_error=error)) from None
        run.data, run.errors = result.data, list(result.errors or ())

    async def _subscribe(self, exchange: Exchange, run: OperationRun) -> None:
        """graphql-core's Subscribe, composed from its parts so that the
        subscribers of one change who sent the same document share one
        execution of it (a cache inside the execute stage)."""
        prepared = run.prepared
        executor = ExecutorThrowingOnIncremental.build(
            self.schema, prepared.document, None, exchange.context, run.sent.variables, prepared.operation_name,
            is_awaitable=is_awaitable, hide_suggestions=self.settings.production)
        if isinstance(executor, list):  # the variables did not coerce
            raise Refused(*executor)
        try:
            source = create_source_event_stream(executor)
            if is_awaitable(source):
                source = await source
        except GraphQLError as error:
            raise Refused(error) from None
        if isinstance(source, ExecutionResult):  # refused before its stream began
            raise Refused(*(source.errors or [GraphQLError("The subscription did not start.")]))
        shared_by = (exchange.context.caller.role, id(prepared.document), prepared.operation_name,
                     json.dumps(run.sent.variables, sort_keys=True, default=str))
        run.stream = _shared(executor, source, shared_by)

    async def settle(self, exchange: Exchange, run: OperationRun) -> None:
        # A timed-out operation keeps its whole charge: slowness is not refunded;
        # nor is a subscription's, which is charged once, when it starts.
        surcharge, exchange.context.surcharge = exchange.context.surcharge, 0
        if run.stream is not None:
            await run.metered.penalize(surcharge)
        elif not run.timed_out:
            await run.metered.finish(run.data, surcharge)
        else:
            await run.metered.penalize(surcharge)

    def respond(self, exchange: Exchange, run: OperationRun) -> dict[str, Any]:
        body: dict[str, Any] = {"data": run.data}
        if run.errors:
            request_id = exchange.context.request_id
            body["errors"] = [format_error(error, request_id) for error in run.errors]
            # For the request log and metrics: the first error's code.
            exchange.request.state.outcome = body["errors"][0]["extensions"].get("code", "error")
        report = run.metered.report()
        if report:
            body["extensions"] = report
        return body

    @staticmethod
    async def _charge(exchange: Exchange, run: OperationRun, charging) -> None:
        """A charge the bucket or the cost limit refuses stops the operation;
        a throttled one makes the response a 429 with Retry-After."""
        try:
            await charging
        except GraphQLError as refusal:
            if run.metered.retry_after is not None:
                exchange.status = 429
                exchange.headers["Retry-After"] = str(run.metered.retry_after)
            raise Refused(refusal) from None

    @staticmethod
    def _tag(exchange: Exchange, operation, operation_name: Optional[str]) -> None:
        """Names the operation for the request log and metrics."""
        state = exchange.request.state
        state.operation_name = operation.name.value if operation.name else operation_name
        state.operation_type = operation.operation.value
