"""GraphiQL in a real browser, offline, from an empty browser profile:
headless Chromium opens /graphql, the page says how to add a key instead of
showing a refusal, the key is pasted into the pre-wired header, the Docs pane
loads by itself, and a query run through the editor shows its data. Every
asset comes from this server."""

from __future__ import annotations

import httpx2
import pytest

from ..support import CREATE_CAMPAIGN, campaign_input
from .browser import ARTIFACTS, needs_chromium, run_page_script

pytestmark = pytest.mark.browser


@needs_chromium
def test_graphiql_runs_a_query_offline(server, admin_key):
    created = httpx2.post(f"{server}/graphql", headers={"Authorization": f"Bearer {admin_key}"}, timeout=30, json={
        "query": CREATE_CAMPAIGN,
        "variables": {"input": campaign_input(name="Browser sale", startDate="2020-01-01T00:00:00Z",
                                              endDate="2099-01-01T00:00:00Z")},
    })
    assert created.json()["data"]["createCampaign"]["userErrors"] == []

    page = httpx2.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")

    screenshot = ARTIFACTS / "graphiql.png"
    outcome = run_page_script("graphiql_browser.mjs", f"{server}/graphql", admin_key, str(screenshot))
    assert outcome["result"]["data"]["campaigns"] == {
        "totalCount": 1, "nodes": [{"name": "Browser sale", "status": "ACTIVE"}]}
    # First contact: instructions, not a red UNAUTHENTICATED, and nothing sent that the server would refuse.
    assert "No API key yet" in outcome["bannerText"] and "Headers tab" in outcome["bannerText"]
    assert outcome["graphqlPostsBeforeKey"] == []
    assert outcome["refusedResponses"] == []
    assert outcome["pasted"]
    # The schema was fetched once the key was there, without the re-fetch button.
    assert "Root Types" in outcome["docsText"] and "query" in outcome["docsText"]
    assert outcome["failedRequests"] == []  # nothing fetched from elsewhere
    assert outcome["consoleErrors"] == []  # the CSP let GraphiQL run
    assert screenshot.stat().st_size > 10_000
