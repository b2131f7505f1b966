import pytest

from ..support import apply, create_campaign, create_customer


def walk(gql, query, path, page_size, variables=None):
    """Follow endCursor until hasNextPage is false; return ids and totals seen."""
    seen, totals, after = [], set(), None
    while True:
        data = gql(query, {**(variables or {}), "first": page_size, "after": after})
        for key in path:
            data = data[key]
        assert [edge["node"]["id"] for edge in data["edges"]] == [node["id"] for node in data["nodes"]]
        assert [edge["cursor"] for edge in data["edges"]][-1:] == ([data["pageInfo"]["endCursor"]] if data["edges"] else [])
        seen += [node["id"] for node in data["nodes"]]
        totals.add(data["totalCount"])
        if not data["pageInfo"]["hasNextPage"]:
            return seen, totals
        after = data["pageInfo"]["endCursor"]


CONNECTION = "totalCount nodes { id } edges { cursor node { id } } pageInfo { hasNextPage endCursor hasPreviousPage }"


@pytest.mark.parametrize("page_size", [1, 3, 7, 100])
def test_customers_are_walked_exactly_once(gql, page_size):
    ids = [create_customer(gql)["id"] for _ in range(7)]
    seen, totals = walk(gql, f"query($first: Int, $after: String) {{ customers(first: $first, after: $after) {{ {CONNECTION} }} }}",
                        ["customers"], page_size)
    assert seen == ids and totals == {7}


def test_campaigns_with_a_filter_are_walked_exactly_once(gql):
    wanted = [create_campaign(gql, discountType="DELIVERY")["id"] if i % 2 else create_campaign(gql)["id"] for i in range(9)]
    seen, totals = walk(
        gql,
        f"query($first: Int, $after: String) {{ campaigns(filter: {{discountType: DELIVERY}}, first: $first, after: $after) {{ {CONNECTION} }} }}",
        ["campaigns"], 2,
    )
    assert seen == wanted[1::2] and totals == {4}


def test_usage_history_is_newest_first_and_walked_exactly_once(gql):
    customer = create_customer(gql)
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=100)
    usage_ids = [apply(gql, campaign["id"], customer["id"])["usage"]["id"] for _ in range(5)]
    query = f"query($c: ID!, $first: Int, $after: String) {{ discountUsages(customerId: $c, first: $first, after: $after) {{ {CONNECTION} }} }}"
    seen, totals = walk(gql, query, ["discountUsages"], 2, {"c": customer["id"]})
    assert seen == usage_ids[::-1] and totals == {5}
    nested = f"query($c: ID!, $first: Int, $after: String) {{ customer(id: $c) {{ discountUsages(first: $first, after: $after) {{ {CONNECTION} }} }} }}"
    seen, totals = walk(gql, nested, ["customer", "discountUsages"], 2, {"c": customer["id"]})
    assert seen == usage_ids[::-1] and totals == {5}


def test_page_info_at_the_edges(gql):
    for _ in range(3):
        create_customer(gql)
    first_page = gql("{ customers(first: 2) { pageInfo { hasNextPage hasPreviousPage endCursor } } }")["customers"]["pageInfo"]
    assert first_page["hasNextPage"] is True and first_page["hasPreviousPage"] is False
    last = gql("query($a: String) { customers(first: 2, after: $a) { totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage } } }",
               {"a": first_page["endCursor"]})["customers"]
    assert len(last["nodes"]) == 1 and last["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    zero = gql("{ customers(first: 0) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }")["customers"]
    assert zero == {"totalCount": 3, "nodes": [], "pageInfo": {"hasNextPage": True, "endCursor": None}}


def test_page_past_the_end_still_counts(gql):
    customer = create_customer(gql)
    campaign = create_campaign(gql, maxUsagePerCustomerPerDay=5)
    apply(gql, campaign["id"], customer["id"])
    data = gql("query($c: ID!) { discountUsages(customerId: $c, first: 1) { pageInfo { endCursor } } }", {"c": customer["id"]})
    cursor = data["discountUsages"]["pageInfo"]["endCursor"]
    past = gql("query($c: ID!, $a: String) { discountUsages(customerId: $c, after: $a) { totalCount nodes { id } } customer(id: $c) { discountUsages(after: $a) { totalCount } } }",
               {"c": customer["id"], "a": cursor})
    assert past["discountUsages"] == {"totalCount": 1, "nodes": []}
    assert past["customer"]["discountUsages"]["totalCount"] == 1


@pytest.mark.parametrize("first", [-1, 101, 100000])
def test_first_out_of_range_is_invalid_input(gql, first):
    result = gql.error("query($f: Int) { customers(first: $f) { totalCount } }", {"f": first})
    assert result.codes == ["INVALID_INPUT"] and result.errors[0]["extensions"]["field"] == ["first"]


@pytest.mark.parametrize("after", ["nonsense", "Y3Vyc29yOmFiYw==", "", "Q3VzdG9tZXI6MQ"])
def test_foreign_cursors_are_invalid_input(gql, after):
    result = gql.error("query($a: String) { customers(after: $a) { totalCount } }", {"a": after})
    assert result.codes == ["INVALID_INPUT"] and result.errors[0]["extensions"]["field"] == ["after"]
