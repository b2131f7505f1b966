"""Whether a resolver's result will be asked for a field: lets a resolver
skip work nobody selected (explanations cost a wider read)."""

from __future__ import annotations

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _selections_select(selections, name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            if _selections_select(selection.selections, name):
                return True
    return False


def selects(info, name: str) -> bool:
    """Whether the current field's selection names `name` (through fragments
    too), at its first level."""
    return any(_selections_select(field.selections, name) for field in info.selected_fields)
