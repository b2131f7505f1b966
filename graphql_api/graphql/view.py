"""The HTTP endpoint for GraphQL: builds the context and formats errors."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

import anyio
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.parse_content_type import parse_content_type
from cross_web import HTTPException  # what strawberry raises for malformed HTTP requests
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from ..db.database import Database
from ..server.asgi import HTTP_CODES, error_document
from ..settings import Settings
from .context import Context, OperationResponse
from .errors import format_error
from .loaders import Loaders
from .prepared import PreparedOperations, execute_prepared
from .throttle import Throttle
from ..error_codes import TopLevelCode

GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHIQL_ASSETS = Path(__file__).resolve().parent.parent / "static" / "graphiql"
GRAPHIQL_PAGE = GRAPHIQL_ASSETS / "index.html"


def _prefers_graphql_response(request: Request) -> bool:
    """GraphQL over HTTP: answer in application/graphql-response+json when the
    client ranks it above application/json."""
    accept = request.headers.get("accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return False  # most clients: no need to rank anything
    ranks = {}
    for position, part in enumerate(accept.split(",")):
        media_type, *params = [p.strip() for p in part.split(";")]
        quality = next((float(p[2:]) for p in params if p.startswith("q=") and p[2:].replace(".", "", 1).isdigit()), 1.0)
        ranks.setdefault(media_type, (quality, -position))
    mine = ranks.get(GRAPHQL_RESPONSE)
    return mine is not None and mine > ranks.get("application/json", (0.0, 0))


_POST_OPERATIONS = OperationType.from_http("POST")
_OPTIONAL_OBJECT = (dict, type(None))
_OPTIONAL_STRING = (str, type(None))


# What strawberry reads of each operation, and what each must be.
_MEMBERS = {
    "query": (_OPTIONAL_STRING, "a string"),
    "variables": (_OPTIONAL_OBJECT, "an object"),
    "operationName": (_OPTIONAL_STRING, "a string"),
    "extensions": (_OPTIONAL_OBJECT, "an object"),
}


def _body_shape_error(data: object) -> Optional[str]:
    """Why a decoded JSON body is neither one operation nor a batch of them.
    Strawberry reads the members of whatever it is given: a body of `null`, a
    string or `[1]` was a 500."""
    for operation in data if isinstance(data, list) else [data]:
        if not isinstance(operation, dict):
            return "The request body must be a JSON object, or an array of objects for a batch."
        for name, (types, kind) in _MEMBERS.items():
            if not isinstance(operation.get(name), types):
                return f"The GraphQL operation's `{name}` must be {kind} or null, if provided."
    return None


def _plain_operation(data: object) -> Optional[dict]:
    """The decoded request body as one operation, when it is the plain kind: a
    JSON object with a non-empty `query` and well-typed optional members."""
    if isinstance(data, dict) and data.get("query") and _body_shape_error(data) is None:
        return data
    return None


# A \uD800-\uDFFF escape: only then can a decoded string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _as_graphql_response(response: Response) -> Response:
    """With that media type, a request that never reached execution (it did not
    parse, validate or coerce its variables) is a 400 without `data`."""
    body = json.loads(response.body)
    status = response.status_code
    if isinstance(body, dict) and status == 200 and body.get("data") is None and body.get("errors") \
            and all("path" not in error for error in body["errors"]):
        body.pop("data", None)
        status = 400
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
    return Response(json.dumps(body), status_code=status, headers=headers, media_type=GRAPHQL_RESPONSE)


class SubResponse:
    """What an operation may set on its response: the status and headers (a
    throttled one sets 429 and Retry-After). The plain-operation path's
    stand-in for strawberry's sub-response, which is a whole Response."""

    __slots__ = ("status_code", "headers")

    def __init__(self) -> None:
        self.status_code: Optional[int] = None
        self.headers: dict[str, str] = {}


