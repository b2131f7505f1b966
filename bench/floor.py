"""The floor: the same service calls as the GraphQL read and write, served as
plain JSON by bare Starlette routes, so the table shows what GraphQL costs.

    uvicorn --factory bench.floor:create_floor_app
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graphql_api.core.discounts import Cart
from graphql_api.core.money import format_amount
from graphql_api.discounts.apply import AppliedDiscount, ApplyDiscount, apply_discount
from graphql_api.discounts.offers import CartQuery, available_offers
from graphql_api.server.gc_tuning import tune_for_serving
from graphql_api.settings import Settings


# The GraphQL lists' default bound, so that both return the same offers.
FIRST = 100


def _offer(offer, is_best: bool) -> dict:
    return {
        "campaign": {"id": offer.campaign.id, "name": offer.campaign.name},
        "discountType": offer.campaign.terms.discount_type.value,
        "discountAmount": format_amount(offer.discount.discount_amount),
        "finalAmount": format_amount(offer.discount.final_amount),
        "isBest": is_best,
        "savings": offer.savings,
    }


def create_floor_app() -> Starlette:
    settings = Settings.from_env()
    database = settings.database()

    async def read(request: Request) -> JSONResponse:
        body = await request.json()
        cart = Cart(Decimal(body["cartValue"]), Decimal(body["deliveryCharge"]))
        offers = await database.read(available_offers, CartQuery(int(body["customerId"]), cart),
                                     datetime.now(timezone.utc), settings.business_timezone)
        cart_offers = [_offer(o, n == 0) for n, o in enumerate(offers.cart[:FIRST])]
        delivery_offers = [_offer(o, n == 0) for n, o in enumerate(offers.delivery[:FIRST])]
        return JSONResponse({"cartDiscounts": cart_offers, "deliveryDiscounts": delivery_offers,
                             "bestCartDiscount": cart_offers[0] if cart_offers else None,
                             "bestDeliveryDiscount": delivery_offers[0] if delivery_offers else None})

    async def apply(request: Request) -> JSONResponse:
        body = await request.json()
        command = ApplyDiscount(int(body["campaignId"]), int(body["customerId"]),
                                Cart(Decimal(body["cartValue"]), Decimal("0")))
        result = await apply_discount(database, command, datetime.now(timezone.utc), settings.business_timezone)
        if isinstance(result, AppliedDiscount):
            usage = result.usage
            return JSONResponse({"usage": {"id": usage.id, "discountAmount": format_amount(usage.discount_amount),
                                           "finalAmount": format_amount(usage.final_amount)}, "userErrors": []})
        return JSONResponse({"usage": None, "userErrors": [{"code": e.code.value} for e in result]})

    app = Starlette(routes=[Route("/read", read, methods=["POST"]), Route("/apply", apply, methods=["POST"])])
    tune_for_serving()  # as the service's own processes do, so that the difference is GraphQL's
    return app
