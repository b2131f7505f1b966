from datetime import timedelta

import pytest

from graphql_api.graphql.ids import encode_id

from ..support import AVAILABLE, T0, apply, available, create_campaign, create_customer, iso


@pytest.fixture
def customer(gql):
    return create_customer(gql)


def test_seed_example_vip_and_delivery(gql, customer):
    other = create_customer(gql)
    vip = create_campaign(gql, name="VIP Members Only", discountPercentage="35", minCartValue="500",
                          maxDiscountAmount="2000", isTargeted=True, targetCustomerIds=[customer["id"], other["id"]])
    new_year = create_campaign(gql, name="New Year Sale", discountPercentage="20")
    delivery = create_campaign(gql, name="Free Delivery Week", discountType="DELIVERY", discountPercentage="50")

    offers = available(gql, customer["id"], cart_value="600", delivery_charge="80")
    assert [(o["campaign"]["name"], o["discountAmount"], o["finalAmount"], o["isBest"], o["savings"])
            for o in offers["cartDiscounts"]] == [
        ("VIP Members Only", "210.00", "390.00", True, "35% off (210.00)"),
        ("New Year Sale", "120.00", "480.00", False, "20% off (120.00)"),
    ]
    assert [(o["campaign"]["id"], o["discountAmount"], o["finalAmount"], o["discountType"])
            for o in offers["deliveryDiscounts"]] == [(delivery["id"], "40.00", "40.00", "DELIVERY")]
    assert offers["bestCartDiscount"] == {"campaign": {"id": vip["id"]}, "discountAmount": "210.00"}
    assert offers["bestDeliveryDiscount"] == {"campaign": {"id": delivery["id"]}, "discountAmount": "40.00"}
    assert new_year["id"] in [o["campaign"]["id"] for o in offers["cartDiscounts"]]


def test_untargeted_customer_does_not_see_targeted_campaigns(gql, customer):
    target = create_customer(gql)
    create_campaign(gql, isTargeted=True, targetCustomerIds=[target["id"]])
    assert available(gql, customer["id"])["cartDiscounts"] == []
    assert len(available(gql, target["id"])["cartDiscounts"]) == 1


def test_cart_exactly_at_min_cart_value(gql, customer):
    create_campaign(gql, minCartValue="600")
    assert len(available(gql, customer["id"], cart_value="600")["cartDiscounts"]) == 1
    assert available(gql, customer["id"], cart_value="599.99")["cartDiscounts"] == []


def test_min_cart_value_applies_to_delivery_campaigns(gql, customer):
    create_campaign(gql, discountType="DELIVERY", minCartValue="700")
    assert available(gql, customer["id"], cart_value="600")["deliveryDiscounts"] == []
    assert len(available(gql, customer["id"], cart_value="700")["deliveryDiscounts"]) == 1


def test_now_exactly_at_start_and_end(gql, customer, clock):
    create_campaign(gql, startDate=iso(T0), endDate=iso(T0 + timedelta(hours=2)))
    for now, count in [(T0 - timedelta(microseconds=1), 0), (T0, 1), (T0 + timedelta(hours=2), 1),
                       (T0 + timedelta(hours=2, microseconds=1), 0)]:
        clock.set(now)
        assert len(available(gql, customer["id"])["cartDiscounts"]) == count, now


def test_remaining_budget_smaller_than_the_discount(gql, customer):
    campaign = create_campaign(gql, discountPercentage=..., discountFlat="100", totalBudget="130")
    assert apply(gql, campaign["id"], create_customer(gql)["id"])["usage"]["discountAmount"] == "100.00"
    [offer] = available(gql, customer["id"])["cartDiscounts"]
    assert offer["discountAmount"] == "30.00" and offer["finalAmount"] == "570.00"


def test_max_discount_amount_below_the_percentage(gql, customer):
    create_campaign(gql, discountPercentage="50", maxDiscountAmount="100")
    [offer] = available(gql, customer["id"])["cartDiscounts"]
    assert offer["discountAmount"] == "100.00" and offer["savings"] == "50% off (100.00)"


