"""Stable record identifiers.

Every record that can travel to the county gets a UUID at creation that never changes. We use
UUIDv7 (time-ordered, RFC 9562) so that primary-key inserts stay local in B-tree indexes; Python
3.11 has no uuid7 yet and the layout is a few lines, so it is written here.
"""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    millis = time.time_ns() // 1_000_000
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70  # version 7
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    return str(uuid.UUID(bytes=bytes(raw)))
