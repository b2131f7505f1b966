"""The checkout flow through the generated client. From examples/python-client:

    python3 -m venv .venv
    .venv/bin/pip install 'httpx>=0.27' 'pydantic>=2'
    PYTHONPATH=generated .venv/bin/python checkout_flow.py http://127.0.0.1:8000/graphql ADMIN_KEY CHECKOUT_KEY

The URL is the server's GraphQL endpoint (ending in /graphql); PYTHONPATH
makes the generated package, generated/campaign_client, importable. The admin
key sets up a campaign; the checkout key does what a storefront does. This
writes to that server's database: a live 35% campaign, a customer and a
usage (see README.md). Prints "checkout flow ok: ..." or exits non-zero with
a message if anything is not as expected."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from campaign_client import CampaignClient
from campaign_client.input_types import ApplyDiscountInput, CreateCampaignInput
from campaign_client.enums import DiscountType


def client(url: str, key: str) -> CampaignClient:
    return CampaignClient(url=url, headers={"Authorization": f"Bearer {key}"})


async def main(url: str, admin_key: str, checkout_key: str) -> None:
    admin, checkout = client(url, admin_key), client(url, checkout_key)
    now = datetime.now(timezone.utc)

    created = await admin.create_campaign(CreateCampaignInput(
        name="Python client sale", discountType=DiscountType.CART, discountPercentage=Decimal("35"),
        startDate=now - timedelta(days=1), endDate=now + timedelta(days=30), totalBudget=Decimal("1000"),
    ))
    assert created.create_campaign.user_errors == [], created.create_campaign.user_errors
    campaign = created.create_campaign.campaign

    customer = (await checkout.create_customer(email=f"py-{uuid.uuid4().hex[:8]}@example.com", name="Py")).create_customer.customer

    offers = (await checkout.available_discounts(customer_id=customer.id, cart_value=Decimal("600"),
                                                 delivery_charge=Decimal("80"))).available_discounts
    # Other campaigns may be live too: ours must be offered, and the best at least as good.
    ours = next(offer for offer in offers.cart_discounts if offer.campaign.id == campaign.id)
    assert ours.discount_amount == Decimal("210.00") and ours.final_amount == Decimal("390.00"), ours
    assert isinstance(ours.discount_amount, Decimal)
    assert offers.best_cart_discount.discount_amount >= ours.discount_amount

    order = ApplyDiscountInput(campaignId=ours.campaign.id, customerId=customer.id, cartValue=Decimal("600"),
                               deliveryCharge=Decimal("80"), idempotencyKey=f"order-{uuid.uuid4().hex}")
    applied = (await checkout.apply_discount(order)).apply_discount
    assert applied.user_errors == [] and applied.usage is not None, applied
    again = (await checkout.apply_discount(order)).apply_discount  # a retry applies nothing more
    assert again.usage.id == applied.usage.id

    history = (await checkout.usage_history(customer_id=customer.id, first=10)).discount_usages
    assert history.total_count == 1 and history.nodes[0].discount_amount == Decimal("210.00"), history
    assert isinstance(history.nodes[0].used_at, datetime)
    print(f"checkout flow ok: {applied.usage.id} saved {applied.usage.discount_amount}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
