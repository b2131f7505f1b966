from __future__ import annotations

from aiodataloader import DataLoader

from ...customers.service import customers_by_ids
from ...database import Database


class CustomerByIdLoader(DataLoader):
    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        found = await self.database.read(customers_by_ids, list(keys))
        return [found.get(key) for key in keys]
