"""The worker's collector (deploy/heap.py): startup frozen, pauses counted per generation."""

from __future__ import annotations

import gc

from deploy import heap


def test_startup_objects_are_frozen_and_pauses_are_counted():
    frozen = heap.settle_after_startup()
    assert frozen > 10_000  # Django and the apps, loaded by the test run
    try:
        before = heap.pauses()
        garbage = []
        garbage.append(garbage)  # a cycle only the collector frees
        del garbage
        assert gc.collect(2) >= 1
        after = heap.pauses()
        assert after["gc_collections"][2] == before["gc_collections"][2] + 1
        assert after["gc_pause_seconds"][2] >= before["gc_pause_seconds"][2]
        assert after["gc_longest_pause_ms"] > 0
        assert after["gc_frozen_objects"] == gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual


def test_settling_twice_measures_once():
    heap.settle_after_startup()
    heap.settle_after_startup()
    try:
        assert gc.callbacks.count(heap._on_collection) == 1
    finally:
        gc.unfreeze()
