"""The ops page in a real browser: headless Chromium opens /dashboard, the
admin key is pasted once (and kept in sessionStorage only), discounts are
applied through the API, and the page's figures change without a reload,
live through the subscription. Every asset comes from this server, under
its content security policy; a screenshot is kept as a test artifact."""

from __future__ import annotations

import httpx2
import pytest

from ..support import CREATE_CAMPAIGN, campaign_input
from .browser import ARTIFACTS, needs_chromium, run_page_script

pytestmark = pytest.mark.browser


def gql(server, key, query, variables):
    answer = httpx2.post(f"{server}/graphql", headers={"Authorization": f"Bearer {key}"}, timeout=30,
                         json={"query": query, "variables": variables})
    assert "errors" not in answer.json(), answer.json()
    return answer.json()["data"]


@needs_chromium
def test_the_ops_page_follows_a_sale_live(server, admin_key):
    campaign = gql(server, admin_key, CREATE_CAMPAIGN, {"input": campaign_input(
        name="Flash sale", discountFlat="10", discountPercentage=..., totalBudget="100",
        startDate="2020-01-01T00:00:00Z", endDate="2099-01-01T00:00:00Z")})["createCampaign"]["campaign"]
    customers = [gql(server, admin_key, "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) "
                     "{ customer { id } } }", {"i": {"email": f"shopper{n}@example.com", "name": f"Shopper {n}"}})
                 ["createCustomer"]["customer"]["id"] for n in range(3)]

    page = httpx2.get(f"{server}/dashboard")
    assert page.status_code == 200 and "<script>" not in page.text and "cdn" not in page.text.lower()
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")

    screenshot = ARTIFACTS / "dashboard.png"
    outcome = run_page_script("dashboard_browser.mjs", server, admin_key, campaign["id"], ",".join(customers),
                              str(screenshot))
    assert (outcome["before"], outcome["after"], outcome["remaining"]) == ("0.00", "30.00", "70.00")
    assert outcome["reloaded"] is False
    assert outcome["events"][-1].endswith("created by tests")  # the selected campaign's audit log
    assert outcome["chartPaths"] == 2
    assert outcome["keyKept"] is True and outcome["keyInLocalStorage"] is False and outcome["formHidden"] is True
    assert outcome["failedRequests"] == [] and outcome["consoleErrors"] == []
    assert screenshot.stat().st_size > 10_000
