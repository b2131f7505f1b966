"""Command-line tools the ecosystem tests need but the service must not depend
on, each in a virtualenv of its own under .data/tools/, pinned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

TOOLS_DIR = ROOT / ".data" / "tools"


def tool_venv(name: str, *requirements: str) -> Path:
    """The venv's bin folder, with exactly `requirements` installed."""
    venv = TOOLS_DIR / name
    marker = venv / ".installed"
    wanted = "\n".join(requirements)
    if not marker.exists() or marker.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements],
                       check=True, timeout=600)
        marker.write_text(wanted)
    return venv / "bin"
