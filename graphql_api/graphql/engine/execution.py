"""A shorter way through the plain parts of a response.

Most of a checkout response is plain data read straight off dataclasses: an
offer's amounts, its campaign's id and name, the lists of offers. graphql-core
takes every field through its full machinery (a Path, a resolve-info object,
strawberry's default resolver, awaitable checks, value completion), most of
a read's CPU. For the fields strawberry itself treats
as basic (no resolver, no permission classes, no field extensions, the
default `getattr` resolver), this executor does only what that machinery ends
up doing:

- a scalar or enum: read the attribute, serialize it with the field's scalar;
- an object, or a list of objects, whose selected fields are all plain down
  to the leaves: read it and execute its fields directly, without
  completion's type dispatch for each value.

Which selections are plain is worked out per selection (collecting its
subfields, checking each). For a cached document (documents.py) with no
directives, neither can change from one run to the next (only @skip/@include
and fragment arguments read variables), so its runs share both
(`shared_selections`).

Anything out of the ordinary goes the standard way, so errors keep their
messages and paths: a null where the schema forbids one, a value a scalar
refuses, a missing attribute, an object of the wrong type, a field with
directives (@defer/@stream). tests/api/test_execution.py runs the same
operations through both executors and compares the responses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Callable, Optional

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLString,
    DocumentNode,
    FragmentSpreadNode,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_nullable_type,
    get_operation_ast,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.language import BREAK, Visitor
from graphql.pyutils import Path
from .adapter import StrawberryExecutor, reads_an_attribute
from .errors import locate_variable_errors

_PLAN_KEY = "campaign-service-plain-fields"
_MISSING = object()


class _Abandon(Exception):
    """Something below a plain field is out of the ordinary: the standard path takes the field."""


@dataclass(frozen=True)
class PlainField:
    attribute: str
    field_type: GraphQLOutputType
    non_null: bool
    leaf_type: Optional[GraphQLLeafType] = None  # a scalar or enum
    serialize: Optional[Callable[[Any], Any]] = None  # the leaf type's, with a shortcut for the usual values
    object_type: Optional[GraphQLObjectType] = None  # an object, or the items of a list of objects
    is_list: bool = False
    item_type: Optional[GraphQLOutputType] = None
    item_non_null: bool = False


def _serializer(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """What `coerce_output_value` gives, without its checks where the value
    is already the output: a str for String and ID, a bool for Boolean; an
    enum member's name is remembered."""
    coerce = leaf_type.coerce_output_value
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return lambda value: value if type(value) is str else coerce(value)
    if leaf_type is GraphQLBoolean:
        return lambda value: value if type(value) is bool else coerce(value)
    if is_enum_type(leaf_type):
        names: dict = {}

        def enum_name(value: Any) -> Any:
            if not isinstance(value, enum.Enum):
                return coerce(value)
            name = names.get(value)
            if name is None:
                name = names[value] = coerce(value)
            return name

        return enum_name
    return coerce


def _plain_field(attribute: str, field_type: GraphQLOutputType) -> Optional[PlainField]:
    non_null = is_non_null_type(field_type)
    nullable = get_nullable_type(field_type)
    if is_leaf_type(nullable):
        return PlainField(attribute, field_type, non_null, leaf_type=nullable, serialize=_serializer(nullable))
    if is_object_type(nullable):
        return PlainField(attribute, field_type, non_null, object_type=nullable)
    if is_list_type(nullable):
        item_type = nullable.of_type
        item = get_nullable_type(item_type)
        if is_object_type(item):
            return PlainField(attribute, field_type, non_null, object_type=item, is_list=True, item_type=item_type,
                              item_non_null=is_non_null_type(item_type))
    return None  # interfaces, unions, nested lists, lists of scalars: the standard way


def _value_field(return_type: GraphQLOutputType) -> Optional[PlainField]:
    """A field of `return_type` read from nowhere (the value is given), when
    it is an object or a list of objects."""
    field = _plain_field("", return_type)
    return field if field is not None and field.object_type is not None else None


def plain_fields(parent_type: GraphQLObjectType) -> dict[str, PlainField]:
    """Worked out once per schema type, then kept on the type itself."""
    plan = parent_type.extensions.get(_PLAN_KEY)
    if plan is None:
        plan = {}
        for name, field in parent_type.fields.items():
            attribute = reads_an_attribute(field)
            plain = _plain_field(attribute, field.type) if attribute is not None else None
            if plain is not None:
                plan[name] = plain
        parent_type.extensions[_PLAN_KEY] = plan
    return plan


