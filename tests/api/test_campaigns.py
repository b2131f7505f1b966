from datetime import timedelta

import pytest

from graphql_api.graphql.ids import encode_id

from ..support import (
    CREATE_CAMPAIGN,
    T0,
    UPDATE_CAMPAIGN,
    USER_ERRORS,
    apply,
    campaign_input,
    create_campaign,
    create_customer,
    iso,
    snapshot,
)


def create_errors(gql, **overrides):
    payload = gql(CREATE_CAMPAIGN, {"input": campaign_input(**overrides)})["createCampaign"]
    assert payload["campaign"] is None
    return payload["userErrors"]


def update(gql, campaign_id, **changes):
    return gql(UPDATE_CAMPAIGN, {"id": campaign_id, "input": changes})["updateCampaign"]


def test_create_returns_every_field(gql):
    campaign = create_campaign(gql, description="Big one", maxDiscountAmount="2000", minCartValue="500",
                               maxUsagePerCustomerPerDay=3)
    assert campaign["discountPercentage"] == "10.00" and campaign["discountFlat"] is None
    assert campaign["totalBudget"] == "10000.00" and campaign["usedBudget"] == "0.00"
    assert campaign["remainingBudget"] == "10000.00"
    assert campaign["maxDiscountAmount"] == "2000.00" and campaign["minCartValue"] == "500.00"
    assert campaign["maxUsagePerCustomerPerDay"] == 3
    assert campaign["status"] == "ACTIVE" and campaign["isTargeted"] is False
    assert campaign["startDate"] == iso(T0 - timedelta(days=1))
    assert campaign["targetCustomerIds"] == []


def test_defaults(gql):
    campaign = create_campaign(gql)
    assert campaign["maxUsagePerCustomerPerDay"] == 1
    assert campaign["minCartValue"] == "0.00"
    assert campaign["maxDiscountAmount"] is None


def test_dates_without_offset_are_utc(gql):
    campaign = create_campaign(gql, startDate="2026-06-01T10:00:00", endDate="2026-07-01T10:00:00+02:00")
    assert campaign["startDate"] == "2026-06-01T10:00:00+00:00"
    assert campaign["endDate"] == "2026-07-01T08:00:00+00:00"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"discountPercentage": ...}, "discountPercentage"),
        ({"discountFlat": "5"}, "discountPercentage"),
        ({"discountPercentage": "0"}, "discountPercentage"),
        ({"discountPercentage": "100.01"}, "discountPercentage"),
        ({"discountPercentage": ..., "discountFlat": "0"}, "discountFlat"),
        ({"endDate": iso(T0 - timedelta(days=1))}, "endDate"),
        ({"totalBudget": "0"}, "totalBudget"),
        ({"totalBudget": "-1"}, "totalBudget"),
        ({"maxUsagePerCustomerPerDay": 0}, "maxUsagePerCustomerPerDay"),
        ({"minCartValue": "-0.01"}, "minCartValue"),
        ({"maxDiscountAmount": "0"}, "maxDiscountAmount"),
        ({"isTargeted": True}, "targetCustomerIds"),
        ({"description": "d" * 2001}, "description"),
        ({"maxUsagePerCustomerPerDay": None}, "maxUsagePerCustomerPerDay"),
    ],
)
def test_create_validation(gql, admin_engine, overrides, field):
    errors = create_errors(gql, **overrides)
    assert [(e["field"], e["code"]) for e in errors] == [(["input", field], "INVALID_INPUT")]
    assert snapshot(admin_engine)["campaigns"] == []


def test_targets_on_an_untargeted_campaign_are_refused(gql):
    customer = create_customer(gql)
    errors = create_errors(gql, targetCustomerIds=[customer["id"]])
    assert errors[0]["field"] == ["input", "targetCustomerIds"] and errors[0]["code"] == "INVALID_INPUT"


def test_missing_targets_are_named(gql, admin_engine):
    customer = create_customer(gql)
    missing = encode_id("Customer", 999)
    wrong_type = encode_id("Campaign", 1)
    errors = create_errors(gql, isTargeted=True, targetCustomerIds=[customer["id"], missing, wrong_type])
    assert len(errors) == 1
    assert errors[0]["code"] == "NOT_FOUND" and errors[0]["field"] == ["input", "targetCustomerIds"]
    assert missing in errors[0]["message"] and wrong_type in errors[0]["message"]
    assert customer["id"] not in errors[0]["message"]
    assert snapshot(admin_engine)["campaigns"] == []


