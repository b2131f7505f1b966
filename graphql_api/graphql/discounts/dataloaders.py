from __future__ import annotations

from collections import defaultdict

from aiodataloader import DataLoader

from ...db.database import Database
from ...discounts.history import usage_pages, usages_by_ids
from ...pagination import PageRequest
from ..batch_loader import RecordsByKeyLoader


class UsageByIdLoader(RecordsByKeyLoader):
    fetch = staticmethod(usages_by_ids)


class UsagePageByCustomerLoader(DataLoader):
    """Keys are (customer id, PageRequest); customers asking for the same page
    shape share one windowed query."""

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        by_request: dict[PageRequest, list[int]] = defaultdict(list)
        for customer_id, request in keys:
            by_request[request].append(customer_id)
        pages = {}
        for request, customer_ids in by_request.items():
            found = await self.database.read(usage_pages, customer_ids, request)
            pages.update({(customer_id, request): page for customer_id, page in found.items()})
        return [pages[key] for key in keys]
