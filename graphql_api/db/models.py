"""Every table, imported in one place for Alembic and the tests."""

from ..access.models import ApiKey
from ..audit.models import CampaignEvent
from ..campaigns.models import Campaign, CampaignTarget
from ..codes.models import CouponCode
from ..customers.models import Customer
from .database import Base
from ..discounts.models import Checkout, DiscountReversal, DiscountUsage
from ..webhooks.models import Webhook, WebhookDelivery

metadata = Base.metadata

__all__ = ["ApiKey", "Base", "Campaign", "CampaignEvent", "CampaignTarget", "Checkout", "CouponCode", "Customer",
           "DiscountReversal", "DiscountUsage", "Webhook", "WebhookDelivery", "metadata"]
