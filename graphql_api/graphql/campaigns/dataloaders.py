from __future__ import annotations

from collections import defaultdict
from datetime import datetime, tzinfo

from aiodataloader import DataLoader

from ...campaigns.selectors import campaigns_by_ids, targets_by_campaign_ids
from ...campaigns.stats import days_by_campaign, figures_by_campaign
from ...db.database import Database
from ..batch_loader import RecordsByKeyLoader


class CampaignByIdLoader(RecordsByKeyLoader):
    """Campaigns by id, deleted ones included: usage history must still resolve
    them. Lookups for anything else filter deleted campaigns out themselves."""

    fetch = staticmethod(campaigns_by_ids)
    fetch_options = {"include_deleted": True}


class TargetCustomersByCampaignIdLoader(RecordsByKeyLoader):
    """Every requested campaign gets a list, empty when it has no targets."""

    fetch = staticmethod(targets_by_campaign_ids)


class FiguresByCampaignIdLoader(DataLoader):
    """Campaign.stats's aggregates, at the request's moment."""

    def __init__(self, database: Database, now: datetime):
        super().__init__()
        self.database, self.now = database, now

    async def batch_load_fn(self, campaign_ids):
        found = await self.database.read(figures_by_campaign, list(campaign_ids), self.now)
        return [found[campaign_id] for campaign_id in campaign_ids]


class DaysByCampaignLoader(DataLoader):
    """Keys are (campaign id, days); campaigns asking for as many days share one statement."""

    def __init__(self, database: Database, now: datetime, zone: tzinfo):
        super().__init__()
        self.database, self.now, self.zone = database, now, zone

    async def batch_load_fn(self, keys):
        by_days: dict[int, list[int]] = defaultdict(list)
        for campaign_id, days in keys:
            by_days[days].append(campaign_id)
        found = {}
        for days, campaign_ids in by_days.items():
            figures = await self.database.read(days_by_campaign, campaign_ids, days, self.now, self.zone)
            found.update({(campaign_id, days): rows for campaign_id, rows in figures.items()})
        return [found[key] for key in keys]
