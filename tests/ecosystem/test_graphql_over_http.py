"""The official GraphQL-over-HTTP audit (the npm package graphql-http) against
the live server: every MUST passes, and every SHOULD too."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ..node import npm_prefix

AUDIT_PACKAGES = {"graphql-http": "1.23.1", "graphql": "16.11.0"}


def test_graphql_http_audit(server, admin_key):
    prefix = npm_prefix(AUDIT_PACKAGES)
    script = prefix / "audit.mjs"
    shutil.copy(Path(__file__).with_name("graphql_http_audit.mjs"), script)
    run = subprocess.run(["node", str(script), f"{server}/graphql", admin_key], capture_output=True, text=True,
                         timeout=300, check=True)
    results = json.loads(run.stdout)
    assert len(results) > 50
    failures = [r for r in results if r["status"] != "ok"]
    assert failures == [], json.dumps(failures, indent=2)
    assert any(r["name"].startswith("MUST") for r in results)
