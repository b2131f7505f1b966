"""Headless Chromium for the page tests: a playwright-core script of this
folder, run by node against Debian's chromium; its outcome is the JSON
object it prints last."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..node import npm_prefix

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)")


def run_page_script(name: str, *args: str) -> dict:
    prefix = npm_prefix({"playwright-core": "1.56.1"})
    for script in (name, "launch.mjs"):
        shutil.copy(Path(__file__).with_name(script), prefix / script)
    ARTIFACTS.mkdir(exist_ok=True)
    run = subprocess.run(["node", str(prefix / name), *args, CHROMIUM], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])
