"""budgetSlots as a hostile client sends it: each bad value is a clear
error, and nothing is written (not the campaign, not a slot)."""

from __future__ import annotations

import pytest

from ..support import campaign_input, create_campaign, snapshot

CREATE = """mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id budgetSlots }
  userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) {
  campaign { id budgetSlots } userErrors { field code message } } }"""
RANGE = {"field": ["input", "budgetSlots"], "code": "INVALID_INPUT",
         "message": "budgetSlots must be between 1 and 64."}


@pytest.mark.parametrize("slots", [0, -1, 65, 2_147_483_647])
def test_out_of_range_is_a_user_error_and_writes_nothing(gql, admin_engine, slots):
    before = snapshot(admin_engine)
    result = gql(CREATE, {"i": campaign_input(budgetSlots=slots)})["createCampaign"]
    assert result == {"campaign": None, "userErrors": [RANGE]}
    assert snapshot(admin_engine) == before


@pytest.mark.parametrize("slots", ["16", 16.5, 2**40, True, [16]])
def test_a_value_that_is_no_int_is_refused_before_anything_runs(gql, admin_engine, slots):
    before = snapshot(admin_engine)
    refused = gql.error(CREATE, {"i": campaign_input(budgetSlots=slots)})
    assert "budgetSlots" in refused.errors[0]["message"]
    assert snapshot(admin_engine) == before


def test_an_update_out_of_range_or_to_null_changes_nothing_and_keeps_the_slots(gql, admin_engine):
    campaign = create_campaign(gql, budgetSlots=8)
    before = snapshot(admin_engine)
    for slots, message in ((65, RANGE["message"]), (None, "budgetSlots may not be null.")):
        result = gql(UPDATE, {"id": campaign["id"], "i": {"budgetSlots": slots}})["updateCampaign"]
        assert result == {"campaign": None, "userErrors": [
            {"field": ["input", "budgetSlots"], "code": "INVALID_INPUT", "message": message}]}
    # The refused edits collected the slots and lent them again as they were.
    assert snapshot(admin_engine) == before
    assert len(before["campaign_budget_slots"]) == 8