def _leaf_value(value: Any, field: PlainField) -> Any:
    """The serialized value, or _MISSING when the standard path must decide
    (and report) what happens."""
    if value is None:
        return _MISSING if field.non_null else None
    if value is _MISSING:
        return _MISSING
    try:
        serialized = field.serialize(value)
    except Exception:  # the standard path raises it again, located
        return _MISSING
    return _MISSING if serialized is None or serialized is Undefined else serialized


def _is_type(object_type: GraphQLObjectType, value: Any) -> bool:
    if object_type.is_type_of is None:
        return True
    try:
        # strawberry's own check is an isinstance test that never looks at info
        return object_type.is_type_of(value, None) is True
    except Exception:
        return False


class _VariableSelectionFinder(Visitor):
    found = False

    def enter_directive(self, *_args: Any) -> Any:
        self.found = True
        return BREAK

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: Any) -> Any:
        if getattr(node, "arguments", None):
            self.found = True
            return BREAK
        return None


def selections_may_vary(document: DocumentNode) -> bool:
    """Whether the fields a selection collects may differ between runs of the
    document: any directive, or a fragment spread with arguments."""
    finder = _VariableSelectionFinder()
    visit(document, finder)
    return finder.found


class PlainFieldExecutor(StrawberryExecutor):
    @classmethod
    def build(cls, schema, document, root_value=None, context_value=None, raw_variable_values=None,
              operation_name=None, *args: Any, **kwargs: Any) -> Any:
        """Errors instead of an executor when the operation cannot be picked or
        its variables do not coerce; both execution paths build here, so both
        name the variable field at fault."""
        built = super().build(schema, document, root_value, context_value, raw_variable_values, operation_name,
                              *args, **kwargs)
        if isinstance(built, list) and get_operation_ast(document, operation_name) is not None:
            return locate_variable_errors(built, schema, raw_variable_values or {})
        return built

    def __init__(self, *args: Any, shared_selections: Optional[dict] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (object type, id of the field group) -> its grouped subfields when all
        # are plain, else None, and the groups' steps; they live as long as the execution.
        self._plain_subfields: dict[tuple, Any] = {}
        # Collected subfields and the plain groups by the ids of the type and the
        # field nodes, kept by a cached document for all its runs (documents.py).
        self._shared: Optional[dict] = shared_selections

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list) -> Any:
        shared = self._shared
        if shared is None:
            return super().collect_subfields(return_type, field_details_list)
        key = ("collected", id(return_type), *(id(details.node) for details in field_details_list))
        collected = shared.get(key)
        if collected is None:
            collected = shared[key] = super().collect_subfields(return_type, field_details_list)
        return collected

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Optional[Path],
        grouped_field_set: dict,
        position_context: Any,
    ) -> Any:
        plan = plain_fields(parent_type) if position_context is None else None
        if not plan:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        plain: dict[str, Any] = {}
        rest: dict = {}
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            field = plan.get(name)
            if field is None:
                value = parent_type.name if name == "__typename" else _MISSING
            elif field.leaf_type is not None:
                value = _leaf_value(getattr(source_value, field.attribute, _MISSING), field)
            else:
                value = self._complete_plain_object(field, getattr(source_value, field.attribute, _MISSING),
                                                    field_details_list)
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

    def complete_value(self, return_type, field_details_list, info, path, result, position_context) -> Any:
        """A resolver's value whose whole selection is plain (a bounded list
        of offers, say) is completed by the compiled steps too; anything else,
        or anything out of the ordinary in it, the standard way."""
        if position_context is None and result is not None and not isinstance(result, Exception) \
                and not self.is_awaitable(result):
            key = ("value", id(return_type))
            cache = self._shared if self._shared is not None else self._plain_subfields
            if key not in cache:
                cache[key] = _value_field(return_type)
            field = cache[key]
            if field is not None:
                value = self._complete_plain_object(field, result, field_details_list)
                if value is not _MISSING:
                    return value
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _complete_plain_object(self, field: PlainField, value: Any, field_details_list) -> Any:
        """An object or a list of objects whose whole selection is plain,
        executed here by its compiled steps. Anything out of the ordinary
        below it (a null where the schema forbids one, a value a scalar
        refuses, an object of the wrong type) hands the whole field to the
        standard path, which reports it with graphql-core's messages and paths."""
        if value is _MISSING:
            return _MISSING
        if value is None:
            return _MISSING if field.non_null else None
        grouped = self._subfields_if_plain(field.object_type, field_details_list)
        if grouped is None:
            return _MISSING
        try:
            return self._plain_value(field, value, grouped)
        except Exception:  # _Abandon, or anything a read or a serializer raised: the standard path raises it again
            return _MISSING

    def _plain_value(self, field: PlainField, value: Any, grouped: dict) -> Any:
        object_type = field.object_type
        steps = self._steps(object_type, grouped)
        if not field.is_list:
            if not _is_type(object_type, value):
                raise _Abandon
            return self._plain_object(value, steps)
        if type(value) is not list and type(value) is not tuple:
            raise _Abandon
        completed = []
        for item in value:
            if item is None:
                if field.item_non_null:
                    raise _Abandon
                completed.append(None)
            elif not _is_type(object_type, item):
                raise _Abandon
            else:
                completed.append(self._plain_object(item, steps))
        return completed

    def _plain_object(self, source: Any, steps: list[tuple]) -> dict:
        result = {}
        for response_name, field, constant, subfields in steps:
            if field is None:  # __typename
                result[response_name] = constant
                continue
            value = getattr(source, field.attribute, _MISSING)
            if value is None:
                if field.non_null:
                    raise _Abandon
                result[response_name] = None
            elif value is _MISSING:
                raise _Abandon
            elif field.leaf_type is not None:
                serialized = field.serialize(value)  # what it raises abandons the field
                if serialized is None or serialized is Undefined:
                    raise _Abandon
                result[response_name] = serialized
            else:
                result[response_name] = self._plain_value(field, value, subfields)
        return result

    def _steps(self, object_type: GraphQLObjectType, grouped: dict) -> list[tuple]:
        """(response name, plain field, __typename's value, its grouped
        subfields) for each field of a plain group: worked out once per group
        and kept as long as the group is."""
        key = ("steps", id(object_type), id(grouped))
        cache = self._shared if self._shared is not None else self._plain_subfields
        steps = cache.get(key)
        if steps is None:
            plan = plain_fields(object_type)
            steps = []
            for response_name, field_details_list in grouped.items():
                field = plan.get(field_details_list[0].node.name.value)
                subfields = None
                if field is not None and field.object_type is not None:
                    subfields = self._subfields_if_plain(field.object_type, field_details_list)
                steps.append((response_name, field, object_type.name, subfields))
            cache[key] = steps
        return steps

    def _subfields_if_plain(self, object_type: GraphQLObjectType, field_details_list) -> Optional[dict]:
        """The grouped subfields when every one is plain down to the leaves
        (so executing them is synchronous and needs no resolver), else None."""
        key = (id(object_type), id(field_details_list))
        if key in self._plain_subfields:
            return self._plain_subfields[key]
        shared, shared_key = self._shared, None
        if shared is not None:
            shared_key = ("plain", id(object_type), *(id(details.node) for details in field_details_list))
            if shared_key in shared:
                grouped = self._plain_subfields[key] = shared[shared_key]
                return grouped
        grouped = None
        if not any(details.node.directives for details in field_details_list):
            collected = self.collect_subfields(object_type, field_details_list)
            if not collected.new_defer_usages and not collected.forbidden_directive_instances:
                plan = plain_fields(object_type)
                plain = True
                for sub_details in collected.grouped_field_set.values():
                    name = sub_details[0].node.name.value
                    sub_field = plan.get(name)
                    if sub_field is None:
                        plain = name == "__typename"
                    elif sub_field.object_type is not None:
                        plain = self._subfields_if_plain(sub_field.object_type, sub_details) is not None
                    if not plain:
                        break
                if plain:
                    grouped = collected.grouped_field_set
        self._plain_subfields[key] = grouped
        if shared is not None:
            shared[shared_key] = grouped
        return grouped


def _in_selection_order(grouped_field_set: dict, plain: dict, others: dict) -> dict:
    """Responses list fields in the order they were selected."""
    if not plain:
        return others
    return {name: plain[name] if name in plain else others[name] for name in grouped_field_set if name in plain or name in others}
