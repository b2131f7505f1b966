"""The GraphQL cost directives (IBM's specification, as Apollo and Hive
implement it), published in the schema so that clients and code generators can
compute a query's cost before sending it. `cost.py` reads the same numbers."""

from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    name="cost",
    locations=[
        Location.ARGUMENT_DEFINITION,
        Location.ENUM,
        Location.FIELD_DEFINITION,
        Location.INPUT_FIELD_DEFINITION,
        Location.OBJECT,
        Location.SCALAR,
    ],
    description="The cost of resolving this field, in points of the rate-limit bucket.",
)
class Cost:
    weight: str


@strawberry.schema_directive(
    name="listSize",
    locations=[Location.FIELD_DEFINITION],
    description="How many items a list field returns, for static cost analysis.",
)
class ListSize:
    # UNSET rather than None, so that the SDL shows only what a field sets.
    assumed_size: Optional[int] = strawberry.UNSET
    slicing_arguments: Optional[list[str]] = strawberry.UNSET
    sized_fields: Optional[list[str]] = strawberry.UNSET
    require_one_slicing_argument: Optional[bool] = True


# A Relay connection: `first` items, counted on its `edges` and `nodes`.
CONNECTION = ListSize(
    slicing_arguments=["first"], sized_fields=["edges", "nodes"], require_one_slicing_argument=False
)
