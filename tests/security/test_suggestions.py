"""Finding 8: in production only field suggestions were stripped (strawberry's
`disable_field_suggestions` edits one message), so a typo in an argument, a
type, an enum value or an input field still answered "Did you mean" with the
schema's names. graphql-core leaves every suggestion out when told to: the
schema's validation and its execution (where variables are coerced) are told
so in production, on both the first and the prepared run."""

from __future__ import annotations

import pytest

TYPOS = {
    "field": ("{ custmers { totalCount } }", None),
    "argument": ("{ customers(frist: 1) { totalCount } }", None),
    "fragment type condition": ("{ ...F } fragment F on Quer { __typename }", None),
    "variable type": ("query($f: CampaignFiltr) { __typename }", None),
    "enum value": ("{ campaigns(filter: {status: ACTIV}) { totalCount } }", None),
    "input field": ("{ campaigns(filter: {statu: ACTIVE}) { totalCount } }", None),
    "enum value in a variable": (
        "query($f: CampaignFilter) { campaigns(filter: $f) { totalCount } }", {"f": {"status": "ACTIV"}}),
    "input field in a variable": (
        "query($f: CampaignFilter) { campaigns(filter: $f) { totalCount } }", {"f": {"statu": "ACTIVE"}}),
}


def errors(client, query, variables):
    answer = client.post("/graphql", json={"query": query, "variables": variables})
    assert answer.status_code == 200, answer.text
    found = answer.json()["errors"]
    assert found and all(e["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "INVALID_INPUT") for e in found), found
    return " ".join(e["message"] for e in found)


@pytest.mark.parametrize("typo", TYPOS)
def test_production_suggests_nothing(production_app, client_for, sql, typo):
    client = client_for(production_app)
    query, variables = TYPOS[typo]
    errors(client, query, variables)  # the key is looked up once, then cached
    sql.reset()
    for _ in range(2):  # the second run of a document that validated runs prepared
        assert "Did you mean" not in errors(client, query, variables)
    assert sql.count == 0


@pytest.mark.parametrize("typo", TYPOS)
def test_development_still_suggests(development_app, production_app, client_for, typo):
    """Both modes in one process: the setting is the schema's, not global."""
    query, variables = TYPOS[typo]
    production, development = client_for(production_app), client_for(development_app)
    for _ in range(2):
        assert "Did you mean" in errors(development, query, variables)
        assert "Did you mean" not in errors(production, query, variables)
