"""Input objects made of plain scalars, built without strawberry's general
argument conversion.

By the time a resolver's arguments are converted, graphql-core has parsed
every input value with its scalar. For an input whose fields are all plain
scalars (no lists, enums, nested inputs, `Maybe` or relay GlobalIDs),
strawberry's conversion only renames GraphQL names to Python names, yet it
resolves each field's type and walks its general cases on every request. `plain_scalar_input` gives
such a type strawberry's own `from_input` hook, which does just the
renaming. tests/api/test_plain_inputs.py checks that both build the same
objects.
"""

from __future__ import annotations

from dataclasses import MISSING
from typing import Any, Mapping, Optional

from strawberry.relay import GlobalID
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType


def plain_scalar_input(cls: type) -> type:
    definition = cls.__strawberry_definition__
    plan: Optional[tuple[dict, list]] = None

    def from_input(type_: type, value: Mapping[str, Any], context) -> Any:
        nonlocal plan
        if plan is None:
            plan = scalar_input_plan(cls, context.config)
        unset, names = plan
        kwargs = dict(unset)
        for graphql_name, python_name in names:
            if graphql_name in value:
                kwargs[python_name] = value[graphql_name]
        return type_(**kwargs)

    definition.from_input = from_input
    return cls


def scalar_input_plan(cls: type, config) -> tuple[dict, list]:
    """(None for each field without a default, as strawberry sets them;
    the (GraphQL name, Python name) of each field). TypeError when a field is
    not a plain scalar."""
    definition = cls.__strawberry_definition__
    names = []
    for field in definition.fields:
        field_type = field.resolve_type(type_definition=definition)
        if isinstance(field_type, StrawberryOptional) and not isinstance(field_type, StrawberryMaybe):
            field_type = field_type.of_type
        if (
            isinstance(field_type, (StrawberryMaybe, StrawberryOptional, StrawberryList, LazyType))
            or field_type is GlobalID
            or has_object_definition(field_type)
            or has_enum_definition(field_type)
        ):
            raise TypeError(f"{definition.name}.{field.python_name} is not a plain scalar")
        names.append((config.name_converter.from_field(field), field.python_name))
    unset = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }
    return unset, names
