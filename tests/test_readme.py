"""The README's GraphQL examples stay valid against the schema."""

import re

import pytest
from graphql import parse, validate

from graphql_api.graphql.schema import schema

from .conftest import ROOT

BLOCKS = re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_has_the_walkthrough():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("document", BLOCKS)
def test_readme_operation_is_valid(document):
    assert validate(schema._schema, parse(document)) == []