class GraphQLView(GraphQL):
    def __init__(
        self, schema, *, database: Database, settings: Settings, clock: Callable[[], datetime], throttle: Throttle
    ):
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None,
                         allow_queries_via_get=settings.allow_get_queries)
        self.database = database
        self.settings = settings
        self.clock = clock
        self.throttle = throttle
        self.prepared = PreparedOperations(settings.validation_cache_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry answers malformed HTTP requests in plain text; answer in
        GraphQL's error shape instead."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if scope["state"].get("graphiql_page"):  # decided once, by the authentication middleware
            page = await self.render_graphql_ide(request)
            await page(scope, receive, send)
            return
        if scope["state"].get("caller") is None:  # only reachable if the app is wired without it
            raise RuntimeError("a GraphQL request reached the view without an authenticated caller")
        try:
            response = await self._run_plain_operation(request) or await self.run(request)
        except HTTPException as error:
            code = HTTP_CODES.get(error.status_code, TopLevelCode.BAD_REQUEST)
            response = JSONResponse(error_document(code, error.reason), status_code=error.status_code)
        if response.media_type == "application/json" and _prefers_graphql_response(request):
            response = _as_graphql_response(response)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """The request body, or a GET request's `variables` or `extensions`.
        Refused like any other malformed JSON (a 400, not a 500): JSON nested
        deeper than the interpreter's recursion limit, bytes that are not
        UTF-8, and a lone surrogate (`"\\ud800"`), which no UTF-8 can hold and
        which would fail wherever the string is encoded: the log, the
        database, the response."""
        try:
            text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
            decoded = json.loads(text)
            if _SURROGATE_ESCAPE.search(text):
                json.dumps(decoded, ensure_ascii=False).encode("utf-8")
        except RecursionError as error:
            raise json.JSONDecodeError("nested too deeply", "", 0) from error
        except UnicodeError as error:
            raise json.JSONDecodeError("not UTF-8", "", 0) from error
        return decoded

    async def parse_http_body(self, request):
        """A JSON body must be one operation or a batch of them (checked on
        a decoding of its own: this path takes only the requests the plain
        path does not)."""
        if request.method == "POST" and "application/json" in parse_content_type(request.content_type or "")[0]:
            problem = _body_shape_error(self.parse_json(await request.get_body()))
            if problem is not None:
                raise HTTPException(400, problem)
        return await super().parse_http_body(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page, served with its assets from this server."""
        return HTMLResponse(GRAPHIQL_PAGE.read_text(encoding="utf-8"))

    def should_render_graphql_ide(self, request) -> bool:
        # Strawberry's own rule reads the parameters its way; the page is
        # served only on the middleware's decision, above.
        return False

    async def _run_plain_operation(self, request: Request) -> Optional[Response]:
        """The checkout's kind of request, most of the traffic: one operation
        POSTed as a JSON object. Strawberry's `run` answers it too, among
        everything else it handles (batches, uploads, streams, GET, the IDE),
        at more CPU per apply; and a document seen before runs
        prepared (prepared.py). None when the request is not of this kind:
        `run` takes it, and answers the malformed ones."""
        if request.method != "POST" or request.headers.get("content-type", "").partition(";")[0].strip().lower() \
                != "application/json":
            return None
        try:
            operation = _plain_operation(self.decode_json(await request.body()))
        except ValueError:  # malformed JSON: `run` answers it
            return None
        if operation is None:
            return None
        sub_response = SubResponse()
        context = await self.get_context(request, response=sub_response)
        query, operation_name = operation["query"], operation.get("operationName")
        prepared = self.prepared.get(query, operation_name)
        if prepared is not None:
            result = await self._within_time_limit(execute_prepared(
                self.schema, prepared, context=context,
                variables=operation.get("variables"), operation_extensions=operation.get("extensions"),
            ))
        else:
            result = await self._first_run(query, operation, context)
        response_data = await self.process_result(request, result)
        return Response(self.encode_json(response_data), status_code=sub_response.status_code or 200,
                        headers=sub_response.headers, media_type="application/json")

    async def _first_run(self, query: str, operation: dict, context: Context) -> ExecutionResult:
        """Through strawberry's pipeline; a document that validates is kept
        for the prepared path."""
        try:
            result = await self._within_time_limit(self.schema.execute(
                query,
                variable_values=operation.get("variables"),
                context_value=context,
                operation_name=operation.get("operationName"),
                allowed_operation_types=_POST_OPERATIONS,
                operation_extensions=operation.get("extensions"),
            ))
        # As `run` answers them: the operation to run cannot be picked, or it is a kind POST does not allow.
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason("POST")) from error
        if context.validated is not None:
            self.prepared.add(query, operation.get("operationName"), context.validated)
        return result

    async def execute_operation(self, *args, **kwargs):
        return await self._within_time_limit(super().execute_operation(*args, **kwargs))

    async def _within_time_limit(self, execution):
        """The per-request time limit. Database work already running in a thread
        finishes (bounded by statement_timeout); the client gets its answer."""
        with anyio.move_on_after(self.settings.request_timeout_seconds) as scope:
            return await execution
        if scope.cancelled_caught:
            return ExecutionResult(data=None, errors=[GraphQLError(
                f"The request took longer than {self.settings.request_timeout_seconds:g} s.",
                extensions={"code": TopLevelCode.SERVICE_UNAVAILABLE, "reason": TopLevelCode.REQUEST_TIMEOUT},
            )])

    async def get_context(self, request: Request, response: Optional[OperationResponse] = None) -> Context:
        return Context(
            request=request,
            response=response,
            request_id=request.state.request_id,
            database=self.database,
            settings=self.settings,
            now=self.clock(),
            loaders=Loaders(self.database),
            throttle=self.throttle,
            caller=getattr(request.state, "caller", None),
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            request_id = request.state.request_id
            data["errors"] = [format_error(error, request_id) for error in result.errors]
            # For the request log and metrics: the first error's code.
            request.state.outcome = data["errors"][0]["extensions"].get("code", "error")
        if result.extensions:
            data["extensions"] = result.extensions
        return data
