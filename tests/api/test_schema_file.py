"""schema.graphql is generated from the code and must equal what the server serves."""

from graphql import build_client_schema, get_introspection_query, lexicographic_sort_schema, print_schema
from graphql import build_schema as parse_sdl

from graphql_api.graphql.schema import schema_sdl

from ..conftest import ROOT

COMMITTED = ROOT / "schema.graphql"


def test_committed_schema_matches_the_code():
    assert COMMITTED.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `make schema` (campaign-service export-schema) and commit it"
    )


def test_committed_schema_matches_what_the_server_serves(gql):
    served = build_client_schema(gql(get_introspection_query(descriptions=True)))
    committed = parse_sdl(COMMITTED.read_text(encoding="utf-8"))
    assert print_schema(lexicographic_sort_schema(served)) == print_schema(lexicographic_sort_schema(committed))


def test_contract_names_are_all_present():
    committed = parse_sdl(COMMITTED.read_text(encoding="utf-8"))
    expected_fields = {
        "Query": {"node", "customer", "customers", "campaign", "campaigns", "availableDiscounts", "discountUsages"},
        "Mutation": {"createCustomer", "createCampaign", "updateCampaign", "deleteCampaign", "applyDiscount"},
        "Campaign": {"id", "name", "description", "discountType", "discountPercentage", "discountFlat", "startDate",
                     "endDate", "totalBudget", "usedBudget", "remainingBudget", "maxUsagePerCustomerPerDay",
                     "minCartValue", "maxDiscountAmount", "isTargeted", "targetCustomers", "targetCustomerIds",
                     "status", "createdAt", "updatedAt"},
        "DiscountOffer": {"campaign", "discountType", "discountAmount", "finalAmount", "isBest", "savings"},
        "CustomerConnection": {"edges", "nodes", "pageInfo", "totalCount"},
    }
    for type_name, fields in expected_fields.items():
        assert fields <= set(committed.get_type(type_name).fields), type_name
