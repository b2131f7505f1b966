"""Every dataloader, made fresh for each request so nothing is cached across
requests."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from functools import cached_property

from ..db.database import Database
from .audit.dataloaders import EventPageByCampaignLoader
from .campaigns.dataloaders import (
    CampaignByIdLoader,
    DaysByCampaignLoader,
    FiguresByCampaignIdLoader,
    TargetCustomersByCampaignIdLoader,
)
from .customers.dataloaders import CustomerByIdLoader
from .webhooks.dataloaders import DeliveryPageByWebhookLoader
from .discounts.dataloaders import (
    ReversalByIdLoader,
    ReversalsByUsageIdLoader,
    UsageByIdLoader,
    UsagePageByCustomerLoader,
)


class Loaders:
    """Each loader is made when a resolver first asks for it: most requests
    (the checkout's) need none."""

    def __init__(self, database: Database, now: datetime, zone: tzinfo = timezone.utc):
        # The request's clock reading and business time zone, for the figures that depend on them.
        self.database, self.now, self.zone = database, now, zone

    @cached_property
    def customer_by_id(self) -> CustomerByIdLoader:
        return CustomerByIdLoader(self.database)

    @cached_property
    def campaign_by_id(self) -> CampaignByIdLoader:
        return CampaignByIdLoader(self.database)

    @cached_property
    def target_customers_by_campaign_id(self) -> TargetCustomersByCampaignIdLoader:
        return TargetCustomersByCampaignIdLoader(self.database)

    @cached_property
    def usage_by_id(self) -> UsageByIdLoader:
        return UsageByIdLoader(self.database)

    @cached_property
    def usage_page_by_customer(self) -> UsagePageByCustomerLoader:
        return UsagePageByCustomerLoader(self.database)

    @cached_property
    def reversal_by_id(self) -> ReversalByIdLoader:
        return ReversalByIdLoader(self.database)

    @cached_property
    def reversals_by_usage_id(self) -> ReversalsByUsageIdLoader:
        return ReversalsByUsageIdLoader(self.database)

    @cached_property
    def event_page_by_campaign(self) -> EventPageByCampaignLoader:
        return EventPageByCampaignLoader(self.database)

    @cached_property
    def figures_by_campaign_id(self) -> FiguresByCampaignIdLoader:
        return FiguresByCampaignIdLoader(self.database, self.now)

    @cached_property
    def days_by_campaign(self) -> DaysByCampaignLoader:
        return DaysByCampaignLoader(self.database, self.now, self.zone)

    @cached_property
    def delivery_page_by_webhook(self) -> DeliveryPageByWebhookLoader:
        return DeliveryPageByWebhookLoader(self.database)
