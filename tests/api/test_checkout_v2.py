"""The checkout of version 2 through the API: codes, caps, orders and
combinations, applyBestDiscounts, explanations, previews and bounded offers,
each at its boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..support import T0, USER_ERRORS, apply, create_campaign, create_customer, iso, snapshot

ADD_CODES = f"""mutation($i: AddCouponCodesInput!) {{ addCouponCodes(input: $i) {{ addedCount {USER_ERRORS} }} }}"""
GENERATE = f"""mutation($i: GenerateCouponCodesInput!) {{ generateCouponCodes(input: $i) {{ addedCount {USER_ERRORS} }} }}"""
OFFERS = """query($i: CartInput!, $at: DateTime) { availableDiscounts(input: $i, at: $at) {
  cartDiscounts { campaign { name } discountAmount couponCode usesLeftToday usesLeft resetsAt isBest }
  deliveryDiscounts { campaign { name } discountAmount }
  bestCartDiscount { campaign { name } }
  ineligibleDiscounts { campaign { name } reasons { code message shortfall used limit resetsAt startsAt } }
  rejectedCouponCodes
  bestCombination { cartDiscount { campaign { name } discountAmount } deliveryDiscount { campaign { name } }
                    totalDiscount totalPayable usages { id } } } }"""
BEST = f"""mutation($i: ApplyBestDiscountsInput!) {{ applyBestDiscounts(input: $i) {{
  checkout {{ orderReference totalDiscount totalPayable rejectedCouponCodes
             cartDiscount {{ campaign {{ name }} discountAmount couponCode }}
             deliveryDiscount {{ campaign {{ name }} discountAmount }}
             usages {{ id couponCode orderReference discountType }} }}
  {USER_ERRORS} }} }}"""


def add_codes(gql, campaign, codes, **extra):
    return gql(ADD_CODES, {"i": {"campaignId": campaign["id"], "codes": codes, **extra}})["addCouponCodes"]


def offers(gql, customer, cart_value="600", at=None, **extra):
    return gql(OFFERS, {"i": {"customerId": customer["id"], "cartValue": cart_value, **extra}, "at": at})[
        "availableDiscounts"]


def best(gql, customer, order="order-1", cart_value="600", **extra):
    return gql(BEST, {"i": {"customerId": customer["id"], "cartValue": cart_value, "orderReference": order,
                            **extra}})["applyBestDiscounts"]


def names(items):
    return [item["campaign"]["name"] for item in items]


@pytest.fixture
def customer(gql):
    return create_customer(gql)


class TestCodes:
    def test_a_code_campaign_is_offered_only_with_a_usable_code_in_any_case(self, gql, customer):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        assert add_codes(gql, coded, ["Spring-25"]) == {"addedCount": 1, "userErrors": []}
        assert names(offers(gql, customer)["cartDiscounts"]) == []
        found = offers(gql, customer, couponCodes=["spring-25"])
        assert names(found["cartDiscounts"]) == ["coded"] and found["cartDiscounts"][0]["couponCode"] == "SPRING-25"
        assert found["rejectedCouponCodes"] == []

        used = apply(gql, coded["id"], customer["id"], couponCode="sPrInG-25")
        assert used["userErrors"] == []
        # usesPerCode 1: the code is used up for everyone.
        other = create_customer(gql)
        assert offers(gql, other, couponCodes=["SPRING-25"])["rejectedCouponCodes"] == ["SPRING-25"]
        assert apply(gql, coded["id"], other["id"], couponCode="SPRING-25")["userErrors"][0]["code"] == \
            "INVALID_COUPON_CODE"

    def test_every_usable_code_of_a_campaign_is_accepted(self, gql, customer):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        add_codes(gql, coded, ["MINE-ZZZZ", "AAAA-SECRET"])
        both = offers(gql, customer, couponCodes=["mine-zzzz", "aaaa-secret"])
        assert both["rejectedCouponCodes"] == [] and names(both["cartDiscounts"]) == ["coded"]
        guess = offers(gql, customer, couponCodes=["mine-zzzz", "AAAA-GUESS"])
        assert guess["rejectedCouponCodes"] == ["AAAA-GUESS"]

    def test_a_code_with_uses_per_code_n_gives_n_uses(self, gql):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        add_codes(gql, coded, ["TWICE"], usesPerCode=2)
        results = [apply(gql, coded["id"], create_customer(gql)["id"], couponCode="twice") for _ in range(3)]
        assert [r["userErrors"][0]["code"] if r["userErrors"] else "OK" for r in results] == \
            ["OK", "OK", "INVALID_COUPON_CODE"]
        codes = gql("""query($id: ID!) { campaign(id: $id) { usageCount codes { nodes { code usageCount usesPerCode } } } }""",
                    {"id": coded["id"]})["campaign"]
        assert codes == {"usageCount": 2, "codes": {"nodes": [{"code": "TWICE", "usageCount": 2, "usesPerCode": 2}]}}

    def test_no_oracle_every_code_that_reaches_nothing_gets_the_same_answer(self, gql, customer):
        other = create_customer(gql)
        used_up = create_campaign(gql, name="used up", requiresCode=True)
        add_codes(gql, used_up, ["USED-UP"])
        assert apply(gql, used_up["id"], other["id"], couponCode="USED-UP")["userErrors"] == []
        foreign = create_campaign(gql, name="foreign", requiresCode=True, isTargeted=True,
                                  targetCustomerIds=[other["id"]])
        add_codes(gql, foreign, ["FOREIGN"])
        expired = create_campaign(gql, name="expired", requiresCode=True, startDate=iso(T0 - timedelta(days=9)),
                                  endDate=iso(T0 - timedelta(days=1)))
        add_codes(gql, expired, ["EXPIRED"])
        paused = create_campaign(gql, name="paused", requiresCode=True)
        add_codes(gql, paused, ["PAUSED"])
        gql("mutation($id: ID!) { updateCampaign(id: $id, input: {active: false}) { campaign { id } } }",
            {"id": paused["id"]})

        def answer(code):
            body = gql.request(OFFERS, {"i": {"customerId": customer["id"], "cartValue": "600",
                                              "couponCodes": [code]}}).body
            return str(body).replace(code, "<code>")

        answers = {code: answer(code) for code in ["UNKNOWN", "USED-UP", "FOREIGN", "EXPIRED", "PAUSED"]}
        assert len(set(answers.values())) == 1, answers
        applies = {code: str(apply(gql, campaign["id"], customer["id"], couponCode=code))
                   for code, campaign in [("USED-UP", used_up), ("FOREIGN", foreign), ("EXPIRED", expired),
                                          ("PAUSED", paused), ("UNKNOWN", used_up)]}
        assert len(set(applies.values())) == 1, applies
        assert "INVALID_COUPON_CODE" in applies["UNKNOWN"]

    def test_codes_are_explained_only_when_usable(self, gql, customer):
        scheduled = create_campaign(gql, name="scheduled", requiresCode=True, startDate=iso(T0 + timedelta(days=1)))
        add_codes(gql, scheduled, ["SOON"])
        found = offers(gql, customer, couponCodes=["soon"])
        assert found["ineligibleDiscounts"] == [{"campaign": {"name": "scheduled"}, "reasons": [
            {"code": "NOT_STARTED", "message": found["ineligibleDiscounts"][0]["reasons"][0]["message"],
             "shortfall": None, "used": None, "limit": None, "resetsAt": None,
             "startsAt": iso(T0 + timedelta(days=1))}]}]
        # Without its code the campaign is never named.
        assert offers(gql, customer)["ineligibleDiscounts"] == []

    def test_add_codes_refuses_duplicates_taken_codes_and_bad_forms_and_writes_nothing(self, gql, admin_engine):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        other = create_campaign(gql, name="other", requiresCode=True)
        add_codes(gql, other, ["TAKEN"])
        before = snapshot(admin_engine)
        with admin_engine.connect() as connection:
            count = lambda: connection.exec_driver_sql("SELECT count(*) FROM coupon_codes").scalar()  # noqa: E731
            codes_before = count()
        cases = {
            "CODE_TAKEN": ["FRESH", "taken"],
            "INVALID_INPUT": ["ok-code", "OK-CODE"],
        }
        for code, sent in cases.items():
            result = add_codes(gql, coded, sent)
            assert result["addedCount"] == 0 and result["userErrors"][0]["code"] == code, result
        for sent in [["with space"], ["АБВГ"], ["x" * 65], ["abc"], []]:
            result = add_codes(gql, coded, sent)
            assert [e["code"] for e in result["userErrors"]] == ["INVALID_INPUT"], (sent, result)
        assert add_codes(gql, coded, ["FINE"], usesPerCode=-1)["userErrors"][0]["field"] == ["input", "usesPerCode"]
        assert add_codes(gql, coded, ["x" * 4 for _ in range(1001)])["userErrors"]
        with admin_engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM coupon_codes").scalar() == codes_before
        assert snapshot(admin_engine) == before

    def test_generation_bounds(self, gql):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        for bad, field in [({"count": 100001}, "count"), ({"count": 0}, "count"), ({"randomLength": 7}, "randomLength"),
                           ({"randomLength": 33}, "randomLength"), ({"prefix": "low"}, "prefix"),
                           ({"usesPerCode": 0}, "usesPerCode")]:
            result = gql(GENERATE, {"i": {"campaignId": coded["id"], "count": 5, **bad}})["generateCouponCodes"]
            assert result["addedCount"] == 0 and result["userErrors"][0]["field"] == ["input", field], (bad, result)
        made = gql(GENERATE, {"i": {"campaignId": coded["id"], "count": 500, "prefix": "VIP-", "randomLength": 8}})
        assert made["generateCouponCodes"] == {"addedCount": 500, "userErrors": []}

    def test_the_csv_export_streams_every_code_to_admins_only(self, gql, http, app, client_for, checkout_key):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        gql(GENERATE, {"i": {"campaignId": coded["id"], "count": 12000, "randomLength": 12}})
        response = http.get("/export/coupon-codes", params={"campaignId": coded["id"]})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        lines = response.text.splitlines()
        assert lines[0] == "code,uses_per_code,usage_count,created_at" and len(lines) == 12001
        assert len({line.split(",")[0] for line in lines[1:]}) == 12000
        assert http.get("/export/coupon-codes", params={"campaignId": "nope"}).status_code == 404
        checkout = client_for(app, checkout_key)
        assert checkout.get("/export/coupon-codes", params={"campaignId": coded["id"]}).status_code == 403
        assert client_for(app, "cs_bad_key").get("/export/coupon-codes",
                                                 params={"campaignId": coded["id"]}).status_code == 401


class TestCaps:
    def test_a_lifetime_cap_of_n(self, gql, customer, clock):
        capped = create_campaign(gql, name="capped", maxUsagePerCustomer=2, maxUsagePerCustomerPerDay=5)
        first = offers(gql, customer)["cartDiscounts"][0]
        assert (first["usesLeft"], first["usesLeftToday"]) == (1, 4)
        assert apply(gql, capped["id"], customer["id"])["userErrors"] == []
        clock.advance(days=1)
        assert apply(gql, capped["id"], customer["id"])["userErrors"] == []
        clock.advance(days=1)
        refused = apply(gql, capped["id"], customer["id"])["userErrors"]
        assert refused[0]["code"] == "CUSTOMER_LIMIT_REACHED" and refused[0]["field"] == ["input", "customerId"]
        reasons = offers(gql, customer)["ineligibleDiscounts"][0]["reasons"]
        assert [(r["code"], r["used"], r["limit"]) for r in reasons] == [("CUSTOMER_LIMIT_REACHED", 2, 2)]

    def test_a_total_cap_of_n(self, gql):
        capped = create_campaign(gql, name="capped", maxTotalUsage=2)
        outcomes = [apply(gql, capped["id"], create_customer(gql)["id"])["userErrors"] for _ in range(3)]
        assert [o[0]["code"] if o else "OK" for o in outcomes] == ["OK", "OK", "TOTAL_USAGE_LIMIT_REACHED"]
        lowered = gql("""mutation($id: ID!) { updateCampaign(id: $id, input: {maxTotalUsage: 1}) {
            campaign { id } userErrors { field code } } }""", {"id": capped["id"]})["updateCampaign"]
        assert lowered["userErrors"] == [{"field": ["input", "maxTotalUsage"], "code": "INVALID_INPUT"}]

    @pytest.mark.parametrize("field", ["maxUsagePerCustomer", "maxTotalUsage"])
    def test_a_negative_cap_is_refused(self, gql, field):
        result = gql("""mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id }
            userErrors { field code } } }""", {"i": {**_campaign(), field: -1}})["createCampaign"]
        assert result == {"campaign": None, "userErrors": [{"field": ["input", field], "code": "INVALID_INPUT"}]}


def _campaign():
    from ..support import campaign_input

    return campaign_input()


class TestOrders:
    def test_one_cart_and_one_delivery_discount_per_order(self, gql, customer):
        cart = create_campaign(gql, name="cart")
        cart_two = create_campaign(gql, name="cart two")
        delivery = create_campaign(gql, name="delivery", discountType="DELIVERY", discountPercentage="50")
        assert apply(gql, cart["id"], customer["id"], orderReference="o-1")["userErrors"] == []
        refused = apply(gql, cart_two["id"], customer["id"], orderReference="o-1")["userErrors"]
        assert refused[0]["code"] == "NOT_COMBINABLE" and refused[0]["field"] == ["input", "orderReference"]
        assert apply(gql, delivery["id"], customer["id"], orderReference="o-1", deliveryCharge="10")["userErrors"] == []
        # Another order is another order.
        assert apply(gql, cart_two["id"], customer["id"], orderReference="o-2")["userErrors"] == []

    def test_an_exclusive_discount_is_alone_on_its_order(self, gql, customer):
        exclusive = create_campaign(gql, name="exclusive", exclusive=True, maxUsagePerCustomerPerDay=5)
        delivery = create_campaign(gql, name="delivery", discountType="DELIVERY", discountPercentage="50",
                                   maxUsagePerCustomerPerDay=5)
        assert apply(gql, delivery["id"], customer["id"], orderReference="o-1", deliveryCharge="10")["userErrors"] == []
        assert apply(gql, exclusive["id"], customer["id"], orderReference="o-1")["userErrors"][0]["code"] == \
            "NOT_COMBINABLE"
        assert apply(gql, exclusive["id"], customer["id"], orderReference="o-2")["userErrors"] == []
        assert apply(gql, delivery["id"], customer["id"], orderReference="o-2",
                     deliveryCharge="10")["userErrors"][0]["code"] == "NOT_COMBINABLE"


class TestApplyBestDiscounts:
    def test_the_best_pair_with_codes_and_a_replay(self, gql, customer):
        create_campaign(gql, name="ten percent")  # 60.00 on 600
        coded = create_campaign(gql, name="coded", requiresCode=True, discountPercentage=..., discountFlat="75")
        add_codes(gql, coded, ["BIG-75"])
        create_campaign(gql, name="delivery", discountType="DELIVERY", discountPercentage="50")
        preview = offers(gql, customer, couponCodes=["big-75", "nope"], deliveryCharge="40")
        assert preview["bestCombination"]["totalDiscount"] == "95.00"
        assert preview["bestCombination"]["usages"] == [] and preview["rejectedCouponCodes"] == ["nope"]

        sent = {"couponCodes": ["big-75", "nope"], "deliveryCharge": "40", "idempotencyKey": "checkout-1"}
        first = best(gql, customer, **sent)
        checkout = first["checkout"]
        assert first["userErrors"] == [] and checkout["totalDiscount"] == "95.00" and checkout["totalPayable"] == "545.00"
        assert checkout["cartDiscount"] == {"campaign": {"name": "coded"}, "discountAmount": "75.00",
                                            "couponCode": "BIG-75"}
        assert checkout["rejectedCouponCodes"] == ["nope"]
        assert sorted(u["discountType"] for u in checkout["usages"]) == ["CART", "DELIVERY"]
        assert all(u["orderReference"] == "order-1" for u in checkout["usages"])
        replay = best(gql, customer, **sent)["checkout"]
        assert [u["id"] for u in replay["usages"]] == [u["id"] for u in checkout["usages"]]
        reused = best(gql, customer, **{**sent, "cartValue": "700"})
        assert reused["checkout"] is None and reused["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
        # The order holds both now: a second checkout for it finds nothing.
        again = best(gql, customer, couponCodes=[], deliveryCharge="40")
        assert again["checkout"] is None and again["userErrors"][0]["code"] == "NO_DISCOUNT_APPLIES"

    def test_an_exclusive_offer_wins_when_it_saves_more(self, gql, customer):
        create_campaign(gql, name="cart")  # 60.00
        create_campaign(gql, name="exclusive", exclusive=True, discountPercentage="20")  # 120.00
        create_campaign(gql, name="delivery", discountType="DELIVERY", discountPercentage="50")  # 20.00
        checkout = best(gql, customer, deliveryCharge="40")["checkout"]
        assert checkout["cartDiscount"]["campaign"]["name"] == "exclusive" and checkout["deliveryDiscount"] is None
        assert len(checkout["usages"]) == 1

    def test_nothing_applies_and_nothing_is_written(self, gql, customer, admin_engine):
        before = snapshot(admin_engine)
        result = best(gql, customer, couponCodes=["NOPE"])
        assert result["checkout"] is None
        assert [e["code"] for e in result["userErrors"]] == ["NO_DISCOUNT_APPLIES", "INVALID_COUPON_CODE"]
        assert result["userErrors"][1]["field"] == ["input", "couponCodes", "0"]
        assert snapshot(admin_engine) == before

    def test_ties_go_to_priority_then_age(self, gql, customer):
        create_campaign(gql, name="older")
        create_campaign(gql, name="preferred", priority=5)
        assert names(offers(gql, customer)["cartDiscounts"]) == ["preferred", "older"]
        assert best(gql, customer)["checkout"]["cartDiscount"]["campaign"]["name"] == "preferred"


class TestExplanations:
    def test_every_failing_rule_with_its_figures(self, gql, customer):
        create_campaign(gql, name="big carts", minCartValue="700")
        gql("mutation($id: ID!) { updateCampaign(id: $id, input: {active: false}) { campaign { id } } }",
            {"id": create_campaign(gql, name="paused", minCartValue="650")["id"]})
        create_campaign(gql, name="someone else's", isTargeted=True,
                        targetCustomerIds=[create_customer(gql)["id"]])
        create_campaign(gql, name="over", startDate=iso(T0 - timedelta(days=9)), endDate=iso(T0 - timedelta(days=1)))
        found = offers(gql, customer)
        explained = {item["campaign"]["name"]: [(r["code"], r["shortfall"]) for r in item["reasons"]]
                     for item in found["ineligibleDiscounts"]}
        assert explained == {"big carts": [("MIN_CART_VALUE_NOT_MET", "100.00")],
                             "paused": [("PAUSED", None), ("MIN_CART_VALUE_NOT_MET", "50.00")]}

    def test_the_daily_limit_says_when_it_resets(self, gql, customer):
        daily = create_campaign(gql, name="daily")
        apply(gql, daily["id"], customer["id"])
        reason = offers(gql, customer)["ineligibleDiscounts"][0]["reasons"][0]
        assert (reason["code"], reason["used"], reason["limit"], reason["resetsAt"]) == \
            ("DAILY_LIMIT_REACHED", 1, 1, "2026-06-16T00:00:00+00:00")


class TestPreviewAndRoles:
    def test_at_previews_a_sale_for_admins_only(self, gql, customer, app, client_for, checkout_key):
        create_campaign(gql, name="tomorrow", startDate=iso(T0 + timedelta(days=1)))
        assert offers(gql, customer)["cartDiscounts"] == []
        assert names(offers(gql, customer, at=iso(T0 + timedelta(days=1, hours=1)))["cartDiscounts"]) == ["tomorrow"]
        from ..support import GraphQLClient

        checkout = GraphQLClient(client_for(app, checkout_key))
        refused = checkout.error(OFFERS, {"i": {"customerId": customer["id"], "cartValue": "600"},
                                          "at": iso(T0 + timedelta(days=1))})
        assert refused.codes == ["FORBIDDEN"]

    def test_checkout_keys_apply_best_but_read_no_codes(self, gql, customer, app, client_for, checkout_key):
        coded = create_campaign(gql, name="coded", requiresCode=True)
        add_codes(gql, coded, ["CHECKOUT"])
        from ..support import GraphQLClient

        checkout = GraphQLClient(client_for(app, checkout_key))
        applied = checkout(BEST, {"i": {"customerId": customer["id"], "cartValue": "600", "orderReference": "o",
                                        "couponCodes": ["checkout"]}})["applyBestDiscounts"]
        assert applied["userErrors"] == [] and applied["checkout"]["cartDiscount"]["couponCode"] == "CHECKOUT"
        refused = checkout.request("query($id: ID!) { campaign(id: $id) { codes { totalCount } } }", {"id": coded["id"]})
        assert refused.codes == ["FORBIDDEN"]
        added = checkout.request(ADD_CODES, {"i": {"campaignId": coded["id"], "codes": ["MORE"]}})
        assert added.codes == ["FORBIDDEN"]


class TestHostileInput:
    @pytest.mark.parametrize("codes", [["with space"], ["ΑΒΓΔ"], ["x" * 65], ["a", "b"], ["C1DE"] * 6, ["straße"]])
    def test_bad_cart_codes_are_invalid_input(self, gql, customer, codes):
        result = gql.error(OFFERS, {"i": {"customerId": customer["id"], "cartValue": "600", "couponCodes": codes}})
        assert result.codes == ["INVALID_INPUT"]

    @pytest.mark.parametrize("codes", [["with space"], ["x" * 65], ["C1DE"] * 6])
    def test_bad_codes_in_a_checkout_write_nothing(self, gql, customer, admin_engine, codes):
        create_campaign(gql, name="cart")
        before = snapshot(admin_engine)
        result = best(gql, customer, couponCodes=codes)
        assert result["checkout"] is None and result["userErrors"][0]["code"] == "INVALID_INPUT"
        assert snapshot(admin_engine) == before

    @pytest.mark.parametrize("first", [-1, 101])
    def test_first_is_bounded(self, gql, customer, first):
        result = gql.error("query($i: CartInput!, $f: Int!) { availableDiscounts(input: $i) { cartDiscounts(first: $f) "
                           "{ discountAmount } } }", {"i": {"customerId": customer["id"], "cartValue": "1"}, "f": first})
        assert result.codes == ["INVALID_INPUT"]


def test_bounded_offers_are_the_best_ones_and_the_bests_are_chosen_among_all(gql, customer):
    for n in range(1, 8):
        create_campaign(gql, name=f"p{n}", discountPercentage=str(n))
    found = gql("""query($i: CartInput!) { availableDiscounts(input: $i) {
        cartDiscounts(first: 3) { campaign { name } isBest } bestCartDiscount { campaign { name } } } }""",
                {"i": {"customerId": customer["id"], "cartValue": "600"}})["availableDiscounts"]
    assert [(o["campaign"]["name"], o["isBest"]) for o in found["cartDiscounts"]] == \
        [("p7", True), ("p6", False), ("p5", False)]
    assert found["bestCartDiscount"]["campaign"]["name"] == "p7"


def test_the_next_best_is_taken_when_the_best_lost_its_race_under_the_lock(gql, customer, admin_engine, monkeypatch):
    """The read found "best" eligible; before the checkout locked it, another
    transaction took its whole budget. Under the lock the rules say no, and
    the same transaction applies the next best."""
    from sqlalchemy import text

    from graphql_api.discounts import checkout

    create_campaign(gql, name="best", discountPercentage="20")
    create_campaign(gql, name="next", discountPercentage="10")
    read = checkout.OFFER_ROWS

    class ReadThenLoseTheRace:
        def execute(self, connection, parameters):
            rows = read.execute(connection, parameters).all()
            with admin_engine.begin() as other:
                other.execute(text("UPDATE campaigns SET used_budget = total_budget WHERE name = 'best'"))
            return _Rows(rows)

    monkeypatch.setattr(checkout, "OFFER_ROWS", ReadThenLoseTheRace())
    result = best(gql, customer)
    assert result["userErrors"] == []
    assert result["checkout"]["cartDiscount"] == {"campaign": {"name": "next"}, "discountAmount": "60.00",
                                                  "couponCode": None}
    with admin_engine.connect() as connection:
        applied = connection.execute(text("SELECT c.name FROM discount_usages u JOIN campaigns c ON c.id = u.campaign_id"))
        assert [row.name for row in applied] == ["next"]


def test_a_campaign_turned_exclusive_before_the_lock_is_applied_as_the_lock_sees_it(gql, customer, admin_engine,
                                                                                   monkeypatch):
    from sqlalchemy import text

    from graphql_api.discounts import checkout

    create_campaign(gql, name="cart", discountPercentage="20")
    create_campaign(gql, name="delivery", discountType="DELIVERY", discountPercentage="50")
    read = checkout.OFFER_ROWS

    class ReadThenTheAdminEdits:
        def execute(self, connection, parameters):
            rows = read.execute(connection, parameters).all()
            with admin_engine.begin() as other:
                other.execute(text("UPDATE campaigns SET exclusive = true, revision = revision + 1 WHERE name = 'cart'"))
            return _Rows(rows)

    monkeypatch.setattr(checkout, "OFFER_ROWS", ReadThenTheAdminEdits())
    result = best(gql, customer, deliveryCharge="80")["checkout"]
    assert result["cartDiscount"]["campaign"]["name"] == "cart" and result["deliveryDiscount"] is None
    with admin_engine.connect() as connection:
        rows = connection.execute(text("SELECT exclusive FROM discount_usages")).all()
    assert [row.exclusive for row in rows] == [True]


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def all(self):
        return self.rows


def test_every_code_that_reaches_nothing_runs_the_same_statements(gql, customer, sql_counter):
    other = create_customer(gql)
    used_up = create_campaign(gql, name="used up", requiresCode=True)
    add_codes(gql, used_up, ["USED-UP"])
    apply(gql, used_up["id"], other["id"], couponCode="USED-UP")
    foreign = create_campaign(gql, name="foreign", requiresCode=True, isTargeted=True, targetCustomerIds=[other["id"]])
    add_codes(gql, foreign, ["FOREIGN"])
    expired = create_campaign(gql, name="expired", requiresCode=True, startDate=iso(T0 - timedelta(days=9)),
                              endDate=iso(T0 - timedelta(days=1)))
    add_codes(gql, expired, ["EXPIRED"])

    def statements(run):
        sql_counter.reset()
        run()
        return list(sql_counter.statements)

    for kind in ("offers", "apply"):
        seen = []
        for code, campaign in [("UNKNOWN", used_up), ("USED-UP", used_up), ("FOREIGN", foreign),
                               ("EXPIRED", expired)]:
            if kind == "offers":
                seen.append(statements(lambda: offers(gql, customer, couponCodes=[code])))
            else:
                seen.append(statements(lambda: apply(gql, campaign["id"], customer["id"], couponCode=code)))
        assert all(s == seen[0] for s in seen), (kind, [len(s) for s in seen])


def test_generated_codes_that_exist_already_are_replaced_not_reported(gql, monkeypatch):
    from graphql_api.codes import service

    coded = create_campaign(gql, name="coded", requiresCode=True)
    add_codes(gql, coded, ["CLASH-0001", "CLASH-0002"])
    batches = iter([["CLASH-0001", "FRESH-0001", "CLASH-0002"], ["FRESH-0002", "FRESH-0003"]])
    monkeypatch.setattr(service, "random_codes", lambda count, prefix, length: next(batches)[:count])
    made = gql(GENERATE, {"i": {"campaignId": coded["id"], "count": 3}})["generateCouponCodes"]
    assert made == {"addedCount": 3, "userErrors": []}
    codes = gql("query($id: ID!) { campaign(id: $id) { codes { nodes { code } } } }", {"id": coded["id"]})
    assert [n["code"] for n in codes["campaign"]["codes"]["nodes"]] == \
        ["CLASH-0001", "CLASH-0002", "FRESH-0001", "FRESH-0002", "FRESH-0003"]


def test_adding_codes_does_not_hold_up_the_campaigns_applies(gql, customer, admin_engine):
    """A code insert's foreign key takes FOR KEY SHARE on its campaign until it
    commits (100,000 generated codes: about a second); the applies lock the
    campaign FOR NO KEY UPDATE, which does not wait for it."""
    from sqlalchemy import text

    campaign = create_campaign(gql, name="busy", requiresCode=True)
    add_codes(gql, campaign, ["BUSY-ONE"])
    with admin_engine.connect() as generating:
        transaction = generating.begin()
        generating.execute(text("INSERT INTO coupon_codes (campaign_id, code, uses_per_code, created_at) "
                                "SELECT id, 'BUSY-TWO', 1, now() FROM campaigns WHERE name = 'busy'"))
        try:
            result = apply(gql, campaign["id"], customer["id"], couponCode="busy-one")
            assert result["userErrors"] == [], result
        finally:
            transaction.rollback()


def test_the_checkout_answers_its_campaigns_as_the_usages_left_them(gql, customer):
    create_campaign(gql, name="cart", totalBudget="1000")
    checkout = gql("""mutation($i: ApplyBestDiscountsInput!) { applyBestDiscounts(input: $i) { checkout {
        cartDiscount { discountAmount campaign { usedBudget remainingBudget usageCount } } } } }""",
                   {"i": {"customerId": customer["id"], "cartValue": "600", "orderReference": "o-1"}})
    assert checkout["applyBestDiscounts"]["checkout"]["cartDiscount"] == {
        "discountAmount": "60.00", "campaign": {"usedBudget": "60.00", "remainingBudget": "940.00", "usageCount": 1}}
