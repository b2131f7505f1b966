"""The breaking-change guard: every breaking change since the last released
schema must be recorded in the README's changelog, under "Unreleased", as a
line that starts with "BREAKING" and names what broke (e.g. `Campaign.name`)."""

from __future__ import annotations

import re

from graphql import BreakingChange, build_schema, find_breaking_changes


def breaking_changes(released_sdl: str, current_sdl: str) -> list[BreakingChange]:
    return find_breaking_changes(build_schema(released_sdl), build_schema(current_sdl))


def unreleased_section(readme: str) -> str:
    match = re.search(r"^### Unreleased\n(.*?)(?=^### |\Z)", readme, re.S | re.M)
    return match.group(1) if match else ""


_KINDS = {"Field", "Type", "Argument", "Enum", "Input", "Directive", "Standard", "scalar", "value", "field", "type"}


def subject(change: BreakingChange) -> str:
    """What broke: the first schema coordinate in graphql-core's description
    ("Field Campaign.budget changed type ..." -> "Campaign.budget")."""
    words = [w.strip(".,'\"`") for w in change.description.split()]
    dotted = next((w for w in words if "." in w and w[0].isalpha()), None)
    return dotted or next(w for w in words if w and w not in _KINDS)


def unrecorded(changes: list[BreakingChange], readme: str) -> list[str]:
    recorded = [line for line in unreleased_section(readme).splitlines() if line.lstrip("- ").startswith("BREAKING")]
    return [
        change.description for change in changes
        if not any(subject(change) in line for line in recorded)
    ]
