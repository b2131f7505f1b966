"""graphql_api/graphql/engine/adapter.py was written for these releases of
strawberry and graphql-core. When an upgrade moves them, read the adapter
again (its private attribute, the executor it extends, the field definitions
it reads, strawberry's own validation rules), then move the pins."""

from __future__ import annotations

from importlib.metadata import version

from graphql import GraphQLSchema, parse, specified_rules
from strawberry.schema.schema import validate_document as strawberrys_validation

from graphql_api.graphql.engine.adapter import WRITTEN_FOR, core_schema, validate_as_strawberry
from graphql_api.graphql.schema import schema


def test_the_installed_releases_are_the_ones_the_adapter_was_written_for():
    assert {name: version(name) for name in WRITTEN_FOR} == WRITTEN_FOR


def test_the_adapter_reaches_what_it_says():
    assert isinstance(core_schema(schema), GraphQLSchema)
    for text in ("{ __typename }", "{ nope }", "query($x: Int) { __typename }", "{ campaigns(first: 1) { x } }"):
        document = parse(text)
        rules = tuple(specified_rules)
        ours = [e.message for e in validate_as_strawberry(core_schema(schema), document, rules, False)]
        theirs = [e.message for e in strawberrys_validation(core_schema(schema), document, rules)]
        assert ours == theirs, text


def test_what_the_engine_reads_of_strawberrys_fields():
    from graphql_api.graphql.cost_directives import Cost
    from graphql_api.graphql.engine.adapter import reads_an_attribute, schema_directives

    graphql_schema = core_schema(schema)
    available = graphql_schema.query_type.fields["availableDiscounts"]
    assert any(isinstance(directive, Cost) for directive in schema_directives(available))
    campaign = graphql_schema.get_type("Campaign")
    assert reads_an_attribute(campaign.fields["name"]) == "name"
    assert reads_an_attribute(campaign.fields["usedBudget"]) == "used_budget"
    assert reads_an_attribute(campaign.fields["targetCustomers"]) is None  # a resolver
    assert reads_an_attribute(campaign.fields["status"]) is None  # a resolver too
