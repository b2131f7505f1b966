"""Authentication: who is calling, decided once for every request that needs
a key, from the headers, before the body is read."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from ...access.authenticator import Authenticator, Throttled, Unauthenticated
from ...access.roles import Role
from ..asgi import request_header, send_json_error
from ...db.database import DatabaseUnavailable
from ...error_codes import TopLevelCode


def is_graphiql_page(scope: Scope) -> bool:
    """Whether a request asks for the GraphiQL page, the one thing /graphql
    serves without a key: a GET that accepts HTML and carries no parameters
    at all, judged on the decoded query string (a percent-encoded `query=`
    is a parameter like any other). The view serves the page on this
    decision and on nothing else."""
    if scope["method"] != "GET" or scope["path"] != "/graphql":
        return False
    if "text/html" not in (request_header(scope, b"accept") or ""):
        return False
    return not parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


# Paths that need a key, and the role they need (None: any role).
PROTECTED = {"/graphql": None, "/metrics": Role.ADMIN, "/export/coupon-codes": Role.ADMIN}


class AuthenticationMiddleware:
    """Every GraphQL request (and every scrape of /metrics, which shows
    budgets) needs a valid key, checked from the headers before the body is
    read; the caller goes into the scope for the GraphQL context. Failures are
    throttled per client address (Authenticator)."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, graphiql: bool):
        self.app = app
        self.authenticator = authenticator
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PROTECTED or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self.graphiql and is_graphiql_page(scope):
            state["graphiql_page"] = True
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        try:
            caller = await self.authenticator.authenticate(request_header(scope, b"authorization"), client)
        except DatabaseUnavailable as unavailable:
            await send_json_error(send, 503, TopLevelCode.SERVICE_UNAVAILABLE, unavailable.message, {"Retry-After": "1"},
                                  extensions={"reason": unavailable.reason})
            return
        except Throttled as throttled:
            retry_after = str(throttled.retry_after)
            await send_json_error(send, 429, TopLevelCode.THROTTLED,
                                  f"Too many failed authentications; retry in {retry_after} s.",
                                  {"Retry-After": retry_after})
            return
        except Unauthenticated as refusal:
            await send_json_error(send, 401, TopLevelCode.UNAUTHENTICATED, refusal.message, {"WWW-Authenticate": "Bearer"})
            return
        state["caller"] = caller
        needed = PROTECTED[scope["path"]]
        if needed is not None and caller.role is not needed:
            await send_json_error(send, 403, TopLevelCode.FORBIDDEN, f"This needs an {needed.value} key.")
            return
        await self.app(scope, receive, send)
