"""SQL statements per request stay constant however much data there is:
loaders batch per request, and the checkout query is set-based."""

import pytest

from ..support import apply, available, create_campaign, create_customer


def targeted_campaigns(gql, count, targets_each=3):
    customers = [create_customer(gql)["id"] for _ in range(targets_each)]
    for index in range(count):
        create_campaign(gql, name=f"c{index}", isTargeted=True, targetCustomerIds=customers)
    return customers


def statements_for(gql, sql_counter, query, variables=None):
    sql_counter.reset()
    gql(query, variables)
    return sql_counter.count


TARGETS_QUERY = "{ campaigns(first: 50) { nodes { targetCustomers { id email } targetCustomerIds } } }"


def test_target_customers_are_batched(gql, sql_counter):
    targeted_campaigns(gql, 5)
    with_five = statements_for(gql, sql_counter, TARGETS_QUERY)
    targeted_campaigns(gql, 45)
    with_fifty = statements_for(gql, sql_counter, TARGETS_QUERY)
    assert with_five == with_fifty == 2  # the page (with its count) + one batch of targets


def test_usage_history_with_campaigns_and_customers_is_batched(gql, sql_counter):
    query = """
    { customers(first: 50) { nodes { discountUsages(first: 10) {
        totalCount nodes { campaign { name } customer { email } } } } } }"""

    def add_usages(customer_count):
        campaign = create_campaign(gql, maxUsagePerCustomerPerDay=10)
        for _ in range(customer_count):
            customer = create_customer(gql)
            for _ in range(2):
                apply(gql, campaign["id"], customer["id"])

    add_usages(2)
    small = statements_for(gql, sql_counter, query)
    add_usages(20)
    large = statements_for(gql, sql_counter, query)
    assert small == large == 4  # customers page, usage pages, campaigns, customers


@pytest.mark.parametrize("extra_campaigns", [0, 30])
def test_available_discounts_is_one_statement_whatever_the_data(gql, sql_counter, extra_campaigns):
    customers = targeted_campaigns(gql, 3 + extra_campaigns)
    for index in range(3 + extra_campaigns):
        create_campaign(gql, name=f"public{index}", discountType="DELIVERY" if index % 2 else "CART",
                        maxUsagePerCustomerPerDay=5)
    listed = gql("{ campaigns(first: 100) { nodes { id isTargeted } } }")["campaigns"]["nodes"]
    for campaign in listed[:10]:
        apply(gql, campaign["id"], customers[0])
    sql_counter.reset()
    offers = available(gql, customers[0])
    assert len(offers["cartDiscounts"]) + len(offers["deliveryDiscounts"]) > 0
    assert sql_counter.count == 1  # the customer and the set-based eligibility query, together


def test_apply_discount_is_three_statements_inside_one_transaction(gql, sql_counter):
    customer = create_customer(gql)
    campaign = create_campaign(gql)
    sql_counter.reset()
    gql("""mutation($c: ID!, $u: ID!) { applyDiscount(input: {campaignId: $c, customerId: $u, cartValue: "600"}) {
        usage { id discountAmount } userErrors { code } } }""", {"c": campaign["id"], "u": customer["id"]})
    # the customer's lock, the campaign's lock with the standing and the idempotency lookup,
    # the insert-with-budget-update; BEGIN and COMMIT come on top
    assert sql_counter.count == 3


def test_the_applied_usage_answers_its_campaign_and_customer_from_the_transaction(gql, sql_counter):
    """The README's selection: the campaign and customer rows the apply held,
    with the used budget this usage left, and no statement after the commit."""
    customer = create_customer(gql)
    campaign = create_campaign(gql, totalBudget="1000")
    sql_counter.reset()
    data = gql("""mutation($c: ID!, $u: ID!) {
        applyDiscount(input: {campaignId: $c, customerId: $u, cartValue: "600", idempotencyKey: "o-1"}) {
          usage { discountAmount campaign { id name usedBudget remainingBudget } customer { id email name } } } }""",
               {"c": campaign["id"], "u": customer["id"]})["applyDiscount"]["usage"]
    assert sql_counter.count == 3
    assert data["campaign"]["id"] == campaign["id"] and data["customer"] == {
        "id": customer["id"], "email": customer["email"], "name": customer["name"]}
    assert data["campaign"]["usedBudget"] == data["discountAmount"]
    assert float(data["campaign"]["remainingBudget"]) == 1000 - float(data["discountAmount"])
    # A replay answers the same, its rows read again (they may have moved on since).
    sql_counter.reset()
    again = gql("""mutation($c: ID!, $u: ID!) {
        applyDiscount(input: {campaignId: $c, customerId: $u, cartValue: "600", idempotencyKey: "o-1"}) {
          usage { discountAmount campaign { id name usedBudget remainingBudget } customer { id email name } } } }""",
                {"c": campaign["id"], "u": customer["id"]})["applyDiscount"]["usage"]
    assert again == data


