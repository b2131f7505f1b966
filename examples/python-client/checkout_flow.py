"""The checkout flow through the generated client. From examples/python-client:

    python3 -m venv .venv
    .venv/bin/pip install 'httpx>=0.27' 'pydantic>=2'
    PYTHONPATH=generated .venv/bin/python checkout_flow.py http://127.0.0.1:8000/graphql ADMIN_KEY CHECKOUT_KEY

The URL is the server's GraphQL endpoint (ending in /graphql); PYTHONPATH
makes the generated package, generated/campaign_client, importable. The admin
key sets up a campaign; the checkout key does what a storefront does. This
writes to that server's database: a live 35% campaign, a customer and a
usage, then a live coupon-code campaign with its code, a second customer and
that customer's checkout, then a third customer's order under the 35%
campaign, refunded in two reversals (see README.md). Prints "checkout flow
ok: ...", "code checkout ok: ..." and "refund flow ok: ..." or exits non-zero
with a message if anything is not as expected."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from campaign_client import CampaignClient
from campaign_client.input_types import (
    AddCouponCodesInput,
    ApplyBestDiscountsInput,
    ApplyDiscountInput,
    CreateCampaignInput,
    ReverseDiscountUsageInput,
)
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

    await code_checkout(admin, checkout, now)
    await refund(checkout, campaign.id)


async def code_checkout(admin: CampaignClient, checkout: CampaignClient, now: datetime) -> None:
    """A coupon code: 25.00 off delivery, only with the code. A new customer
    who types it in any case gets it together with the 35% campaign above."""
    created = await admin.create_campaign(CreateCampaignInput(
        name="Python client welcome code", discountType=DiscountType.DELIVERY, discountFlat=Decimal("25"),
        startDate=now - timedelta(days=1), endDate=now + timedelta(days=30), totalBudget=Decimal("1000"),
        requiresCode=True,
    ))
    assert created.create_campaign.user_errors == [], created.create_campaign.user_errors
    campaign = created.create_campaign.campaign
    code = f"WELCOME-25-{uuid.uuid4().hex[:8].upper()}"  # codes are unique across the service
    added = (await admin.add_coupon_codes(AddCouponCodesInput(campaignId=campaign.id, codes=[code]))).add_coupon_codes
    assert added.user_errors == [] and added.added_count == 1 and added.campaign.requires_code, added

    customer = (await checkout.create_customer(email=f"py-{uuid.uuid4().hex[:8]}@example.com",
                                               name="Py code")).create_customer.customer
    order = ApplyBestDiscountsInput(customerId=customer.id, cartValue=Decimal("600"), deliveryCharge=Decimal("80"),
                                    couponCodes=[code.lower()], orderReference=f"order-{uuid.uuid4().hex[:12]}",
                                    idempotencyKey=f"checkout-{uuid.uuid4().hex}")
    result = (await checkout.apply_best_discounts(order)).apply_best_discounts
    assert result.user_errors == [] and result.checkout is not None, result
    done = result.checkout
    # The best CART offer (35% of 600) and the best DELIVERY one (the code's 25.00 of 80) together.
    assert done.cart_discount.discount_amount == Decimal("210.00"), done
    assert done.delivery_discount.campaign.id == campaign.id and done.delivery_discount.coupon_code == code, done
    assert done.total_discount == Decimal("235.00") and done.total_payable == Decimal("445.00"), done
    assert done.rejected_coupon_codes == [] and done.order_reference == order.order_reference, done
    assert len(done.usages) == 2 and {usage.coupon_code for usage in done.usages} == {None, code}, done.usages

    again = (await checkout.apply_best_discounts(order)).apply_best_discounts  # a retry applies nothing more
    assert again.user_errors == [] and [u.id for u in again.checkout.usages] == [u.id for u in done.usages], again
    print(f"code checkout ok: {done.order_reference} saved {done.total_discount}")


async def refund(checkout: CampaignClient, campaign_id: str) -> None:
    """A refund in two parts, with the checkout key: a new customer's order
    gets the 35% campaign's 210.00; half of it is given back to the budget,
    a retry of that gives back nothing more, then the rest is."""
    customer = (await checkout.create_customer(email=f"py-{uuid.uuid4().hex[:8]}@example.com",
                                               name="Py refund")).create_customer.customer
    order = ApplyDiscountInput(campaignId=campaign_id, customerId=customer.id, cartValue=Decimal("600"),
                               deliveryCharge=Decimal("80"), idempotencyKey=f"order-{uuid.uuid4().hex}")
    applied = (await checkout.apply_discount(order)).apply_discount
    assert applied.user_errors == [] and applied.usage is not None, applied
    usage = applied.usage
    half = usage.discount_amount / 2

    partial = ReverseDiscountUsageInput(usageId=usage.id, amount=half, reason="Returned one of two items",
                                        idempotencyKey=f"refund-{uuid.uuid4().hex}")
    first = (await checkout.reverse_discount_usage(partial)).reverse_discount_usage
    assert first.user_errors == [] and first.reversal is not None and first.usage is not None, first
    assert first.reversal.amount == half and first.reversal.reason == partial.reason, first.reversal
    assert isinstance(first.reversal.reversed_at, datetime)
    assert first.usage.id == usage.id and not first.usage.replayed, first.usage
    assert first.usage.reversed_amount == half and first.usage.net_discount_amount == usage.discount_amount - half
    assert not first.usage.is_fully_reversed, first.usage

    again = (await checkout.reverse_discount_usage(partial)).reverse_discount_usage  # a retry gives back nothing more
    assert again.user_errors == [] and again.usage is not None and again.usage.replayed, again
    assert again.reversal.id == first.reversal.id and again.usage.reversed_amount == half, again

    rest = ReverseDiscountUsageInput(usageId=usage.id, reason="Returned the other item")  # no amount: all that is left
    last = (await checkout.reverse_discount_usage(rest)).reverse_discount_usage
    assert last.user_errors == [] and last.reversal is not None and last.usage is not None, last
    assert last.reversal.amount == usage.discount_amount - half and not last.usage.replayed, last
    assert last.usage.is_fully_reversed and last.usage.net_discount_amount == Decimal("0.00"), last.usage
    assert str(last.usage.net_discount_amount) == "0.00" and last.usage.reversed_amount == usage.discount_amount

    read = (await checkout.discount_usage(id=usage.id)).discount_usage
    assert read is not None and read.id == usage.id and read.is_fully_reversed, read
    assert read.reversed_amount == usage.discount_amount and read.net_discount_amount == Decimal("0.00"), read
    assert [(r.amount, r.reason) for r in read.reversals] == [
        (first.reversal.amount, partial.reason), (last.reversal.amount, rest.reason)], read.reversals
    print(f"refund flow ok: {usage.id} reversed {first.reversal.amount} + {last.reversal.amount}, "
          f"net {read.net_discount_amount}")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
