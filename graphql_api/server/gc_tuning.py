"""Garbage collection tuned for a long-running request server.

What start-up builds (the schema, SQLAlchemy's mappers, every imported module:
about 120,000 objects) lives as long as the process, yet every full collection
scans it again; gc.freeze() moves it out of the collector's way. A request
allocates thousands of short-lived containers that reference counting frees
anyway; collecting the youngest generation every 700 allocations (Python's
default) ran it about once per request for nothing. (The measurement is in
bench/HISTORY.md.)
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def tune_for_serving() -> None:
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
