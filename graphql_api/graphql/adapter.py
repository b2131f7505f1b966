"""Where this service leans on strawberry's and graphql-core's internals:
the one module that may read their private attributes or copy their
private behaviour. tests/api/test_adapter.py pins the versions it was written
for; an upgrade that moves the pins means reading this module again."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLSchema, validate
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

# The versions this module was checked against.
WRITTEN_FOR = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}

# The rules strawberry adds to every validation (strawberry.schema.schema.validate_document).
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (private: `Schema._schema`)."""
    return schema._schema


def validate_as_strawberry(schema: GraphQLSchema, document: DocumentNode, rules: tuple,
                           hide_suggestions: bool) -> list:
    """Strawberry's validation, with graphql-core's `hide_suggestions`, which
    strawberry cannot pass on."""
    return validate(schema, document, (*rules, *STRAWBERRY_RULES), hide_suggestions=hide_suggestions)


class SuggestionsSwitch(strawberry.Schema):
    """A schema whose execution, too, can leave out "Did you mean" (in the
    errors of variables coerced at execution), through the private hook that
    builds the keyword arguments of graphql-core's `execute`."""

    hide_suggestions = False

    def _get_custom_context_kwargs(self, operation_extensions: Any = None, *, sync: bool = False) -> dict:
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        return {**kwargs, "hide_suggestions": self.hide_suggestions}
