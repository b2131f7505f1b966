from __future__ import annotations

from ...audit.service import event_pages
from ..batch_loader import PagesByKeyLoader


class EventPageByCampaignLoader(PagesByKeyLoader):
    fetch = staticmethod(event_pages)
