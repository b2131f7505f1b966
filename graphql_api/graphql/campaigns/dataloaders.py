from __future__ import annotations

from aiodataloader import DataLoader

from ...campaigns.selectors import campaigns_by_ids, targets_by_campaign_ids
from ...database import Database


class CampaignByIdLoader(DataLoader):
    """Campaigns by id, deleted ones included: usage history must still resolve
    them. Lookups for anything else filter deleted campaigns out themselves."""

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        found = await self.database.read(campaigns_by_ids, list(keys), include_deleted=True)
        return [found.get(key) for key in keys]


class TargetCustomersByCampaignIdLoader(DataLoader):
    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys):
        found = await self.database.read(targets_by_campaign_ids, list(keys))
        return [found[key] for key in keys]
