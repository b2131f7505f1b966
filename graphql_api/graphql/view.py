"""The HTTP endpoint for GraphQL: builds the context and formats errors."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Optional

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from ..database import Database
from ..settings import Settings
from .context import Context
from .errors import format_error
from .loaders import Loaders


class GraphQLView(GraphQL):
    def __init__(self, schema, *, database: Database, settings: Settings, clock: Callable[[], datetime]):
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.database = database
        self.settings = settings
        self.clock = clock

    async def get_context(self, request: Request, response: Optional[Response] = None) -> Context:
        return Context(
            request=request,
            response=response,
            request_id=request.state.request_id,
            database=self.database,
            settings=self.settings,
            now=self.clock(),
            loaders=Loaders(self.database),
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            request_id = request.state.request_id
            data["errors"] = [format_error(error, request_id) for error in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data
