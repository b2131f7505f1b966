"""Finding 13: lowering `maxUsagePerCustomerPerDay` below a customer's usages
of the day made `campaign-service check` report a broken daily limit that no
apply broke, so the check cried wolf and a real breach could hide among the
false ones. Each usage now records the limit it was applied under, and the
check holds each usage to it: counting the customer's usages of the campaign
that day up to and including it, the count may not exceed that limit."""

from __future__ import annotations

from sqlalchemy import text

from graphql_api.graphql.ids import decode_id

from ..support import UPDATE_CAMPAIGN, GraphQLClient, apply, create_campaign, create_customer, snapshot
from ..test_cli import run_cli


def test_a_lowered_limit_breaks_nothing_and_a_real_breach_is_still_found(production_app, client_for,
                                                                          admin_engine, database_url):
    """Finding 13: three usages under a limit of 3, then the limit lowered to 1:
    consistent. A fourth usage that day, recorded under the limit of 3 (which
    no apply could do), is reported against that limit."""
    gql = GraphQLClient(client_for(production_app))
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=3, discountPercentage=...,
                               discountFlat="10")
    customer = create_customer(gql)
    for _ in range(3):
        assert apply(gql, campaign["id"], customer["id"])["userErrors"] == []
    lowered = gql(UPDATE_CAMPAIGN, {"id": campaign["id"], "input": {"maxUsagePerCustomerPerDay": 1}})
    assert lowered["updateCampaign"]["userErrors"] == []
    assert apply(gql, campaign["id"], customer["id"])["userErrors"][0]["code"] == "DAILY_LIMIT_REACHED"

    before = snapshot(admin_engine)
    checked = run_cli("check", database_url=database_url)
    assert checked.returncode == 0 and "consistent" in checked.stdout, checked.stdout + checked.stderr
    assert snapshot(admin_engine) == before  # the check writes nothing

    campaign_pk, customer_pk = decode_id(campaign["id"], "Campaign"), decode_id(customer["id"], "Customer")
    with admin_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO discount_usages (campaign_id, customer_id, discount_type, cart_value, delivery_charge, "
            "original_amount, discount_amount, final_amount, used_at, daily_limit_at_apply) "
            "SELECT campaign_id, customer_id, discount_type, cart_value, delivery_charge, original_amount, "
            "discount_amount, final_amount, used_at, 3 FROM discount_usages ORDER BY id LIMIT 1"))
        connection.execute(text("UPDATE campaigns SET used_budget = used_budget + 10 WHERE id = :id"),
                           {"id": campaign_pk})
    breached = run_cli("check", database_url=database_url)
    assert breached.returncode == 1, breached.stdout + breached.stderr
    assert breached.stdout.count("daily_limit:") == 1 and "budget:" not in breached.stdout, breached.stdout
    assert f"daily_limit: campaign {campaign_pk}, customer {customer_pk}, 2026-06-15: 4 usages, limit 3" \
        in breached.stdout
