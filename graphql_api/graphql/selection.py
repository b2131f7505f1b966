"""Whether a resolver's result will be asked for a field: lets a resolver
skip work nobody selected (explanations cost a wider read)."""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

from .engine.adapter import raw_info


def _selects(selection_set, name: str, fragments) -> bool:
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _selects(selection.selection_set, name, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _selects(fragment.selection_set, name, fragments):
                return True
    return False


def selects(info, name: str) -> bool:
    """Whether the current field's selection names `name` (through fragments
    too), at its first level. Read off the document's nodes: strawberry's
    `selected_fields` would convert the whole selection on every request."""
    resolve_info = raw_info(info)
    return any(_selects(node.selection_set, name, resolve_info.fragments) for node in resolve_info.field_nodes)
