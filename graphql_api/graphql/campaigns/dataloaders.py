from __future__ import annotations

from ...campaigns.selectors import campaigns_by_ids, targets_by_campaign_ids
from ..batch_loader import RecordsByKeyLoader


class CampaignByIdLoader(RecordsByKeyLoader):
    """Campaigns by id, deleted ones included: usage history must still resolve
    them. Lookups for anything else filter deleted campaigns out themselves."""

    fetch = staticmethod(campaigns_by_ids)
    fetch_options = {"include_deleted": True}


class TargetCustomersByCampaignIdLoader(RecordsByKeyLoader):
    """Every requested campaign gets a list, empty when it has no targets."""

    fetch = staticmethod(targets_by_campaign_ids)
