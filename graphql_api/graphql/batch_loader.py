"""The shape every by-id loader shares: one service call per batch of keys."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, ClassVar

from aiodataloader import DataLoader

from ..db.database import Database


class RecordsByKeyLoader(DataLoader):
    """Subclasses name `fetch(session, keys) -> {key: record}`; a key that
    finds nothing loads as None."""

    fetch: ClassVar[Callable[..., dict]]
    fetch_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        found = await self.database.read(type(self).fetch, list(keys), **self.fetch_options)
        return [found.get(key) for key in keys]


class PagesByKeyLoader(DataLoader):
    """Keys are (key, PageRequest); subclasses name `fetch(session, keys,
    request) -> {key: Page}`. Keys asking for the same page shape share one
    windowed query."""

    fetch: ClassVar[Callable[..., dict]]

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        by_request: dict[Any, list] = defaultdict(list)
        for key, request in keys:
            by_request[request].append(key)
        pages = {}
        for request, grouped in by_request.items():
            found = await self.database.read(type(self).fetch, grouped, request)
            pages.update({(key, request): page for key, page in found.items()})
        return [pages[key] for key in keys]
