"""The audit log through the API: every admin change in its transaction,
each changed field before and after, the key's name as actor, and the
budget thresholds once per crossing."""

from __future__ import annotations

from sqlalchemy import text

from ..conftest import make_key
from ..support import T0, GraphQLClient, apply, create_campaign, create_customer, iso

EVENTS = """query($id: ID!, $first: Int, $after: String) { campaign(id: $id) { events(first: $first, after: $after) {
  nodes { kind actor threshold changes { field before after } at }
  pageInfo { hasNextPage endCursor } totalCount } } }"""
UPDATE = """mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) {
  campaign { id } userErrors { code } } }"""
REVERSE = """mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) { userErrors { code } } }"""


def events(gql, campaign, first=50):
    return gql(EVENTS, {"id": campaign["id"], "first": first})["campaign"]["events"]["nodes"]


def kinds(gql, campaign):
    return [(e["kind"], e["threshold"]) for e in reversed(events(gql, campaign))]


def update(gql, campaign, **fields):
    return gql(UPDATE, {"id": campaign["id"], "i": fields})["updateCampaign"]


def test_changes_are_recorded_newest_first_with_the_keys_name(gql, app, client_for, database_url):
    key = make_key(database_url, "admin", name="merchandising team")
    merchandiser = GraphQLClient(client_for(app, key))
    campaign = create_campaign(merchandiser, name="Spring", totalBudget="10000", discountPercentage="10")
    assert update(merchandiser, campaign, name="Spring sale", totalBudget="12500.5",
                  endDate=iso(T0.replace(month=8)))["userErrors"] == []
    update(merchandiser, campaign, active=False)
    update(merchandiser, campaign, active=True, priority=3)

    newest_first = events(gql, campaign)
    # One update that resumes and changes a field writes both, the field change first.
    assert [e["kind"] for e in newest_first] == ["RESUMED", "UPDATED", "PAUSED", "UPDATED", "CREATED"]
    assert {e["actor"] for e in newest_first} == {"merchandising team"}
    assert all(key not in str(e) for e in newest_first)
    assert newest_first[3]["changes"] == [
        {"field": "name", "before": "Spring", "after": "Spring sale"},
        {"field": "endDate", "before": "2026-07-15T12:00:00+00:00", "after": "2026-08-15T12:00:00+00:00"},
        {"field": "totalBudget", "before": "10000.00", "after": "12500.50"},
    ]
    assert newest_first[1]["changes"] == [{"field": "priority", "before": "0", "after": "3"}]
    assert newest_first[0]["changes"] == newest_first[2]["changes"] == []


def test_paging_walks_the_log_newest_first(gql):
    campaign = create_campaign(gql)
    for n in range(4):
        update(gql, campaign, priority=n + 1)
    first = gql(EVENTS, {"id": campaign["id"], "first": 2})["campaign"]["events"]
    rest = gql(EVENTS, {"id": campaign["id"], "first": 10, "after": first["pageInfo"]["endCursor"]})["campaign"]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True
    afters = [e["changes"][0]["after"] if e["changes"] else e["kind"]
              for e in first["nodes"] + rest["events"]["nodes"]]
    assert afters == ["4", "3", "2", "1", "CREATED"]


def test_targets_booleans_and_nulls_are_written_as_the_api_writes_them(gql):
    alice, bob = create_customer(gql), create_customer(gql)
    campaign = create_campaign(gql, maxDiscountAmount="50")
    update(gql, campaign, isTargeted=True, targetCustomerIds=[bob["id"], alice["id"]], maxDiscountAmount=None)
    changes = {c["field"]: (c["before"], c["after"]) for c in events(gql, campaign)[0]["changes"]}
    ids = [alice["id"], bob["id"]]  # in id order, whatever order they were given in
    assert changes == {"maxDiscountAmount": ("50.00", None), "isTargeted": ("false", "true"),
                       "targetCustomerIds": ("", ", ".join(ids))}


