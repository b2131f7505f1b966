"""examples/python-client: ariadne-codegen generates a typed client from
schema.graphql and the shared operations; the committed client is what it
generates today, and it drives the checkout flow against a live server."""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess

from ..conftest import ROOT
from ..tools import tool_venv

EXAMPLE = ROOT / "examples" / "python-client"
# ariadne-codegen pins graphql-core 3.2, the service uses 3.3: it gets its own venv.
CODEGEN = ("ariadne-codegen==0.19.0",)


def generate(root):
    """Regenerate in a copy laid out like the repository, so that the relative
    paths the generator writes into its headers are the same."""
    shutil.copy(ROOT / "schema.graphql", root / "schema.graphql")
    shutil.copytree(ROOT / "examples" / "operations", root / "examples" / "operations")
    example = root / "examples" / "python-client"
    (example / "generated").mkdir(parents=True)
    shutil.copy(EXAMPLE / "pyproject.toml", example)
    tools = tool_venv("ariadne-codegen", *CODEGEN)
    subprocess.run([str(tools / "ariadne-codegen")], cwd=example, check=True, capture_output=True, timeout=300)
    return tools, example / "generated" / "campaign_client"


def test_generated_client_is_current_and_runs_the_checkout_flow(tmp_path, server, admin_key, checkout_key):
    tools, fresh = generate(tmp_path)
    committed = EXAMPLE / "generated" / "campaign_client"
    comparison = filecmp.dircmp(fresh, committed, ignore=["__pycache__"])
    stale = comparison.diff_files + comparison.left_only + comparison.right_only
    assert stale == [], f"examples/python-client is stale: regenerate it with ariadne-codegen ({stale})"

    run = subprocess.run(
        [str(tools / "python"), str(EXAMPLE / "checkout_flow.py"), f"{server}/graphql", admin_key, checkout_key],
        env={"PYTHONPATH": str(fresh.parent)}, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"checkout flow ok: \S+ saved 210\.00", run.stdout)
    # A code typed in lower case, with the 35% campaign: 210.00 off the cart and 25.00 off delivery.
    assert re.search(r"code checkout ok: order-\S+ saved 235\.00", run.stdout), run.stdout
    # A third order's 210.00 from the 35% campaign, given back in two reversals: half, a replay of it, then the rest.
    assert re.search(r"refund flow ok: \S+ reversed 105\.00 \+ 105\.00, net 0\.00", run.stdout), run.stdout
