"""schema.graphql is generated from the code and must equal what the server serves."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)
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


def undescribed(sdl: str) -> list[str]:
    """Every type of ours, field, input field and enum value without a
    description; graphql-core's own types (introspection, the built-in
    scalars) come described."""
    missing = []
    for name, graphql_type in parse_sdl(sdl).type_map.items():
        if name.startswith("__"):
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInputObjectType)):
            missing += [f"{name}.{field}" for field, definition in graphql_type.fields.items()
                        if not definition.description]
        elif isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{value}" for value, definition in graphql_type.values.items()
                        if not definition.description]
    return missing


def test_every_type_field_and_enum_value_is_described():
    missing = undescribed(COMMITTED.read_text(encoding="utf-8"))
    assert missing == [], f"Describe these for GraphiQL's Docs: {', '.join(missing)}"


def test_the_description_check_names_what_lacks_one():
    sdl = '''
        """Described."""
        type Query { """Described.""" a: Int b: Int }
        input Filter { c: Int }
        """Described."""
        enum Colour { """Described.""" RED BLUE }
    '''
    assert undescribed(sdl) == ["Query.b", "Filter", "Filter.c", "Colour.BLUE"]
