from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with an opaque, globally unique ID.")
class Node:
    id: strawberry.ID