def test_an_update_that_changes_nothing_or_fails_writes_no_entry(gql, admin_engine):
    campaign = create_campaign(gql, name="Same")
    assert update(gql, campaign, name="Same")["userErrors"] == []
    assert update(gql, campaign, totalBudget="-1")["userErrors"][0]["code"] == "INVALID_INPUT"
    assert update(gql, campaign, name="")["userErrors"][0]["code"] == "INVALID_INPUT"
    assert kinds(gql, campaign) == [("CREATED", None)]


def test_deletion_and_codes_are_recorded(gql, admin_engine):
    campaign = create_campaign(gql, requiresCode=True)
    gql("mutation($i: AddCouponCodesInput!) { addCouponCodes(input: $i) { addedCount } }",
        {"i": {"campaignId": campaign["id"], "codes": ["AUDIT-1"]}})
    gql("mutation($i: GenerateCouponCodesInput!) { generateCouponCodes(input: $i) { addedCount } }",
        {"i": {"campaignId": campaign["id"], "count": 3}})
    gql("mutation($id: ID!) { deleteCampaign(id: $id) { deletedCampaignId } }", {"id": campaign["id"]})
    with admin_engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, actor FROM campaign_events ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [("CREATED", "tests"), ("CODES_ADDED", "tests"),
                                            ("CODES_ADDED", "tests"), ("DELETED", "tests")]


def test_thresholds_are_recorded_once_per_crossing_and_rearmed_by_a_reversal(gql):
    customer = create_customer(gql)
    campaign = create_campaign(gql, discountFlat="30", discountPercentage=..., totalBudget="100",
                               maxUsagePerCustomerPerDay=10)
    usages = [apply(gql, campaign["id"], customer["id"])["usage"] for _ in range(2)]  # 30%, then 60%
    assert kinds(gql, campaign) == [("CREATED", None), ("BUDGET_THRESHOLD", 50)]
    apply(gql, campaign["id"], customer["id"])  # 90%
    last = apply(gql, campaign["id"], customer["id"])["usage"]  # the last 10.00: 100%
    assert last["discountAmount"] == "10.00"
    assert kinds(gql, campaign)[2:] == [("BUDGET_THRESHOLD", 80), ("BUDGET_THRESHOLD", 95),
                                        ("BUDGET_THRESHOLD", 100), ("EXHAUSTED", None)]
    assert {e["actor"] for e in events(gql, campaign) if e["kind"] != "CREATED"} == {None}

    # Back to 70%: 80, 95 and 100 are armed again, 50 stays reached.
    gql(REVERSE, {"i": {"usageId": usages[0]["id"], "reason": "refund"}})
    assert len(kinds(gql, campaign)) == 6
    apply(gql, campaign["id"], customer["id"])
    assert kinds(gql, campaign)[6:] == [("BUDGET_THRESHOLD", 80), ("BUDGET_THRESHOLD", 95),
                                        ("BUDGET_THRESHOLD", 100), ("EXHAUSTED", None)]


def test_lowering_the_total_budget_crosses_thresholds_too(gql):
    customer = create_customer(gql)
    campaign = create_campaign(gql, discountFlat="40", discountPercentage=..., totalBudget="100")
    apply(gql, campaign["id"], customer["id"])
    update(gql, campaign, totalBudget="50")  # 40 of 50: 80%
    assert kinds(gql, campaign) == [("CREATED", None), ("UPDATED", None), ("BUDGET_THRESHOLD", 50),
                                    ("BUDGET_THRESHOLD", 80)]


def test_checkout_keys_may_not_read_the_log(gql, app, client_for, checkout_key):
    campaign = create_campaign(gql)
    checkout = GraphQLClient(client_for(app, checkout_key))
    assert checkout.error(EVENTS, {"id": campaign["id"]}).codes == ["FORBIDDEN"]
