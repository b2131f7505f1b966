"""A shorter way through the plain fields of a response.

Most of a checkout response is scalars read straight off dataclasses: an
offer's amounts, a campaign's id and name. graphql-core takes every one of
them through its full machinery (a Path, a resolve-info object, strawberry's
default resolver, two awaitable checks, value completion), about 4 µs a field
and most of a read's CPU. For a field that strawberry itself treats as basic
(no resolver, no permission classes, no field extensions, the default
`getattr` resolver) and whose type is a scalar or an enum, this executor
reads the attribute and serializes it with the field's own scalar, which is
all that machinery ends up doing.

Anything out of the ordinary goes the standard way, so errors keep their
messages and paths: a null in a non-null field, a value the scalar refuses, a
missing attribute, and every field while a schema extension resolves
through middleware. tests/api/test_execution.py runs the same operations
through both executors and compares the responses.
"""

from __future__ import annotations

from typing import Any, Optional

from graphql import GraphQLLeafType, GraphQLObjectType, Undefined, get_nullable_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Path
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_PLAN_KEY = "campaign-service-plain-leaves"
_MISSING = object()

# field name -> (attribute name, leaf type, non-null)
PlainLeaves = dict[str, tuple[str, GraphQLLeafType, bool]]


def plain_leaves(parent_type: GraphQLObjectType) -> PlainLeaves:
    """Worked out once per schema type, then kept on the type itself."""
    plan = parent_type.extensions.get(_PLAN_KEY)
    if plan is None:
        plan = {}
        for name, field in parent_type.fields.items():
            definition = field.extensions.get("strawberry-definition")
            if (
                definition is None
                or not definition.is_basic_field
                or definition.default_resolver is not getattr
                or not is_default_resolver(field.resolve)
            ):
                continue
            leaf_type = get_nullable_type(field.type)
            if is_leaf_type(leaf_type):
                plan[name] = (definition.python_name, leaf_type, is_non_null_type(field.type))
        parent_type.extensions[_PLAN_KEY] = plan
    return plan


def _plain_value(source: Any, spec: tuple[str, GraphQLLeafType, bool]) -> Any:
    """The field's serialized value, or _MISSING when the standard path must
    decide (and report) what happens."""
    attribute, leaf_type, non_null = spec
    value = getattr(source, attribute, _MISSING)
    if value is None:
        return _MISSING if non_null else None
    if value is _MISSING:
        return _MISSING
    try:
        serialized = leaf_type.coerce_output_value(value)
    except Exception:  # the standard path raises it again, located
        return _MISSING
    return _MISSING if serialized is None or serialized is Undefined else serialized


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Optional[Path],
        grouped_field_set: dict,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        plan = plain_leaves(parent_type) if middleware is None or not middleware.middlewares else None
        if not plan:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        plain: dict[str, Any] = {}
        rest: dict = {}
        for response_name, field_details_list in grouped_field_set.items():
            spec = plan.get(field_details_list[0].node.name.value)
            value = _MISSING if spec is None else _plain_value(source_value, spec)
            if value is _MISSING:
                rest[response_name] = field_details_list
            else:
                plain[response_name] = value
        if not rest:
            return plain
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if not self.is_awaitable(others):
            return _in_selection_order(grouped_field_set, plain, others)

        async def merged() -> dict[str, Any]:
            return _in_selection_order(grouped_field_set, plain, await others)

        return merged()


def _in_selection_order(grouped_field_set: dict, plain: dict, others: dict) -> dict:
    """Responses list fields in the order they were selected."""
    if not plain:
        return others
    return {name: plain[name] if name in plain else others[name] for name in grouped_field_set if name in plain or name in others}