def test_targeted_campaign_lists_its_targets(gql):
    alice, bob = create_customer(gql), create_customer(gql)
    campaign = create_campaign(gql, isTargeted=True, targetCustomerIds=[bob["id"], alice["id"], bob["id"]])
    data = gql("query($id: ID!) { campaign(id: $id) { targetCustomers { id email } targetCustomerIds } }",
               {"id": campaign["id"]})["campaign"]
    assert data["targetCustomerIds"] == [alice["id"], bob["id"]]
    assert [c["email"] for c in data["targetCustomers"]] == [alice["email"], bob["email"]]


class TestUpdate:
    def test_only_given_fields_change(self, gql, clock):
        campaign = create_campaign(gql, description="keep me")
        clock.advance(minutes=5)
        payload = update(gql, campaign["id"], name="  Renamed  ", maxUsagePerCustomerPerDay=4)
        assert payload["userErrors"] == []
        updated = payload["campaign"]
        assert updated["name"] == "Renamed" and updated["maxUsagePerCustomerPerDay"] == 4
        assert updated["description"] == "keep me" and updated["discountPercentage"] == "10.00"
        assert updated["updatedAt"] > campaign["updatedAt"] and updated["createdAt"] == campaign["createdAt"]

    def test_end_date_alone_is_validated_against_the_stored_start(self, gql, admin_engine):
        campaign = create_campaign(gql)
        before = snapshot(admin_engine)
        payload = update(gql, campaign["id"], endDate=iso(T0 - timedelta(days=2)))
        assert payload["campaign"] is None
        assert payload["userErrors"][0]["field"] == ["input", "endDate"]
        assert snapshot(admin_engine) == before

    def test_switching_discount_kind_needs_the_other_set_to_null(self, gql):
        campaign = create_campaign(gql)
        refused = update(gql, campaign["id"], discountFlat="25")
        assert refused["userErrors"][0]["field"] == ["input", "discountPercentage"]
        switched = update(gql, campaign["id"], discountFlat="25", discountPercentage=None)
        assert switched["userErrors"] == []
        assert switched["campaign"]["discountFlat"] == "25.00" and switched["campaign"]["discountPercentage"] is None

    def test_budget_may_not_fall_below_what_is_used(self, gql):
        campaign = create_campaign(gql, discountPercentage=None, discountFlat="40")
        customer = create_customer(gql)
        assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []
        refused = update(gql, campaign["id"], totalBudget="39.99")
        assert refused["userErrors"][0]["field"] == ["input", "totalBudget"]
        assert update(gql, campaign["id"], totalBudget="40")["campaign"]["status"] == "BUDGET_EXHAUSTED"

    def test_pause_and_resume(self, gql):
        campaign = create_campaign(gql)
        assert update(gql, campaign["id"], active=False)["campaign"]["status"] == "INACTIVE"
        assert update(gql, campaign["id"], active=True)["campaign"]["status"] == "ACTIVE"

    def test_targets_are_replaced_and_cleared(self, gql):
        alice, bob = create_customer(gql), create_customer(gql)
        campaign = create_campaign(gql, isTargeted=True, targetCustomerIds=[alice["id"]])
        replaced = update(gql, campaign["id"], targetCustomerIds=[bob["id"]])["campaign"]
        assert replaced["targetCustomerIds"] == [bob["id"]]
        untargeted = update(gql, campaign["id"], isTargeted=False)["campaign"]
        assert untargeted["isTargeted"] is False and untargeted["targetCustomerIds"] == []
        refused = update(gql, campaign["id"], isTargeted=True)
        assert refused["userErrors"][0]["field"] == ["input", "targetCustomerIds"]

    def test_explicit_null_on_a_required_field_is_refused(self, gql):
        campaign = create_campaign(gql)
        payload = update(gql, campaign["id"], name=None)
        assert payload["userErrors"] == [
            {"field": ["input", "name"], "code": "INVALID_INPUT", "message": "name may not be null."}
        ]

    def test_unknown_campaign(self, gql):
        for campaign_id in (encode_id("Campaign", 404), encode_id("Customer", 1), "nonsense"):
            payload = update(gql, campaign_id, name="x")
            assert payload["userErrors"][0]["code"] == "NOT_FOUND"


