"""The README's GraphQL examples stay valid against the schema."""

import re

import pytest
from graphql import parse, validate

from graphql_api.graphql.schema import schema
from graphql_api.graphql.engine.adapter import core_schema

from .conftest import ROOT

BLOCKS = re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_has_the_walkthrough():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("document", BLOCKS)
def test_readme_operation_is_valid(document):
    assert validate(core_schema(schema), parse(document)) == []


def test_every_setting_is_in_the_configuration_table():
    source = (ROOT / "graphql_api" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:\.get\(|\[|, )"([A-Z][A-Z0-9_]+)"', source))
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, re.M))
    assert len(names) > 30
    assert names - documented == set()
