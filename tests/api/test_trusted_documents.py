"""Trusted documents: the operations a shop's frontends send are known ahead
of time by the sha256 of their text (trusted-documents.json, built by
`campaign-service documents`), and named by id instead of sent as text."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from graphql_api.graphql.engine.trusted import ManifestError, read_manifest, sha256_hex
from graphql_api.server.app import create_app
from graphql_api.settings import PROJECT_ROOT

from ..support import snapshot

MANIFEST = PROJECT_ROOT / "trusted-documents.json"
CODEGEN_MANIFEST = PROJECT_ROOT / "examples" / "typescript-client" / "src" / "generated" / "persisted-documents.json"
TYPENAME = "{ __typename }"
CREATE = 'mutation { createCustomer(input: {email: "t@example.com", name: "T"}) { customer { id } } }'


def test_the_committed_manifest_is_current(tmp_path):
    built = tmp_path / "trusted-documents.json"
    subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "documents", "examples/operations",
                    "--merge", str(CODEGEN_MANIFEST), "--output", str(built)], cwd=PROJECT_ROOT, check=True,
                   capture_output=True)
    assert built.read_text() == MANIFEST.read_text(), (
        "trusted-documents.json is stale: run `make documents` and commit the result")
    entries = read_manifest(MANIFEST)
    assert all(sha256_hex(text) == digest for digest, text in entries.items())
    assert set(read_manifest(CODEGEN_MANIFEST)) <= set(entries)


def test_a_manifest_entry_that_is_not_its_texts_hash_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"0" * 64: TYPENAME}))
    with pytest.raises(ManifestError, match="not the sha256 of its text"):
        read_manifest(bad)


def test_a_document_that_does_not_validate_is_never_trusted(tmp_path):
    source = tmp_path / "ops.graphql"
    source.write_text("query Broken { nope }")
    run = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "documents", str(source),
                          "--output", str(tmp_path / "out.json")], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and "does not validate" in run.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_broken_manifest_to_merge_fails_the_build_with_a_message(tmp_path):
    bad = tmp_path / "persisted-documents.json"
    bad.write_text(json.dumps({"0" * 64: TYPENAME}))
    run = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "documents", "examples/operations",
                          "--merge", str(bad), "--output", str(tmp_path / "out.json")], cwd=PROJECT_ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1 and "not the sha256 of its text" in run.stderr and "Traceback" not in run.stderr


def test_a_document_over_the_depth_limit_is_never_trusted(tmp_path):
    source = tmp_path / "deep.graphql"
    # Valid against the schema, and deeper than MAX_QUERY_DEPTH: the server would refuse it.
    deep = "discountUsages { nodes { customer { " * 6 + "id" + " } } }" * 6
    source.write_text("query Deep { customers { nodes { " + deep + " } } }")
    run = subprocess.run([sys.executable, "-m", "graphql_api.server.cli", "documents", str(source),
                          "--output", str(tmp_path / "out.json")], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and "does not validate" in run.stderr and "levels deep" in run.stderr, run.stderr


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "trusted-documents.json"
    path.write_text(json.dumps({sha256_hex(TYPENAME): TYPENAME, sha256_hex(CREATE): CREATE}))
    return path


def client(settings, database, clock, client_for, manifest, mode, key=None):
    app = create_app(replace(settings, trusted_documents=mode, trusted_documents_manifest=manifest),
                     database=database, clock=clock)
    return client_for(app, key)


def by_id(text):
    return {"documentId": f"sha256:{sha256_hex(text)}"}


@pytest.mark.parametrize("mode", ["allow", "require"])
def test_an_id_runs_its_document(settings, database, clock, client_for, manifest, mode, admin_engine):
    http = client(settings, database, clock, client_for, manifest, mode)
    assert http.post("/graphql", json=by_id(TYPENAME)).json()["data"] == {"__typename": "Query"}
    assert http.get("/graphql", params=by_id(TYPENAME)).json()["data"] == {"__typename": "Query"}
    apollo = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(TYPENAME)}}}
    assert http.post("/graphql", json=apollo).json()["data"] == {"__typename": "Query"}
    assert http.post("/graphql", json=by_id(CREATE)).json()["data"]["createCustomer"]["customer"]["id"]
    assert len(snapshot(admin_engine)["customers"]) == 1


def test_an_unknown_id_is_persisted_query_not_found(settings, database, clock, client_for, manifest):
    http = client(settings, database, clock, client_for, manifest, "allow")
    answer = http.post("/graphql", json={"documentId": "sha256:" + "a" * 64})
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND" and "a" * 64 in error["message"]


def test_apollos_second_try_runs_the_text_when_it_matches_its_hash(settings, database, clock, client_for,
                                                                   manifest):
    http = client(settings, database, clock, client_for, manifest, "allow")
    text = "{ t: __typename }"
    sent = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(text)}}}
    assert http.post("/graphql", json=sent).json()["data"] == {"t": "Query"}
    sent["extensions"]["persistedQuery"]["sha256Hash"] = sha256_hex(TYPENAME)
    mismatch = http.post("/graphql", json=sent)
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("document_id", ["sha256:" + "A" * 64, "md5:" + "a" * 32, "a" * 64, "sha256:x"])
def test_an_id_of_another_form_is_a_bad_request(settings, database, clock, client_for, manifest, document_id):
    http = client(settings, database, clock, client_for, manifest, "allow")
    answer = http.post("/graphql", json={"documentId": document_id})
    assert answer.status_code == 400 and "documentId" in answer.json()["errors"][0]["message"]


def test_require_lets_checkout_keys_run_only_trusted_documents(settings, database, clock, client_for, manifest,
                                                               checkout_key, admin_engine):
    checkout = client(settings, database, clock, client_for, manifest, "require", checkout_key)
    other = 'mutation { createCustomer(input: {email: "u@example.com", name: "U"}) { customer { id } } }'
    refused = checkout.post("/graphql", json={"query": other})
    assert refused.status_code == 200
    assert refused.json()["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
    assert snapshot(admin_engine)["customers"] == []
    # The same text as a trusted document is that document; an id always is.
    assert checkout.post("/graphql", json={"query": TYPENAME}).json()["data"] == {"__typename": "Query"}
    assert checkout.post("/graphql", json=by_id(TYPENAME)).json()["data"] == {"__typename": "Query"}


def test_require_leaves_admin_keys_free(settings, database, clock, client_for, manifest):
    admin = client(settings, database, clock, client_for, manifest, "require")
    assert admin.post("/graphql", json={"query": "{ customers { totalCount } }"}).json()["data"] == {
        "customers": {"totalCount": 0}}


def test_off_knows_no_ids(settings, database, clock, client_for, manifest):
    http = client(settings, database, clock, client_for, manifest, "off")
    answer = http.post("/graphql", json=by_id(TYPENAME)).json()
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_require_without_a_manifest_does_not_start(settings, database, clock, tmp_path):
    with pytest.raises(ManifestError):
        create_app(replace(settings, trusted_documents="require", trusted_documents_manifest=tmp_path / "none.json"),
                   database=database, clock=clock)