class TestDelete:
    DELETE = f"mutation($id: ID!) {{ deleteCampaign(id: $id) {{ deletedCampaignId {USER_ERRORS} }} }}"

    def test_deleted_campaign_is_gone_but_its_history_stays(self, gql, clock):
        customer = create_customer(gql)
        campaign = create_campaign(gql)
        usage = apply(gql, campaign["id"], customer["id"])["usage"]
        payload = gql(self.DELETE, {"id": campaign["id"]})["deleteCampaign"]
        assert payload == {"deletedCampaignId": campaign["id"], "userErrors": []}

        data = gql(
            """query($id: ID!, $customer: ID!) {
              campaign(id: $id) { id }
              node(id: $id) { id }
              campaigns { totalCount nodes { id } }
              discountUsages(customerId: $customer) {
                nodes { id discountAmount campaign { id name deletedAt usedBudget } }
              }
              availableDiscounts(input: {customerId: $customer, cartValue: "600"}) { cartDiscounts { campaign { id } } }
            }""",
            {"id": campaign["id"], "customer": customer["id"]},
        )
        assert data["campaign"] is None and data["node"] is None
        assert data["campaigns"] == {"totalCount": 0, "nodes": []}
        assert data["availableDiscounts"]["cartDiscounts"] == []
        [history] = data["discountUsages"]["nodes"]
        assert history["id"] == usage["id"] and history["discountAmount"] == "60.00"
        assert history["campaign"]["id"] == campaign["id"] and history["campaign"]["name"] == "Spring sale"
        assert history["campaign"]["deletedAt"] == iso(clock.now)

    def test_deleted_campaign_acts_as_never_existing(self, gql):
        customer = create_customer(gql)
        campaign = create_campaign(gql)
        gql(self.DELETE, {"id": campaign["id"]})
        again = gql(self.DELETE, {"id": campaign["id"]})["deleteCampaign"]
        assert again["deletedCampaignId"] is None and again["userErrors"][0]["code"] == "NOT_FOUND"
        assert update(gql, campaign["id"], name="x")["userErrors"][0]["code"] == "NOT_FOUND"
        applied = apply(gql, campaign["id"], customer["id"])
        assert applied["usage"] is None and applied["userErrors"][0]["code"] == "NOT_FOUND"


class TestStatusFilter:
    def make_one_of_each(self, gql, clock):
        customer = create_customer(gql)
        day = timedelta(days=1)
        ids = {
            "ACTIVE": create_campaign(gql, name="active")["id"],
            "SCHEDULED": create_campaign(gql, name="scheduled", startDate=iso(T0 + day), endDate=iso(T0 + 2 * day))["id"],
            "EXPIRED": create_campaign(gql, name="expired", startDate=iso(T0 - 2 * day), endDate=iso(T0 - day))["id"],
            "INACTIVE": create_campaign(gql, name="paused")["id"],
            "BUDGET_EXHAUSTED": create_campaign(gql, name="spent", discountPercentage=..., discountFlat="50", totalBudget="50")["id"],
        }
        update(gql, ids["INACTIVE"], active=False)
        assert apply(gql, ids["BUDGET_EXHAUSTED"], customer["id"])["userErrors"] == []
        return ids

    def test_every_status_reads_and_filters_alike(self, gql, clock):
        ids = self.make_one_of_each(gql, clock)
        for status, campaign_id in ids.items():
            data = gql(
                f"query($id: ID!) {{ campaign(id: $id) {{ status }} campaigns(filter: {{status: {status}}}) {{ totalCount nodes {{ id status }} }} }}",
                {"id": campaign_id},
            )
            assert data["campaign"]["status"] == status
            assert data["campaigns"] == {"totalCount": 1, "nodes": [{"id": campaign_id, "status": status}]}

    def test_status_follows_the_clock_at_the_boundaries(self, gql, clock):
        campaign = create_campaign(gql, startDate=iso(T0), endDate=iso(T0 + timedelta(hours=1)))
        query = "query($id: ID!) { campaign(id: $id) { status } campaigns(filter: {status: ACTIVE}) { totalCount } }"
        expectations = [
            (T0 - timedelta(microseconds=1), "SCHEDULED", 0),
            (T0, "ACTIVE", 1),
            (T0 + timedelta(hours=1), "ACTIVE", 1),
            (T0 + timedelta(hours=1, microseconds=1), "EXPIRED", 0),
        ]
        for now, status, active_count in expectations:
            clock.set(now)
            data = gql(query, {"id": campaign["id"]})
            assert (data["campaign"]["status"], data["campaigns"]["totalCount"]) == (status, active_count), now

    def test_filters_by_type_and_targeting(self, gql):
        customer = create_customer(gql)
        create_campaign(gql, name="cart")
        create_campaign(gql, name="delivery", discountType="DELIVERY")
        create_campaign(gql, name="vip", isTargeted=True, targetCustomerIds=[customer["id"]])
        names = lambda f: [n["name"] for n in gql(f"{{ campaigns(filter: {f}) {{ nodes {{ name }} }} }}")["campaigns"]["nodes"]]
        assert names("{discountType: DELIVERY}") == ["delivery"]
        assert names("{isTargeted: true}") == ["vip"]
        assert names("{discountType: CART, isTargeted: false}") == ["cart"]