def test_delivery_discount_larger_than_the_delivery_charge(gql, customer):
    create_campaign(gql, discountType="DELIVERY", discountPercentage=..., discountFlat="100")
    [offer] = available(gql, customer["id"], delivery_charge="80")["deliveryDiscounts"]
    assert offer["discountAmount"] == "80.00" and offer["finalAmount"] == "0.00"


def test_nothing_to_discount_is_not_offered(gql, customer):
    create_campaign(gql, discountType="DELIVERY", discountPercentage=..., discountFlat="10")
    assert available(gql, customer["id"], delivery_charge="0")["deliveryDiscounts"] == []


def test_half_up_rounding_of_a_percentage(gql, customer):
    create_campaign(gql, discountPercentage="12.5")
    [offer] = available(gql, customer["id"], cart_value="0.20")["cartDiscounts"]  # 0.025 -> 0.03
    assert offer["discountAmount"] == "0.03" and offer["finalAmount"] == "0.17"


def test_best_offer_tie_goes_to_the_campaign_created_first(gql, customer, clock):
    first = create_campaign(gql, name="first", discountPercentage=..., discountFlat="50")
    clock.advance(seconds=1)
    second = create_campaign(gql, name="second", discountPercentage=..., discountFlat="50")
    clock.advance(seconds=1)
    offers = available(gql, customer["id"])
    assert [o["campaign"]["id"] for o in offers["cartDiscounts"]] == [first["id"], second["id"]]
    assert [o["isBest"] for o in offers["cartDiscounts"]] == [True, False]
    assert offers["bestCartDiscount"]["campaign"]["id"] == first["id"]


def test_daily_limit_hides_the_offer(gql, customer):
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=2)
    for _ in range(2):
        assert len(available(gql, customer["id"])["cartDiscounts"]) == 1
        assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []
    assert available(gql, customer["id"])["cartDiscounts"] == []


def test_paused_scheduled_expired_and_exhausted_are_not_offered(gql, customer):
    day = timedelta(days=1)
    paused = create_campaign(gql)
    gql("mutation($id: ID!) { updateCampaign(id: $id, input: {active: false}) { userErrors { code } } }",
        {"id": paused["id"]})
    create_campaign(gql, startDate=iso(T0 + day), endDate=iso(T0 + 2 * day))
    create_campaign(gql, startDate=iso(T0 - 2 * day), endDate=iso(T0 - day))
    spent = create_campaign(gql, discountPercentage=..., discountFlat="10", totalBudget="10")
    apply(gql, spent["id"], create_customer(gql)["id"])
    assert available(gql, customer["id"]) == {
        "cartDiscounts": [], "deliveryDiscounts": [], "bestCartDiscount": None, "bestDeliveryDiscount": None
    }


@pytest.mark.parametrize("customer_id", [encode_id("Customer", 999), encode_id("Campaign", 1), "junk"])
def test_unknown_customer_is_not_found(gql, customer_id):
    result = gql.error(AVAILABLE, {"input": {"customerId": customer_id, "cartValue": "10"}})
    assert result.codes == ["NOT_FOUND"]
    assert result.errors[0]["extensions"]["field"] == ["input", "customerId"]


@pytest.mark.parametrize("field, value", [("cartValue", "-0.01"), ("deliveryCharge", "-5")])
def test_negative_amounts_are_invalid(gql, customer, field, value):
    cart = {"customerId": customer["id"], "cartValue": "10", field: value}
    result = gql.error(AVAILABLE, {"input": cart})
    assert result.codes == ["INVALID_INPUT"] and result.errors[0]["extensions"]["field"] == ["input", field]


def test_delivery_charge_defaults_to_zero(gql, customer):
    create_campaign(gql, discountType="DELIVERY")
    data = gql('query($c: ID!) { availableDiscounts(input: {customerId: $c, cartValue: "10"}) { deliveryDiscounts { discountAmount } } }',
               {"c": customer["id"]})
    assert data["availableDiscounts"]["deliveryDiscounts"] == []
