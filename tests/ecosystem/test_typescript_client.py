"""examples/typescript-client: @graphql-codegen/cli's client preset generates
typed documents from schema.graphql and the shared operations, with persisted
documents (each document's sha256 embedded in it, and persisted-documents.json
from that hex to the text); the committed output is what it generates today,
tsc type-checks the client, and a short script drives the checkout flow
against a live server, sending `documentId`s instead of query text."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

from ..conftest import ROOT
from ..node import npm_ci

EXAMPLE = ROOT / "examples" / "typescript-client"
GENERATED = "src/generated"
MANIFEST = "src/generated/persisted-documents.json"


def generated_files(project):
    folder = project / GENERATED
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


def npx(project, *args, timeout=300):
    return subprocess.run(["npx", "--no-install", *args], cwd=project, capture_output=True, text=True, timeout=timeout)


def test_generated_client_typechecks_and_runs_the_checkout_flow(tmp_path, server, admin_key, checkout_key):
    node_modules = npm_ci(EXAMPLE)
    # A copy laid out like the repository, sharing the cached node_modules.
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    shutil.copytree(ROOT / "examples" / "operations", tmp_path / "examples" / "operations")
    project = tmp_path / "examples" / "typescript-client"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (project / "node_modules").symlink_to(node_modules)

    shutil.rmtree(project / GENERATED)
    generated = npx(project, "graphql-codegen", "--config", "codegen.ts")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert generated_files(project) == generated_files(EXAMPLE), (
        "examples/typescript-client is stale: run `npm run codegen` there and commit the result"
    )

    typecheck = npx(project, "tsc", "--noEmit")
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    build = npx(project, "tsc")
    assert build.returncode == 0, build.stdout + build.stderr

    run = subprocess.run(["node", "dist/checkout.js", f"{server}/graphql", admin_key, checkout_key], cwd=project,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"checkout flow ok: \S+ saved 210\.00", run.stdout)
    # A code typed in lower case, with the 35% campaign: 210.00 off the cart and 25.00 off delivery.
    assert re.search(r"code checkout ok: order-\S+ saved 235\.00", run.stdout), run.stdout
    # A third order's 210.00 from the 35% campaign, given back in two reversals: half, a replay of it, then the rest.
    assert re.search(r"refund flow ok: \S+ reversed 105\.00 \+ 105\.00, net 0\.00", run.stdout), run.stdout


def test_persisted_documents_are_keyed_by_the_sha256_of_their_text():
    """The manifest the server merges is what the client's ids name: bare
    sha256 hex of each text, and every document embeds an id from it."""
    manifest = json.loads((EXAMPLE / MANIFEST).read_text(encoding="utf-8"))
    assert manifest
    for digest, text in manifest.items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
    embedded = re.findall(r'"__meta__":\{"hash":"([^"]*)"\}', (EXAMPLE / GENERATED / "graphql.ts").read_text())
    assert sorted(embedded) == sorted(manifest)


def test_a_type_error_is_caught(tmp_path):
    """The type check is real: money as a number does not compile."""
    node_modules = npm_ci(EXAMPLE)
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    project = tmp_path / "examples" / "typescript-client"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (project / "node_modules").symlink_to(node_modules)
    checkout = project / "src" / "checkout.ts"
    checkout.write_text(checkout.read_text().replace("cartValue: '600',\n  deliveryCharge: '80',\n});",
                                                     "cartValue: 600,\n  deliveryCharge: '80',\n});", 1))
    typecheck = npx(project, "tsc", "--noEmit")
    assert typecheck.returncode != 0
    assert "Type 'number' is not assignable to type 'string'" in typecheck.stdout + typecheck.stderr
