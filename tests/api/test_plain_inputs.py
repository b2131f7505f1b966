"""Inputs of plain scalars are built by `plain_scalar_input`'s hook exactly as
strawberry's general conversion builds them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import convert_argument

from graphql_api.graphql.discounts.types import ApplyDiscountInput, CartInput
from graphql_api.graphql.inputs import scalar_input_plan
from graphql_api.graphql.schema import schema

VALUES = {
    CartInput: [
        {"customerId": "Q3VzdG9tZXI6MQ", "cartValue": Decimal("600"), "deliveryCharge": Decimal("80")},
        {"customerId": "Q3VzdG9tZXI6MQ", "cartValue": Decimal("0.01"), "deliveryCharge": None},
        {"customerId": "Q3VzdG9tZXI6MQ", "cartValue": Decimal("600")},
    ],
    ApplyDiscountInput: [
        {"campaignId": "a", "customerId": "b", "cartValue": Decimal("600"), "deliveryCharge": Decimal("0"),
         "idempotencyKey": "key-1"},
        {"campaignId": "a", "customerId": "b", "cartValue": Decimal("600"), "idempotencyKey": None},
        {"campaignId": "a", "customerId": "b", "cartValue": Decimal("600")},
    ],
}


def convert(input_type, value):
    return convert_argument(value, input_type, schema.schema_converter.scalar_registry, schema.config)


@pytest.mark.parametrize("input_type", list(VALUES), ids=lambda t: t.__name__)
def test_the_hook_builds_what_strawberry_builds(input_type, monkeypatch):
    with_hook = [convert(input_type, value) for value in VALUES[input_type]]
    monkeypatch.setattr(input_type.__strawberry_definition__, "from_input", None)
    general = [convert(input_type, value) for value in VALUES[input_type]]
    assert with_hook == general
    assert all(type(built) is input_type for built in with_hook)


def test_inputs_with_more_than_plain_scalars_are_refused():
    from graphql_api.graphql.campaigns.types import CreateCampaignInput  # a list of IDs, an enum

    with pytest.raises(TypeError, match="not a plain scalar"):
        scalar_input_plan(CreateCampaignInput, StrawberryConfig())
