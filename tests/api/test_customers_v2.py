"""Customers of version 2: the shop's external ids, lookups by email and
external id, updates, and erasure that leaves no trace in the database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ..support import USER_ERRORS, GraphQLClient, apply, create_campaign, snapshot

CUSTOMER = "id email name externalId"
CREATE = f"""mutation($i: CreateCustomerInput!) {{ createCustomer(input: $i) {{ customer {{ {CUSTOMER} }}
  {USER_ERRORS} }} }}"""
UPDATE = f"""mutation($id: ID!, $i: UpdateCustomerInput!) {{ updateCustomer(id: $id, input: $i) {{
  customer {{ {CUSTOMER} }} {USER_ERRORS} }} }}"""
ERASE = f"mutation($id: ID!) {{ eraseCustomer(id: $id) {{ erasedCustomerId {USER_ERRORS} }} }}"
BY_EMAIL = f"query($e: String!) {{ customerByEmail(email: $e) {{ {CUSTOMER} }} }}"
BY_EXTERNAL_ID = f"query($x: String!) {{ customerByExternalId(externalId: $x) {{ {CUSTOMER} }} }}"
BY_ID = f"""query($id: ID!) {{ customer(id: $id) {{ {CUSTOMER}
  discountUsages {{ nodes {{ discountAmount reversedAmount }} }} }} }}"""


def create(gql, email="ada@example.com", name="Ada Lovelace", **extra):
    return gql(CREATE, {"i": {"email": email, "name": name, **extra}})["createCustomer"]


def update(gql, customer, **fields):
    return gql(UPDATE, {"id": customer["id"], "i": fields})["updateCustomer"]


def test_external_ids_are_kept_exactly_and_unique(gql, admin_engine):
    ada = create(gql, externalId="shop-42")["customer"]
    assert ada["externalId"] == "shop-42"
    assert gql(BY_EXTERNAL_ID, {"x": "shop-42"})["customerByExternalId"] == ada
    assert gql(BY_EXTERNAL_ID, {"x": "SHOP-42"})["customerByExternalId"] is None
    # Values no customer could have find nobody, and fail nothing.
    for impossible in ("a\u0000b", "", "x" * 256):
        assert gql(BY_EXTERNAL_ID, {"x": impossible})["customerByExternalId"] is None
    assert gql(BY_EMAIL, {"e": "a\u0000b@example.com"})["customerByEmail"] is None
    before = snapshot(admin_engine)
    taken = create(gql, email="other@example.com", externalId="shop-42")
    assert taken["customer"] is None
    assert taken["userErrors"] == [{"field": ["input", "externalId"], "code": "EXTERNAL_ID_TAKEN",
                                    "message": "A customer with this externalId already exists."}]
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize("external_id", ["", "x" * 256, "nul\x00byte"])
def test_an_external_id_out_of_bounds_is_refused(gql, admin_engine, external_id):
    before = snapshot(admin_engine)
    result = create(gql, externalId=external_id)
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [(["input", "externalId"], "INVALID_INPUT")]
    assert snapshot(admin_engine) == before
    assert create(gql, externalId="x" * 255)["customer"]["externalId"] == "x" * 255


def test_customer_by_email_matches_as_create_stores_it(gql):
    ada = create(gql, email="Ada.Lovelace@Example.com")["customer"]
    assert gql(BY_EMAIL, {"e": "  ada.lovelace@EXAMPLE.COM "})["customerByEmail"] == ada
    assert gql(BY_EMAIL, {"e": "nobody@example.com"})["customerByEmail"] is None
    assert gql(BY_EMAIL, {"e": "not an address"})["customerByEmail"] is None


def test_update_changes_only_the_fields_given(gql):
    ada = create(gql, externalId="shop-1")["customer"]
    renamed = update(gql, ada, name="  Countess of Lovelace ")
    assert renamed["customer"] == {**ada, "name": "Countess of Lovelace"}
    moved = update(gql, ada, email="ada@lovelace.example", externalId=None)
    assert moved["customer"] == {**ada, "name": "Countess of Lovelace", "email": "ada@lovelace.example",
                                 "externalId": None}
    assert gql(BY_EMAIL, {"e": "ada@example.com"})["customerByEmail"] is None


@pytest.mark.parametrize("fields, expected", [
    ({"email": "grace@example.com"}, [(["input", "email"], "EMAIL_TAKEN")]),
    ({"email": "GRACE@example.com"}, [(["input", "email"], "EMAIL_TAKEN")]),
    ({"externalId": "grace-1"}, [(["input", "externalId"], "EXTERNAL_ID_TAKEN")]),
    ({"externalId": "x" * 256}, [(["input", "externalId"], "INVALID_INPUT")]),
    ({"email": None}, [(["input", "email"], "INVALID_INPUT")]),
    ({"name": ""}, [(["input", "name"], "INVALID_INPUT")]),
    ({"email": "bad", "name": None}, [(["input", "email"], "INVALID_INPUT"), (["input", "name"], "INVALID_INPUT")]),
])
def test_a_refused_update_writes_nothing(gql, admin_engine, fields, expected):
    ada = create(gql, externalId="ada-1")["customer"]
    create(gql, email="grace@example.com", name="Grace Hopper", externalId="grace-1")
    before = snapshot(admin_engine)
    result = update(gql, ada, **fields)
    assert result["customer"] is None and [(e["field"], e["code"]) for e in result["userErrors"]] == expected
    assert snapshot(admin_engine) == before


def test_update_and_erase_name_an_unknown_customer_by_its_id(gql):
    for mutation, name in ((UPDATE, "updateCustomer"), (ERASE, "eraseCustomer")):
        variables = {"id": "Q3VzdG9tZXI6OTk5OQ=="}
        if mutation is UPDATE:
            variables["i"] = {"name": "x"}
        result = gql(mutation, variables)[name]
        assert result["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND", "message": "No such customer."}]


def test_erasure_keeps_the_bookkeeping_and_loses_the_person(gql):
    ada = create(gql, externalId="shop-ada")["customer"]
    campaign = create_campaign(gql, discountPercentage="35")
    usage = apply(gql, campaign["id"], ada["id"])["usage"]
    gql("""mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) { reversal { id } } }""",
        {"i": {"usageId": usage["id"], "amount": "10.00", "reason": "refund"}})

    assert gql(ERASE, {"id": ada["id"]})["eraseCustomer"] == {"erasedCustomerId": ada["id"], "userErrors": []}
    erased = gql(BY_ID, {"id": ada["id"]})["customer"]
    assert erased["name"] == "Erased customer" and erased["externalId"] is None
    assert erased["email"].endswith("@erased.invalid") and "ada" not in erased["email"]
    assert erased["discountUsages"]["nodes"] == [{"discountAmount": "210.00", "reversedAmount": "10.00"}]
    assert gql(BY_EMAIL, {"e": "ada@example.com"})["customerByEmail"] is None
    assert gql(BY_EXTERNAL_ID, {"x": "shop-ada"})["customerByExternalId"] is None
    # The address and the external id are free again; the erased customer gets nothing more.
    assert create(gql, email="ada@example.com", externalId="shop-ada")["userErrors"] == []
    assert apply(gql, campaign["id"], ada["id"])["userErrors"][0]["code"] == "NOT_FOUND"
    offers = gql.error("query($i: CartInput!) { availableDiscounts(input: $i) { cartDiscounts { discountAmount } } }",
                       {"i": {"customerId": ada["id"], "cartValue": "600"}})
    assert offers.codes == ["NOT_FOUND"]
    assert update(gql, ada, name="Back again")["userErrors"][0]["code"] == "NOT_FOUND"
    # Erasing again changes nothing and says so the same way.
    assert gql(ERASE, {"id": ada["id"]})["eraseCustomer"] == {"erasedCustomerId": ada["id"], "userErrors": []}
    assert gql(BY_ID, {"id": ada["id"]})["customer"]["email"] == erased["email"]


def _pg_dump(database_url: str) -> str:
    """The whole database as pg_dump writes it, with the pg_dump that ships with the embedded server."""
    import pgserver

    url = make_url(database_url)
    env = {**os.environ, "PGHOST": url.host or url.query.get("host", ""), "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or "postgres", "PGDATABASE": url.database, "PGPASSWORD": url.password or ""}
    pg_dump = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    return subprocess.run([str(pg_dump), "--no-owner"], env=env, capture_output=True, text=True, check=True,
                          timeout=120).stdout


def test_an_erased_customer_leaves_no_trace_in_a_database_dump(gql, database_url):
    email, name, external_id = "zelda.quintessence@example.com", "Zelda Quintessence", "crm-7f3a91c2"
    zelda = create(gql, email=email, name=name, externalId=external_id)["customer"]
    campaign = create_campaign(gql, discountPercentage="35", maxUsagePerCustomerPerDay=5)
    # Everything that could hold her: targets and their audit entry, usages, checkouts and reversals with keys.
    gql("mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { campaign { id } } }",
        {"id": campaign["id"], "i": {"isTargeted": True, "targetCustomerIds": [zelda["id"]]}})
    usage = apply(gql, campaign["id"], zelda["id"], idempotencyKey="apply-1", orderReference="order-1")["usage"]
    gql("""mutation($i: ApplyBestDiscountsInput!) { applyBestDiscounts(input: $i) { checkout { totalDiscount } } }""",
        {"i": {"customerId": zelda["id"], "cartValue": "100", "orderReference": "order-2", "idempotencyKey": "best-1"}})
    gql("""mutation($i: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $i) { reversal { id } } }""",
        {"i": {"usageId": usage["id"], "reason": "refund", "idempotencyKey": "refund-1"}})
    before = _pg_dump(database_url)
    assert email in before and name in before and external_id in before  # the search can find them

    gql(ERASE, {"id": zelda["id"]})
    after = _pg_dump(database_url)
    for trace in (email, name, external_id, "zelda", "Quintessence", "7f3a91c2"):
        assert trace.lower() not in after.lower(), trace
    # The amounts stay.
    assert "210.00" in after


def test_checkout_keys_look_customers_up_but_do_not_browse_change_or_erase_them(gql, app, client_for,
                                                                               checkout_key):
    ada = create(gql, externalId="shop-ada")["customer"]
    checkout = GraphQLClient(client_for(app, checkout_key))
    assert checkout(BY_EMAIL, {"e": "ada@example.com"})["customerByEmail"]["id"] == ada["id"]
    assert checkout(BY_EXTERNAL_ID, {"x": "shop-ada"})["customerByExternalId"]["id"] == ada["id"]
    assert checkout.error("{ customers { totalCount } }").codes == ["FORBIDDEN"]
    assert checkout.error(UPDATE, {"id": ada["id"], "i": {"name": "x"}}).codes == ["FORBIDDEN"]
    assert checkout.error(ERASE, {"id": ada["id"]}).codes == ["FORBIDDEN"]
    assert gql(BY_ID, {"id": ada["id"]})["customer"]["name"] == "Ada Lovelace"
