"""Helpers shared by the API tests: a GraphQL client, a settable clock,
factories that go through the public API, and database snapshots."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from sqlalchemy import text

T0 = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


class Clock:
    """The service's clock, set by the test."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class GraphQLResult:
    status_code: int
    body: dict

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list:
        return self.body.get("errors") or []

    @property
    def codes(self) -> list:
        return [error.get("extensions", {}).get("code") for error in self.errors]


class GraphQLClient:
    def __init__(self, http_client, path: str = "/graphql"):
        self.http = http_client
        self.path = path

    def request(self, query: str, variables: Optional[dict] = None) -> GraphQLResult:
        response = self.http.post(self.path, json={"query": query, "variables": variables or {}})
        return GraphQLResult(response.status_code, response.json())

    def __call__(self, query: str, variables: Optional[dict] = None) -> Any:
        """Run an operation that must succeed and return its data."""
        result = self.request(query, variables)
        assert result.status_code == 200, result.body
        assert not result.errors, result.errors
        return result.data

    def error(self, query: str, variables: Optional[dict] = None) -> GraphQLResult:
        """Run an operation that must fail with top-level errors."""
        result = self.request(query, variables)
        assert result.status_code < 500, result.body
        assert result.errors, result.body
        for error in result.errors:
            assert "Traceback" not in error["message"] and "SELECT" not in error["message"]
        return result


_emails = itertools.count(1)

CUSTOMER_FIELDS = "id email name createdAt"
CAMPAIGN_FIELDS = """
  id name description discountType discountPercentage discountFlat startDate endDate
  totalBudget usedBudget remainingBudget maxUsagePerCustomerPerDay minCartValue
  maxDiscountAmount isTargeted targetCustomerIds status createdAt updatedAt
"""
USER_ERRORS = "userErrors { field code message }"


def create_customer(gql: GraphQLClient, email: Optional[str] = None, name: str = "Test Customer") -> dict:
    email = email or f"customer{next(_emails)}@example.com"
    payload = gql(
        f"mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{ customer {{ {CUSTOMER_FIELDS} }} {USER_ERRORS} }} }}",
        {"input": {"email": email, "name": name}},
    )["createCustomer"]
    assert payload["userErrors"] == [], payload
    return payload["customer"]


def campaign_input(**overrides) -> dict:
    values = {
        "name": "Spring sale",
        "discountType": "CART",
        "discountPercentage": "10",
        "startDate": iso(T0 - timedelta(days=1)),
        "endDate": iso(T0 + timedelta(days=30)),
        "totalBudget": "10000",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not ...}


CREATE_CAMPAIGN = (
    f"mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) "
    f"{{ campaign {{ {CAMPAIGN_FIELDS} }} {USER_ERRORS} }} }}"
)
UPDATE_CAMPAIGN = (
    f"mutation($id: ID!, $input: UpdateCampaignInput!) {{ updateCampaign(id: $id, input: $input) "
    f"{{ campaign {{ {CAMPAIGN_FIELDS} }} {USER_ERRORS} }} }}"
)
APPLY = f"""
mutation($input: ApplyDiscountInput!) {{
  applyDiscount(input: $input) {{
    usage {{ id discountType originalAmount discountAmount finalAmount usedAt
             campaign {{ id name }} customer {{ id }} }}
    {USER_ERRORS}
  }}
}}"""
AVAILABLE = """
query($input: CartInput!) {
  availableDiscounts(input: $input) {
    cartDiscounts { campaign { id name } discountType discountAmount finalAmount isBest savings }
    deliveryDiscounts { campaign { id name } discountType discountAmount finalAmount isBest savings }
    bestCartDiscount { campaign { id } discountAmount }
    bestDeliveryDiscount { campaign { id } discountAmount }
  }
}"""


def create_campaign(gql: GraphQLClient, **overrides) -> dict:
    payload = gql(CREATE_CAMPAIGN, {"input": campaign_input(**overrides)})["createCampaign"]
    assert payload["userErrors"] == [], payload
    return payload["campaign"]


def apply(gql: GraphQLClient, campaign_id: str, customer_id: str, cart_value="600", **extra) -> dict:
    return gql(
        APPLY,
        {"input": {"campaignId": campaign_id, "customerId": customer_id, "cartValue": cart_value, **extra}},
    )["applyDiscount"]


def available(gql: GraphQLClient, customer_id: str, cart_value="600", delivery_charge="80") -> dict:
    return gql(
        AVAILABLE,
        {"input": {"customerId": customer_id, "cartValue": cart_value, "deliveryCharge": delivery_charge}},
    )["availableDiscounts"]


def snapshot(engine) -> dict:
    """Everything a request could have written, to compare before and after."""
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            for table in ("customers", "campaigns", "campaign_targets", "discount_usages", "discount_reversals",
                          "campaign_events", "coupon_codes", "checkouts", "campaign_budget_slots")
        }
