"""JSON-LD for credentials: the contexts shipped in ``contexts/``, a document loader that serves only those, and RDF
Dataset Canonicalization (RDFC-1.0, which pyld names URDNA2015). Nothing is fetched, ever: a context that is not
shipped is refused. Pure: no Django.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdProcessor

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
# URL → file in contexts/ (where each comes from: contexts/README.md).
SHIPPED_CONTEXTS = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}

# Our own cache of resolved contexts (pyld's module-wide one is shared with any other loader in the process): only
# document_loader fills it, so a URL it refused can never be answered from it. Room to spare: a credential and its
# proof use 28 entries (the shipped contexts and their inline scoped contexts), and an entry evicted would be
# resolved into new objects, which _Processor's memory (keyed by their ids) would no longer recognise.
_resolved_contexts: LRUCache = LRUCache(maxsize=128)
# Type-scoped contexts processed against an active context (see _Processor): (active context's _uuid, id of the
# local context, flags) → (the local context, the processed active context).
_type_scoped: LRUCache = LRUCache(maxsize=256)


class CanonicalizationError(Exception):
    """The document can't be canonicalised safely. ``code`` is stable: ``context_not_shipped`` (a context we don't
    ship: we fetch nothing), ``undefined_term`` (a property no context defines: JSON-LD would drop it, so no proof
    could cover it) or ``invalid_jsonld``."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class ContextNotShipped(Exception):
    def __init__(self, url: str):
        super().__init__(f"JSON-LD context not shipped with Stagewise: {url}")
        self.url = url


@cache
def _context_file(name: str) -> dict[str, Any]:
    return json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's ``documentLoader``: a shipped context by its URL, or ContextNotShipped. Never touches the network."""
    name = SHIPPED_CONTEXTS.get(url)
    if name is None:
        raise ContextNotShipped(url)
    # tag "static": pyld keeps the resolved context in _resolved_contexts (without a tag it resolves it on every call)
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context_file(name)), "tag": "static"}


def _not_shipped_url(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ContextNotShipped):
            return current.url
        current = current.__cause__ or current.__context__
    return None


class _Processor(JsonLdProcessor):
    """pyld's processor, remembering what type-scoped contexts give.

    A typed node (``"type": "Achievement"``) applies its type's scoped context without propagation, and pyld
    processes that context afresh on every node of every document: it clones the active context into a child with no
    ``_uuid``, so its own cache of processed contexts (keyed by that ``_uuid``) never answers. For a credential that
    was two thirds of canonicalising it: 1.41 → 0.46 ms of CPU per credential, the same N-Quads
    (bench/bench_certificates.py; tests/cohorts/credentials/ check the specification's vectors through this class).

    What is remembered is exactly what pyld's cache would hold: the result of processing one local context against
    one active context, the active context frozen (immutable; pyld gives every frozen active context its own
    ``_uuid``) and the local context the same object (kept in the entry, so its id can't be reused while the entry
    lives). Only frozen results are kept; anything else goes to pyld unchanged. The options that also decide the
    result are fixed in ``canonicalize``: the shipped contexts and no base. pyld is pinned to the minor version this
    was read against (pyproject.toml).
    """

    def _process_context(  # type: ignore[no-untyped-def]
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
        if propagate or cycles is not None or uuid is None:
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (uuid, id(local_ctx), override_protected, validate_scoped)
        known = _type_scoped.get(key)
        if known is not None and known[0] is local_ctx:
            return known[1]
        processed = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if isinstance(processed, frozendict):
            _type_scoped[key] = (local_ctx, processed)
        return processed


def canonicalize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document.

    Raises CanonicalizationError for a context we don't ship or a property no context defines (JSON-LD would drop it
    silently, so a signature would not cover it and it could be changed at will).
    """
    dropped: list[str | None] = []
    processor = _Processor(on_property_dropped=dropped.append)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
    }
    try:
        nquads = processor.normalize(document, options)
    except Exception as exc:  # pyld raises JsonLdError, wrapping whatever a loader or parser raised
        url = _not_shipped_url(exc)
        if url is not None:
            raise CanonicalizationError("context_not_shipped", url) from exc
        raise CanonicalizationError("invalid_jsonld", str(exc)) from exc
    if dropped:
        raise CanonicalizationError("undefined_term", ", ".join(sorted(str(term) for term in dropped)))
    return nquads


# pyld's default loader fetches over HTTP: whatever in this process calls pyld without a loader gets ours instead.
jsonld.set_document_loader(document_loader)
