"""The socket server's garbage collector: startup's objects frozen, every pause measured.

A Daphne worker holds ~140,000 objects once Django, Twisted, autobahn, Channels and the
apps are loaded. CPython's full (generation 2) collection walks every tracked object:
95–150 ms each in a fan-out bench (2 workers, 100 tablets), during which the process
writes to none of its sockets. ``gc.freeze()`` at the end of startup moves them to a
permanent generation the collector never walks: the same collections took 16–22 ms.
Objects made later (sockets, events) are collected as before; only what exists at
startup, which lives as long as the process anyway, is never collected.

The pauses are counted per generation (``gc.callbacks``: two clock reads per
collection) and shown in ``/healthz/details`` and ``/metrics``, so a slow fan-out can be
told from a collector pause.
"""

from __future__ import annotations

import gc
import threading
import time

_lock = threading.Lock()
_started: dict[int, float] = {}  # thread id → start of the collection it runs
_pauses = {"count": [0, 0, 0], "seconds": [0.0, 0.0, 0.0], "longest_ms": 0.0}


def _on_collection(phase: str, info: dict) -> None:
    me = threading.get_ident()
    if phase == "start":
        _started[me] = time.perf_counter()
        return
    began = _started.pop(me, None)
    if began is None:  # measuring began mid-collection
        return
    took = time.perf_counter() - began
    gen = info["generation"]
    with _lock:
        _pauses["count"][gen] += 1
        _pauses["seconds"][gen] += took
        _pauses["longest_ms"] = max(_pauses["longest_ms"], took * 1000)


def settle_after_startup() -> int:
    """Collect once, freeze what survived, start measuring; returns the objects frozen."""
    gc.collect()
    gc.freeze()
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)
    return gc.get_freeze_count()


def pauses() -> dict:
    """Collections and their pauses since startup, per generation, and the longest."""
    with _lock:
        return {
            "gc_collections": list(_pauses["count"]),
            "gc_pause_seconds": [round(s, 4) for s in _pauses["seconds"]],
            "gc_longest_pause_ms": round(_pauses["longest_ms"], 2),
            "gc_frozen_objects": gc.get_freeze_count(),
        }
