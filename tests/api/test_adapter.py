"""graphql_api/graphql/adapter.py was written for these releases of
strawberry and graphql-core. When an upgrade moves them, read the adapter
again (its private attribute, its private hook, strawberry's own validation
rules), then move the pins."""

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
