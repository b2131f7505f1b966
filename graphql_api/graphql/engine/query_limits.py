"""Limits checked before anything runs: document size, tokens, depth, aliases,
fields and static cost. Every refusal is QUERY_TOO_COMPLEX, with `extensions.limit`
naming which limit, its maximum and what the document asked for."""

from __future__ import annotations

from typing import Callable, Optional

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    Lexer,
    Source,
    TokenKind,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from ...error_codes import TopLevelCode


def too_complex(limit: str, maximum: int, actual: Optional[int], message: str, nodes=None) -> GraphQLError:
    """`actual` is None where it is not known (parsing stops past the token limit)."""
    extensions = {"code": TopLevelCode.QUERY_TOO_COMPLEX, "limit": limit, "maximum": maximum}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, nodes, extensions=extensions)


def _depth(selection_set: Optional[SelectionSetNode], fragments: dict, depths: dict) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection has the schema's fixed shape
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, depths))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, depths))
        elif isinstance(selection, FragmentSpreadNode):
            deepest = max(deepest, _fragment_depth(selection.name.value, fragments, depths))
    return deepest


def _fragment_depth(name: str, fragments: dict, depths: dict) -> int:
    """Worked out once per fragment however often it is spread, so the work is
    linear in the document, not in its expansion."""
    if name not in depths:
        depths[name] = 0  # met again while being worked out: a cycle, another rule's error
        fragment = fragments.get(name)
        depths[name] = _depth(fragment.selection_set, fragments, depths) if fragment is not None else 0
    return depths[name]


def max_depth_rule(maximum: int) -> type[ValidationRule]:
    class MaxDepth(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            self.fragments = {
                d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            self.depths: dict[str, int] = {}  # by fragment, for every operation of the document

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            depth = _depth(node.selection_set, self.fragments, self.depths)
            if depth > maximum:
                self.report_error(too_complex(
                    "depth", maximum, depth, f"The query is {depth} levels deep; the limit is {maximum}.", [node]
                ))

    return MaxDepth


def _counting_rule(limit: str, maximum: int, counts: Callable[[FieldNode], bool], what: str) -> type[ValidationRule]:
    """A rule that counts the fields written in the document for which
    `counts` holds (each fragment once) and refuses more than `maximum`."""

    class CountingRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_args):
            if counts(node):
                self.count += 1

        def leave_document(self, node, *_args):
            if self.count > maximum:
                self.report_error(too_complex(
                    limit, maximum, self.count, f"The document has {self.count} {what}; the limit is {maximum}."
                ))

    return CountingRule


def max_aliases_rule(maximum: int) -> type[ValidationRule]:
    return _counting_rule("aliases", maximum, lambda field: field.alias is not None, "aliases")


def max_fields_rule(maximum: int) -> type[ValidationRule]:
    """Field selections written in the document (each fragment counted once).
    Scalars cost nothing, so without this a document of 500 `__typename`s is
    free; a real client's largest operation selects far fewer."""
    return _counting_rule("fields", maximum, lambda field: True, "field selections")


def token_past_limit(text: str, maximum: int) -> Optional[int]:
    """Where the token after the first `maximum` starts in `text`, or None
    when there is none (lexing stops there, or at a real syntax error). The
    parser's refusal at exactly that offset is the token limit; told from
    the document itself, not from the parser's message."""
    lexer, count = Lexer(Source(text)), 0
    try:
        while (token := lexer.advance()).kind is not TokenKind.EOF:
            count += 1
            if count > maximum:
                return token.start
    except GraphQLSyntaxError:
        return None
    return None
