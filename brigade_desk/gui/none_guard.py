"""A guard against PySide6 6.12.0's lost reference to None on CPython before 3.12.

Measured here (docs/decisions/gui-pyside-none-refcount.md): with PySide6 6.12.0 on CPython 3.11,
every call of a Qt method that returns nothing (`label.setText(…)`, `view.scrollTo(…)`, `widget.show()`)
takes one reference from `None` and never gives it back; 6.11.3 does not. After some thousands of
calls None's count reaches zero and the interpreter aborts ("Fatal Python error: none_dealloc"),
at the latest when the program exits. CPython 3.12 made None immortal (PEP 683), so there the lost
references do no harm.

Until the dependency is pinned below 6.12 or the program runs on 3.12+, the GUI gives None a
reference count so large that no session can use it up — what 3.12 does for every interpreter.
"""

from __future__ import annotations

import ctypes
import sys

# About 10^12 lost references; a session loses a few per action.
HEADROOM = 1 << 40


def protect_none() -> bool:
    """Raise None's reference count on CPython < 3.12 (where None is not immortal); True if done."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcount.value < HEADROOM:
        refcount.value += HEADROOM
    return True
