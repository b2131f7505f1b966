"""Node.js tools for the ecosystem tests, installed at test time at pinned
versions into .data/node/, once per set of packages."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

NODE_DIR = ROOT / ".data" / "node"


def require_node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed: the GraphQL ecosystem tests need them")


def npm_prefix(packages: dict[str, str]) -> Path:
    """A folder with exactly these package versions installed."""
    require_node()
    digest = hashlib.sha256(json.dumps(packages, sort_keys=True).encode()).hexdigest()[:12]
    prefix = NODE_DIR / digest
    marker = prefix / ".installed"
    if not marker.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "package.json").write_text(json.dumps({"private": True, "dependencies": packages}))
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=prefix,
                       check=True, timeout=600)
        marker.touch()
    return prefix


def npm_ci(project: Path) -> Path:
    """node_modules for `project`'s package-lock.json, installed once with
    `npm ci` into .data/node/ and shared by later runs."""
    require_node()
    lock = (project / "package-lock.json").read_bytes()
    prefix = NODE_DIR / ("ci-" + hashlib.sha256(lock).hexdigest()[:12])
    marker = prefix / ".installed"
    if not marker.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(project / name, prefix / name)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=prefix, check=True, timeout=900)
        marker.touch()
    return prefix / "node_modules"
