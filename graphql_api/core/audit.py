"""What an audit entry says about a change: each changed field, before and
after, written as the API writes the value."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional

from .calendar import format_instant
from .money import format_amount


class EventKind(str, enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    DELETED = "DELETED"
    CODES_ADDED = "CODES_ADDED"
    BUDGET_THRESHOLD = "BUDGET_THRESHOLD"
    EXHAUSTED = "EXHAUSTED"


def api_text(value: Any) -> Any:
    """A stored value as the API writes it. Lists (of ids) stay lists: the
    GraphQL layer writes ids, which it alone encodes."""
    if value is None or isinstance(value, (str, list)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, datetime):
        return format_instant(value)
    return str(value)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any],
                  fields: Iterable[str]) -> list[dict[str, Optional[str]]]:
    """Each of `fields` whose value differs, in the order given, as
    {"field", "before", "after"} (domain names; the API's are camelCase)."""
    changes = []
    for name in fields:
        old, new = api_text(before.get(name)), api_text(after.get(name))
        if old != new:
            changes.append({"field": name, "before": old, "after": new})
    return changes


# Up to this many target ids are listed before and after; beyond it, an
# entry of a campaign with thousands of targets says how many instead, so
# that a page of the log stays small.
TARGETS_LISTED = 50


def target_change(before: list[int], after: list[int]) -> dict[str, Any]:
    """The change of a campaign's targets (customer ids, in id order)."""
    def shown(ids: list[int]) -> Any:
        return ids if len(ids) <= TARGETS_LISTED else f"{len(ids)} customers"

    return {"field": "target_customer_ids", "before": shown(before), "after": shown(after)}
