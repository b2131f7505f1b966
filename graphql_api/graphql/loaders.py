"""Every dataloader, made fresh for each request so nothing is cached across
requests."""

from __future__ import annotations

from ..database import Database
from .campaigns.dataloaders import CampaignByIdLoader, TargetCustomersByCampaignIdLoader
from .customers.dataloaders import CustomerByIdLoader
from .discounts.dataloaders import UsageByIdLoader, UsagePageByCustomerLoader


class Loaders:
    def __init__(self, database: Database):
        self.customer_by_id = CustomerByIdLoader(database)
        self.campaign_by_id = CampaignByIdLoader(database)
        self.target_customers_by_campaign_id = TargetCustomersByCampaignIdLoader(database)
        self.usage_by_id = UsageByIdLoader(database)
        self.usage_page_by_customer = UsagePageByCustomerLoader(database)
