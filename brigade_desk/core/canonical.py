"""Canonical JSON encoding and digests, shared by the audit chain, bundles and sign-off.

One encoding everywhere: keys sorted, no insignificant white space, UTF-8, dates in ISO form.
Two parties computing a hash over the same content must get the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not canonically encodable: {type(value).__name__}")


# Built once: json.dumps with these options builds an encoder per call, and hashing the audit chain
# of an imported bundle calls this tens of thousands of times.
canonical_text = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
).encode


def canonical_json(value: Any) -> bytes:
    return canonical_text(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """SHA-256 of the canonical encoding of `value`; None stays None (no record on that side)."""
    if value is None:
        return ""
    return sha256_hex(canonical_json(value))
