"""schema.graphql against the last released schema (tests/schema_releases/):
a breaking change fails the build unless CHANGELOG.md records it."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import ROOT
from .schema_guard import breaking_changes, unrecorded

RELEASES = ROOT / "tests" / "schema_releases"
CHANGELOG = ROOT / "CHANGELOG.md"


def latest_release() -> Path:
    return max(RELEASES.glob("*.graphql"), key=lambda p: tuple(int(n) for n in p.stem.split(".")))


def test_the_changelog_has_an_unreleased_section():
    assert re.search(r"^### Unreleased$", CHANGELOG.read_text(encoding="utf-8"), re.M)


def test_no_unrecorded_breaking_change_since_the_last_release():
    changes = breaking_changes(latest_release().read_text(), (ROOT / "schema.graphql").read_text())
    missing = unrecorded(changes, CHANGELOG.read_text(encoding="utf-8"))
    assert missing == [], (
        "Breaking changes since the last release are not in CHANGELOG.md. Add a line starting with "
        f"'BREAKING' under '### Unreleased' naming each: {missing}"
    )


RELEASED = """
type Query { campaign(id: ID!): Campaign }
type Campaign { id: ID! name: String! budget: Int! uses: Int! }
"""
CHANGED = """
type Query { campaign(id: ID!): Campaign }
type Campaign { id: ID! budget: String! uses: Int! }
"""


def test_the_guard_catches_a_removed_field_and_a_changed_type():
    changes = breaking_changes(RELEASED, CHANGED)
    changelog = "# Changelog\n\n### Unreleased\n- Nothing to see.\n\n### 0.1.0\n- BREAKING: Campaign.name\n"
    missing = sorted(unrecorded(changes, changelog))
    assert len(missing) == 2
    assert "Campaign.budget" in missing[0] and "Int! to String!" in missing[0]
    assert "Campaign.name" in missing[1] and "removed" in missing[1]


def test_the_guard_accepts_recorded_breaking_changes():
    changes = breaking_changes(RELEASED, CHANGED)
    changelog = ("### Unreleased\n- BREAKING: `Campaign.name` removed, use `title`.\n"
                 "- BREAKING: `Campaign.budget` is a Decimal string now.\n")
    assert unrecorded(changes, changelog) == []


def test_additions_are_not_breaking():
    added = RELEASED.replace("uses: Int!", "uses: Int! title: String")
    assert breaking_changes(RELEASED, added) == []
