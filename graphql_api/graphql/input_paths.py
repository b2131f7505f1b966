"""Where the domain's fields are in an operation's arguments.

The core and the services name the field a problem is about as the domain
does (`("cart_value",)`, `("target_customer_ids",)`); here, at the edge, it
becomes the path into what the client sent (`["input", "cartValue"]`), for
userErrors and for the top-level errors of queries alike."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional, Sequence, Union

from ..core.errors import DomainError


def camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class InputPaths:
    # The input-object argument that holds most fields (None: plain arguments).
    within: Optional[str] = "input"
    # Domain fields that are arguments of their own, e.g. campaign_id -> id.
    arguments: Mapping[str, str] = field(default_factory=dict)

    def path(self, domain_field: Sequence[Union[str, int]]) -> list[Union[str, int]]:
        name, *rest = domain_field
        if name in self.arguments:
            return [self.arguments[name], *rest]
        return [*([self.within] if self.within else []), camel_case(str(name)), *rest]

    @contextlib.contextmanager
    def on_refusal(self) -> Iterator[None]:
        """A DomainError raised inside (a query's refusal) leaves with its
        field as a path into the arguments."""
        try:
            yield
        except DomainError as error:
            if error.field is not None:
                error.field = tuple(self.path(error.field))
            raise


IN_INPUT = InputPaths()
