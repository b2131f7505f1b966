"""Query cost: static (before execution, from the document and the schema's
@cost and @listSize directives) and actual (after, from the list lengths in
the result).

Weights follow the IBM specification's defaults: every object returned costs
1, a scalar or enum 0, and a field's @cost weight is added on top; a list
multiplies the cost of one item by its size (the slicing argument's value or
default for connections, else the directive's assumedSize, else
DEFAULT_LIST_SIZE).
Introspection is free: it is bounded by the schema, not by data.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Optional

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    is_non_null_type,
)

from ...pagination import MAX_PAGE_SIZE
from ..cost_directives import Cost, ListSize
from .adapter import schema_directives

DEFAULT_LIST_SIZE = 10
_MISSING = object()


@dataclass(frozen=True)
class FieldCost:
    weight: Optional[int]
    list_size: Optional[ListSize]


_CACHE_KEY = "campaign-service-cost"


def _field_cost(field: GraphQLField) -> FieldCost:
    """Read once per schema field, then kept on the field itself."""
    cached = field.extensions.get(_CACHE_KEY)
    if cached is None:
        directives = schema_directives(field)
        weight = next((int(d.weight) for d in directives if isinstance(d, Cost)), None)
        list_size = next((d for d in directives if isinstance(d, ListSize)), None)
        cached = field.extensions[_CACHE_KEY] = FieldCost(weight, list_size)
    return cached


@dataclass
class DocumentCosts:
    """What the cost analysis of one document keeps between requests, for a
    document kept in memory (a prepared operation): the shape of each
    selection set, and the requested cost when no variable decides it (no
    slicing argument is a variable). The keys are ids of the document's
    nodes, so it must live exactly as long as the document."""

    shapes: dict[tuple, Any] = dataclass_field(default_factory=dict)
    requested: Optional[int] = None


class CostCalculator:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Optional[dict],
                 costs: Optional[DocumentCosts] = None):
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._shapes = costs.shapes if costs is not None else {}
        self._costs: dict[tuple, int] = {}
        # Whether a variable's value went into the cost worked out so far.
        self.read_variables = False

    def operation_cost(self, operation: OperationDefinitionNode, data: Any = _MISSING) -> int:
        root = {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[operation.operation.value]
        if root is None:
            return 0
        self._costs = {}  # its keys hold ids of `data`'s items: valid for this walk only
        return self._selection_cost(operation.selection_set, root, data)

    def _selection_cost(self, selection_set: SelectionSetNode, parent_type, data, sized=None) -> int:
        """Worked out once per selection set, type, item of data and sizing, so
        that a fragment costs one walk however often it is spread: the work is
        linear in the document, not in its expansion."""
        key = (id(selection_set), id(parent_type), id(data), sized)
        cost = self._costs.get(key)
        if cost is None:
            # Met again while being worked out: a fragment cycle, which validation refuses.
            self._costs[key] = 0
            cost = self._costs[key] = self._walk(selection_set, parent_type, data, sized)
        return cost

    def _walk(self, selection_set: SelectionSetNode, parent_type, data, sized) -> int:
        total, objects, fragments = self._shape(selection_set, parent_type)
        for selection, field, response_key in objects:
            value = _MISSING
            if data is not _MISSING:
                value = data.get(response_key) if isinstance(data, dict) else None
            multiplier = sized[1] if sized is not None and selection.name.value in sized[0] else None
            total += self._field_total(selection, field, value, multiplier)
        for selection in fragments:
            if isinstance(selection, InlineFragmentNode):
                fragment_type = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent_type
                )
                total += self._selection_cost(selection.selection_set, fragment_type, data, sized)
            else:
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                fragment_type = self.schema.get_type(fragment.type_condition.name.value)
                total += self._selection_cost(fragment.selection_set, fragment_type, data, sized)
        return total

    def _shape(self, selection_set: SelectionSetNode, parent_type) -> tuple[int, list, list]:
        """What a selection set costs whatever the data (its scalars' weights),
        the fields whose cost depends on it, and its fragments. Worked out once
        per selection set: the actual cost meets the same one for every item
        of a list."""
        key = (id(selection_set), id(parent_type))
        shape = self._shapes.get(key)
        if shape is None:
            leaf_weight, objects, fragments = 0, [], []
            fields = getattr(parent_type, "fields", {})
            for selection in selection_set.selections:
                if not isinstance(selection, FieldNode):
                    fragments.append(selection)
                    continue
                name = selection.name.value
                field = None if name.startswith("__") else fields.get(name)
                if field is None:
                    continue  # introspection is free; unknown fields never pass validation
                if selection.selection_set is None:
                    leaf_weight += _field_cost(field).weight or 0
                else:
                    objects.append((selection, field, (selection.alias or selection.name).value))
            shape = self._shapes[key] = (leaf_weight, objects, fragments)
        return shape

    def _field_total(self, node: FieldNode, field: GraphQLField, value, multiplier) -> int:
        """own weight + items x (1 for each object + what is selected on it)."""
        named = get_named_type(field.type)
        info = _field_cost(field)
        own = info.weight or 0
        if value is not _MISSING:  # actual cost: walk what was returned
            items = [] if value is None else value if isinstance(value, list) else [value]
            fixed = self._fixed_cost(node.selection_set, named)
            if fixed is not None and not any(item is None for item in items):  # every item costs the same: no need to walk them
                return own + len(items) * (1 + fixed)
            return own + sum(1 + self._selection_cost(node.selection_set, named, item) for item in items)
        size = self._list_size(node, field, info)
        if info.list_size is not None and info.list_size.sized_fields:
            sized = (frozenset(info.list_size.sized_fields), size)
            return own + 1 + self._selection_cost(node.selection_set, named, _MISSING, sized)
        if multiplier is None:
            multiplier = size if is_list_type(get_nullable_type(field.type)) else 1
        return own + multiplier * (1 + self._selection_cost(node.selection_set, named, _MISSING))

    def _fixed_cost(self, selection_set: SelectionSetNode, parent_type) -> Optional[int]:
        """The cost of one item when no data can change it: below it only
        scalars and non-null single objects, no lists, fragments or directives
        (@skip/@include can leave a field out). None otherwise. Kept with the
        shapes."""
        key = ("fixed", id(selection_set), id(parent_type))
        if key in self._shapes:
            return self._shapes[key]
        leaf_weight, objects, fragments = self._shape(selection_set, parent_type)
        directives = any(selection.directives for selection in selection_set.selections)
        fixed: Optional[int] = None if fragments or directives else leaf_weight
        for selection, field, _response_key in objects if fixed is not None else ():
            below = self._fixed_cost(selection.selection_set, get_named_type(field.type))
            if below is None or not is_non_null_type(field.type) or is_list_type(get_nullable_type(field.type)):
                fixed = None
                break
            fixed += (_field_cost(field).weight or 0) + 1 + below
        self._shapes[key] = fixed
        return fixed

    def _list_size(self, node: FieldNode, field: GraphQLField, info: FieldCost) -> int:
        directive = info.list_size
        if directive is None:
            return DEFAULT_LIST_SIZE
        for argument_name in directive.slicing_arguments or ():
            value = self._argument(node, argument_name)
            if value is None:
                argument = field.args.get(argument_name)
                value = argument.default_value if argument is not None else None
            if isinstance(value, int) and not isinstance(value, bool):
                # Out-of-range values are refused by the field itself (INVALID_INPUT).
                return max(0, min(value, MAX_PAGE_SIZE))
        return directive.assumed_size if isinstance(directive.assumed_size, int) else DEFAULT_LIST_SIZE

    def _argument(self, node: FieldNode, name: str):
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                self.read_variables = True
                return self.variables.get(argument.value.name.value)
        return None
