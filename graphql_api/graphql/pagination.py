"""Relay connections: `{ edges { cursor node } nodes pageInfo totalCount }`."""

from __future__ import annotations

import base64
import binascii
from typing import Callable, Generic, Optional, TypeVar

import strawberry

from ..core.errors import InvalidInput
from ..pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest

NodeT = TypeVar("NodeT")
RecordT = TypeVar("RecordT")

_CURSOR_PREFIX = "cursor:"


@strawberry.type(description="Where a page sits in its list, as Relay defines it.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for with `after`."
    )
    start_cursor: Optional[str]
    end_cursor: Optional[str]


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of a list that can grow; walk it with `first` and `after`.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    nodes: list[NodeT]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Items in the whole list, not just this page.")


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{key}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, ValueError, UnicodeError):
        text = ""
    raw = text[len(_CURSOR_PREFIX):] if text.startswith(_CURSOR_PREFIX) else ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        raise InvalidInput("`after` is not a cursor this API returned.", field=("after",))
    return int(raw)


def page_request(first: Optional[int], after: Optional[str]) -> PageRequest:
    """Check paging arguments; `first: null` means the default page size."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"`first` must be between 0 and {MAX_PAGE_SIZE}.", field=("first",))
    return PageRequest(first=size, after=_decode_cursor(after) if after is not None else None)


def to_connection(page: Page[RecordT], to_node: Callable[[RecordT], NodeT]) -> Connection[NodeT]:
    edges = [Edge(cursor=encode_cursor(key), node=to_node(record)) for key, record in page.items]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )
