"""Where this service leans on strawberry's and graphql-core's internals:
the one module that may read their private attributes or copy their
private behaviour. tests/api/test_adapter.py pins the versions it was written
for; an upgrade that moves the pins means reading this module again."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLField, GraphQLSchema, validate
from strawberry.execution import optimized_is_awaitable
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

# The versions this module was checked against.
WRITTEN_FOR = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}

# The rules strawberry adds to every validation (strawberry.schema.schema.validate_document).
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)

# graphql-core's executor as strawberry extends it (resolvers see coerced
# variables and the operation's extensions), and strawberry's faster test
# of awaitables; the engine executes with both.
StrawberryExecutor = StrawberryGraphQLCoreExecutionContext
is_awaitable = optimized_is_awaitable


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (private: `Schema._schema`)."""
    return schema._schema


def validate_as_strawberry(schema: GraphQLSchema, document: DocumentNode, rules: tuple,
                           hide_suggestions: bool) -> list:
    """Strawberry's validation, with graphql-core's `hide_suggestions`, which
    strawberry cannot pass on."""
    return validate(schema, document, (*rules, *STRAWBERRY_RULES), hide_suggestions=hide_suggestions)


def schema_directives(field: GraphQLField) -> tuple:
    """The schema directives strawberry recorded on a field (@cost, @listSize)."""
    definition = field.extensions.get("strawberry-definition")
    return tuple(getattr(definition, "directives", ()) or ())


def reads_an_attribute(field: GraphQLField) -> Any:
    """The Python attribute a field reads when strawberry resolves it by
    plain `getattr` (no resolver, permission, or field extension), else None."""
    definition = field.extensions.get("strawberry-definition")
    if (
        definition is None
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
        or not is_default_resolver(field.resolve)
    ):
        return None
    return definition.python_name


def raw_info(info: Any) -> Any:
    """graphql-core's resolve info behind strawberry's Info (private:
    `Info._raw_info`): its field nodes and fragments, read without the
    conversion `Info.selected_fields` makes of the whole selection."""
    return info._raw_info
