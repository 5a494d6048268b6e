"""Bulk work with Python's cyclic garbage collector paused.

An import or export makes and drops hundreds of thousands of small dicts and tuples. Reference
counting frees them at once; the cyclic collector, triggered every few hundred allocations, only
walks them (and every long-lived object of the program on its full passes) without finding garbage:
a third of a 10,000-case import went to it (docs/decisions/sync-import-speed.md). Pausing it for the
bulk work and restoring it after is the standard remedy; cycles made meanwhile are collected later.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    # Left as it was when it was already off (the GUI switches it off and collects in its own
    # thread, gui/gc_guard.py).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
