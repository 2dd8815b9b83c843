"""Facts about the API documentation kept in the repository: the paths an OpenAPI document declares,
and the paths an API document in Markdown names (`POST /predict`, `` `/health` ``).

Read from the files as text and data, not rendered.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct

from gate.facts.docs import DocsFacts
from gate.lazyre import lazy
from gate.snapshot import Snapshot, YamlDocuments

# a path ends on a word character, `}` or `>`: "GET /health: liveness" names /health
_VERB_PATH = lazy(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD)\s+`?(/(?:[\w{}<>:./-]*[\w}>])?)")
_TICKED_PATH = lazy(r"`(/[\w{}<>:.-]+(?:/[\w{}<>:.-]*)*)`")
_API_DOC = lazy(r"(^|/)api[\w-]*\.(md|rst)$|(^|/)(endpoints|routes)\.(md|rst)$", re.I)
_MAX_LINE = 2_000


class ApiDocs(Struct, frozen=True):
    documents: tuple[tuple[str, frozenset[str]], ...] = ()
    """(file, the paths it documents), OpenAPI documents and API Markdown alike"""


def _markdown_paths(text: str) -> set[str]:
    found: set[str] = set()
    for line in text.splitlines():
        if len(line) > _MAX_LINE:
            continue
        found.update(m.group(1) for m in _VERB_PATH.finditer(line))
        found.update(
            m.group(1) for m in _TICKED_PATH.finditer(line) if "." not in m.group(1).rsplit("/", 1)[-1]
        )
    return found


def collect_api_docs(snap: Snapshot, docs: DocsFacts) -> ApiDocs:
    documents: list[tuple[str, frozenset[str]]] = []
    for rel in docs.openapi_files:
        doc: Any = None
        if rel.endswith(".json"):
            doc = snap.json(rel)
        elif isinstance(parsed := snap.yaml(rel), YamlDocuments) and parsed.data:
            doc = parsed.data[0]
        paths = doc.get("paths") if isinstance(doc, dict) else None
        if isinstance(paths, dict):
            documents.append((rel, frozenset(str(p) for p in paths)))
    for rel in snap.files:
        if _API_DOC.search(rel):
            documents.append((rel, frozenset(_markdown_paths(snap.text(rel) or ""))))
    return ApiDocs(tuple(documents))
