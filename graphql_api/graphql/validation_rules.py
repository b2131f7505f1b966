"""Validation that tags what it rejects with the contract's error codes."""

from __future__ import annotations

from graphql import GraphQLError
from graphql.validation import ValuesOfCorrectTypeRule

from ..core.errors import ErrorCode


class ValuesOfCorrectTypeWithCode(ValuesOfCorrectTypeRule):
    """A literal the schema's types refuse (a Decimal with three decimals, an Int
    out of range) is INVALID_INPUT, not a malformed document."""

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": ErrorCode.INVALID_INPUT.value}
        super().report_error(error)


def with_coded_rules(rules):
    return tuple(ValuesOfCorrectTypeWithCode if rule is ValuesOfCorrectTypeRule else rule for rule in rules)
