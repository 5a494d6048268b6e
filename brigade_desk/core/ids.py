"""Stable record identifiers.

Every record that can travel to the county gets a UUID at creation that never changes. We use
UUIDv7 (time-ordered, RFC 9562) so that primary-key inserts stay local in B-tree indexes; Python
3.11 has no uuid7 yet and the layout is a few lines, so it is written here.
"""

from __future__ import annotations

import os
import time


def new_id() -> str:
    # 48 bits of Unix milliseconds, then 80 random bits with the version and variant set in place.
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
