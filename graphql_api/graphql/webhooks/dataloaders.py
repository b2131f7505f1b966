from __future__ import annotations

from ...webhooks.service import delivery_pages
from ..batch_loader import PagesByKeyLoader


class DeliveryPageByWebhookLoader(PagesByKeyLoader):
    fetch = staticmethod(delivery_pages)
