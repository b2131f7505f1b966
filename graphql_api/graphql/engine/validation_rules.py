"""Validation that tags what it rejects with the contract's error codes."""

from __future__ import annotations

from typing import Any, Optional

from graphql import ArgumentNode, GraphQLError, GraphQLInputType, ValueNode, VariableDefinitionNode
from graphql.language import SKIP, VisitorAction
from graphql.utilities import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule

from .errors import invalid_input_at


class ValuesOfCorrectTypeWithCode(ValuesOfCorrectTypeRule):
    """A literal the schema's types refuse (a Decimal with three decimals, an Int
    out of range) is INVALID_INPUT, not a malformed document, and `field` says
    where: the argument (or, for a default value, the variable), then the path
    into the value that graphql-core's literal validator reports."""

    def __init__(self, context: Any):
        super().__init__(context)
        self._names: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._names.append(node.name.value)

    def leave_argument(self, *_args: Any) -> None:
        self._names.pop()

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self._names.append(node.variable.name.value)

    def leave_variable_definition(self, *_args: Any) -> None:
        self._names.pop()

    def is_valid_value_node(self, node: ValueNode, input_type: Optional[GraphQLInputType]) -> VisitorAction:
        if input_type:
            # As the rule itself checks the value, only keeping the path it reports.
            def on_error(error: GraphQLError, path: list) -> None:
                self.report_error(invalid_input_at(error, [*self._names[-1:], *path]))

            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
        return SKIP


def with_coded_rules(rules):
    return tuple(ValuesOfCorrectTypeWithCode if rule is ValuesOfCorrectTypeRule else rule for rule in rules)
