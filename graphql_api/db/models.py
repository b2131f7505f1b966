"""Every table, imported in one place for Alembic and the tests."""

from ..access.models import ApiKey
from ..campaigns.models import Campaign, CampaignTarget
from ..customers.models import Customer
from .database import Base
from ..discounts.models import DiscountUsage

metadata = Base.metadata

__all__ = ["ApiKey", "Base", "Campaign", "CampaignTarget", "Customer", "DiscountUsage", "metadata"]
