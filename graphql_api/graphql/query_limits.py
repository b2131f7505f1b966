"""Limits checked before anything runs: document size, tokens, depth, aliases
and static cost. Every refusal is QUERY_TOO_COMPLEX, with `extensions.limit`
naming which limit, its maximum and what the document asked for."""

from __future__ import annotations

from typing import Optional

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def too_complex(limit: str, maximum: int, actual: int, message: str, nodes=None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes,
        extensions={"code": QUERY_TOO_COMPLEX, "limit": limit, "maximum": maximum, "actual": actual},
    )


def _depth(selection_set: Optional[SelectionSetNode], fragments, visiting: frozenset) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection has the schema's fixed shape
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, visiting))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, visiting))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in visiting:  # cycles are another rule's error
                deepest = max(deepest, _depth(fragments[name].selection_set, fragments, visiting | {name}))
    return deepest


def max_depth_rule(maximum: int) -> type[ValidationRule]:
    class MaxDepth(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            fragments = {
                d.name.value: d for d in self.context.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            depth = _depth(node.selection_set, fragments, frozenset())
            if depth > maximum:
                self.report_error(too_complex(
                    "depth", maximum, depth, f"The query is {depth} levels deep; the limit is {maximum}.", [node]
                ))

    return MaxDepth


def max_aliases_rule(maximum: int) -> type[ValidationRule]:
    class MaxAliases(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_args):
            if node.alias is not None:
                self.count += 1

        def leave_document(self, node, *_args):
            if self.count > maximum:
                self.report_error(too_complex(
                    "aliases", maximum, self.count, f"The document uses {self.count} aliases; the limit is {maximum}."
                ))

    return MaxAliases
