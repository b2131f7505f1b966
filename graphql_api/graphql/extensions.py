"""Schema extensions. They are passed to the schema as classes or factories, so
each request gets fresh instances and no state leaks between requests."""

from __future__ import annotations

from typing import Iterator

from strawberry.extensions import SchemaExtension

from .validation_rules import with_coded_rules


class CodedValidation(SchemaExtension):
    """Swaps in validation rules that attach `extensions.code` to their errors.
    Listed before ValidationCache so that the cached rules are the coded ones."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = with_coded_rules(context.validation_rules)
        yield
