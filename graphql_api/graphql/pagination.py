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

# The paging arguments, described alike wherever a connection takes them.
FIRST = f"How many items, 0 to {MAX_PAGE_SIZE}; null means {DEFAULT_PAGE_SIZE}."
AFTER = "An endCursor (or an edge's cursor) from this list: the page starts after that item."


@strawberry.type(description="Where a page sits in its list, as Relay defines it.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when items follow this page: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for with `after`."
    )
    start_cursor: Optional[str] = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: Optional[str] = strawberry.field(
        description="The cursor of the page's last item, the next page's `after`; null for an empty page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Give it as `after` for the items that follow this one.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list that can grow; walk it with `first` and `after`.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items with their cursors, in order.")
    nodes: list[NodeT] = strawberry.field(description="The page's items, in order, without cursors.")
    page_info: PageInfo = strawberry.field(description="Whether more items follow, and cursors to walk on.")
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