CHECKOUT_QUERY = """query($i: CartInput!) { availableDiscounts(input: $i) {
  cartDiscounts(first: 5) { campaign { name } discountAmount couponCode usesLeft usesLeftToday resetsAt }
  deliveryDiscounts { discountAmount }
  ineligibleDiscounts { campaign { name } reasons { code used limit } }
  rejectedCouponCodes
  bestCombination { totalDiscount cartDiscount { campaign { name } } } } }"""


@pytest.mark.parametrize("extra", [0, 25])
def test_codes_caps_explanations_and_the_best_combination_stay_one_statement(gql, sql_counter, extra):
    customers = targeted_campaigns(gql, 2 + extra)
    for index in range(2 + extra):
        coded = create_campaign(gql, name=f"coded{index}", requiresCode=True, maxUsagePerCustomer=3,
                                maxTotalUsage=50)
        gql("""mutation($i: AddCouponCodesInput!) { addCouponCodes(input: $i) { addedCount } }""",
            {"i": {"campaignId": coded["id"], "codes": [f"CODE-{index}-A", f"CODE-{index}-B"]}})
        create_campaign(gql, name=f"capped{index}", maxUsagePerCustomer=2, minCartValue="700")
        apply(gql, coded["id"], customers[0], couponCode=f"CODE-{index}-A")
    sql_counter.reset()
    found = gql(CHECKOUT_QUERY, {"i": {"customerId": customers[0], "cartValue": "600", "orderReference": "o-1",
                                       "couponCodes": ["CODE-0-B", "CODE-1-A", "NOPE"]}})["availableDiscounts"]
    assert found["rejectedCouponCodes"] == ["CODE-1-A", "NOPE"]
    assert found["ineligibleDiscounts"] and found["bestCombination"]
    assert sql_counter.count == 1


def test_apply_best_discounts_statements_do_not_grow_with_the_campaigns(gql, sql_counter):
    def checkout_statements(order):
        customer = create_customer(gql)["id"]
        sql_counter.reset()
        result = gql("""mutation($i: ApplyBestDiscountsInput!) { applyBestDiscounts(input: $i) {
            checkout { totalDiscount usages { id } } userErrors { code } } }""",
                     {"i": {"customerId": customer, "cartValue": "600", "deliveryCharge": "10",
                            "orderReference": order}})["applyBestDiscounts"]
        assert len(result["checkout"]["usages"]) == 2
        return sql_counter.count

    create_campaign(gql, name="cart")
    create_campaign(gql, name="delivery", discountType="DELIVERY")
    few = checkout_statements("o-1")
    for index in range(30):
        create_campaign(gql, name=f"more{index}", discountPercentage="5", maxUsagePerCustomerPerDay=9)
    # customer lock, order lock, read, savepoint, campaign locks, re-read, release, checkout, 2 x usage
    assert checkout_statements("o-2") == few == 10


def test_reverse_discount_usage_is_a_fixed_number_of_statements(gql, sql_counter):
    customer = create_customer(gql)["id"]
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=10)
    usage = apply(gql, campaign["id"], customer)["usage"]["id"]
    mutation = """mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) {
        reversal { amount usage { reversedAmount } } usage { netDiscountAmount campaign { usedBudget } }
        userErrors { code } } }"""
    partial = statements_for(gql, sql_counter, mutation, {"i": {"usageId": usage, "amount": "1.00", "reason": "r"}})
    # usage, campaign lock, usage lock, reversal, usage update, budget update: the answer comes from them.
    assert partial == 6
    full = statements_for(gql, sql_counter, mutation, {"i": {"usageId": usage, "reason": "r"}})
    assert full == partial


def test_reversals_and_audit_logs_of_many_are_batched(gql, sql_counter):
    usages_query = """{ customers(first: 50) { nodes { discountUsages(first: 10) { nodes {
        reversedAmount reversals { amount reason } } } } } }"""
    events_query = """{ campaigns(first: 50) { nodes { events(first: 5) { totalCount nodes {
        kind actor changes { field before after } } } } } }"""
    reverse = """mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) { userErrors { code } } }"""

    def add(count):
        for _ in range(count):
            campaign = create_campaign(gql, maxUsagePerCustomerPerDay=10)
            gql("""mutation($id: ID!) { updateCampaign(id: $id, input: {priority: 2}) { campaign { id } } }""",
                {"id": campaign["id"]})
            usage = apply(gql, campaign["id"], create_customer(gql)["id"])["usage"]["id"]
            gql(reverse, {"i": {"usageId": usage, "amount": "1.00", "reason": "r"}})

    add(2)
    small = statements_for(gql, sql_counter, usages_query), statements_for(gql, sql_counter, events_query)
    add(20)
    large = statements_for(gql, sql_counter, usages_query), statements_for(gql, sql_counter, events_query)
    assert small == large == (3, 2)  # customers, usage pages, reversals; campaigns, event pages
