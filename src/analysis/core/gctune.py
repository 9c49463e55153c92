"""Fewer garbage collections while a stage builds many short-lived objects (cleaning, evaluation).

CPython starts a young-generation collection every 700 net allocations of container objects (its
default threshold) and, every 10 of those, an older one, which walks every object that has survived so
far: pandas, pyarrow, scipy and the tables already read. Cleaning and evaluating one period allocate
millions of small objects (pandas indexes, openpyxl cells, parsed values), almost all freed at once by
reference counting, so most of those collections find nothing: measured, 0.28-0.32 s CPU of the 3.6 s of
``python -m analysis evaluate --period 2026-TW3`` (506 + 47 + 4 collections). :func:`fewer_collections`
raises the young threshold to :data:`YOUNG_THRESHOLD` while its block runs (30 + 3 + 0 collections,
0.12-0.13 s) and puts the thresholds back after the outermost block. What is computed does not change:
collections only free unreachable cycles, and the cycles found later are the same garbage.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Young-generation threshold inside :func:`fewer_collections` (CPython's default is 700).
YOUNG_THRESHOLD = 10_000

_lock = threading.Lock()
_state = {"depth": 0, "saved": None}


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the young-generation threshold at least :data:`YOUNG_THRESHOLD`; the previous
    thresholds come back when the outermost such block ends (nested and concurrent blocks share one
    setting). Usable as a decorator too (``@fewer_collections()``)."""
    with _lock:
        if _state["depth"] == 0:
            saved = gc.get_threshold()
            _state["saved"] = saved
            if saved[0]:  # 0: automatic collection switched off; left so
                gc.set_threshold(max(saved[0], YOUNG_THRESHOLD), *saved[1:])
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                gc.set_threshold(*_state["saved"])
                _state["saved"] = None


def fewer_collections_from_now() -> None:
    """For the rest of this process, the young-generation threshold at least :data:`YOUNG_THRESHOLD`.

    For worker processes that only execute and export notebooks or cards (``run``'s and ``scorecards``'
    workers, after their warm-up and ``gc.freeze``): executing a notebook, drawing its charts and laying
    out its PDF allocate millions of short-lived containers, freed by reference counting, and CPython's
    default of a young collection every 700 of them mostly finds nothing (measured: the four period
    notebooks in a warm worker 9.2 → 8.3 s CPU, median of 3 alternating). Cycles are still collected, later.
    """
    with _lock:
        threshold = gc.get_threshold()
        if threshold[0] and _state["depth"] == 0:
            gc.set_threshold(max(threshold[0], YOUNG_THRESHOLD), *threshold[1:])
        elif _state["saved"] and _state["saved"][0]:
            _state["saved"] = (max(_state["saved"][0], YOUNG_THRESHOLD), *_state["saved"][1:])
