"""Trusted documents: the operations a shop's own frontends send, known to the
service ahead of time by the sha256 of their text.

The manifest is a JSON object from the bare sha256 hex of each document's
text to the text, the format GraphQL Code Generator's client preset writes
as `persisted-documents.json`; `campaign-service documents` builds it from
`.graphql` files and merges such files in. A request names a trusted
document by `documentId` ("sha256:<hex>", GraphQL over HTTP) or by Apollo's
`extensions.persistedQuery.sha256Hash` (bare hex).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Mapping, Optional

from graphql import GraphQLError, OperationDefinitionNode, parse, print_ast
from graphql.language import DocumentNode, FragmentDefinitionNode, FragmentSpreadNode, Visitor, visit

from ...error_codes import TopLevelCode
from ...settings import SettingsError

_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(SettingsError):
    """A manifest that cannot be used; the message says which file and why."""


class DocumentNotFound(Exception):
    """An id no manifest entry has; Apollo's clients then send the text."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def id_from_request(document_id: Optional[str], extensions: Optional[Mapping]) -> Optional[str]:
    """The bare hex a request names, from `documentId` or from Apollo's
    persisted-query extension; None when it names none. Raises ValueError
    for an id of another form."""
    if document_id is not None:
        algorithm, _, digest = document_id.partition(":")
        if algorithm != "sha256" or not _HEX.fullmatch(digest):
            raise ValueError("`documentId` must be \"sha256:\" and 64 lowercase hex digits.")
        return digest
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(digest, str) or not _HEX.fullmatch(digest):
        raise ValueError("`extensions.persistedQuery.sha256Hash` must be 64 lowercase hex digits.")
    return digest


def not_found_error(digest: str) -> GraphQLError:
    # Apollo's code: its clients answer it by sending the text with the hash.
    return GraphQLError(f"No trusted document has the id sha256:{digest}.",
                        extensions={"code": TopLevelCode.PERSISTED_QUERY_NOT_FOUND})


class TrustedDocuments:
    """The manifest in memory: text by id."""

    def __init__(self, documents: Mapping[str, str]):
        self._documents = dict(documents)
        self._texts = frozenset(self._documents.values())  # text as sent: no hashing per request

    def __len__(self) -> int:
        return len(self._documents)

    def text(self, digest: str) -> str:
        try:
            return self._documents[digest]
        except KeyError:
            raise DocumentNotFound(digest) from None

    def trusts(self, text: str) -> bool:
        return text in self._texts

    @classmethod
    def load(cls, path: Path) -> "TrustedDocuments":
        return cls(read_manifest(path))


def read_manifest(path: Path) -> dict[str, str]:
    """A manifest, each entry checked: its key is the sha256 of its text."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(f"{path}: {error}") from None
    if not isinstance(entries, dict):
        raise ManifestError(f"{path}: a manifest is a JSON object from sha256 hex to document text")
    for digest, text in entries.items():
        if not isinstance(text, str) or sha256_hex(text) != digest:
            raise ManifestError(f"{path}: the entry {digest[:16]}... is not the sha256 of its text")
    return entries


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
        self.names.append(node.name.value)


def _fragments_used(node, fragments: dict[str, FragmentDefinitionNode]) -> list[FragmentDefinitionNode]:
    used: dict[str, FragmentDefinitionNode] = {}
    pending = [node]
    while pending:
        spreads = _Spreads()
        visit(pending.pop(), spreads)
        for name in spreads.names:
            if name not in used and name in fragments:
                used[name] = fragments[name]
                pending.append(fragments[name])
    return list(used.values())


def documents_of(sources: Iterable[str]) -> list[str]:
    """One document per operation in the `.graphql` sources: the operation and
    the fragments it uses, printed."""
    documents = []
    definitions = [d for source in sources for d in parse(source).definitions]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode):
            used = _fragments_used(definition, fragments)
            documents.append(print_ast(DocumentNode(definitions=(definition, *used))))
    return documents


def build_manifest(graphql_files: Iterable[Path], merged: Iterable[Path] = ()) -> dict[str, str]:
    """The manifest of every operation in `graphql_files`, with the entries of
    the `merged` manifests (a frontend's codegen output), sorted by id."""
    entries = {sha256_hex(text): text for text in documents_of(p.read_text(encoding="utf-8") for p in graphql_files)}
    for path in merged:
        entries.update(read_manifest(path))
    return dict(sorted(entries.items()))
