"""Python's cyclic garbage collector, set for a long-running server or worker process.

What loading the app made lives as long as the process: frozen (`gc.freeze()`), it stays
out of the collector's passes. And the default thresholds (a young collection every 700
allocations net of frees) suit small scripts: a ticket's creation allocates tens of
thousands of objects (the ORM's query, DRF's fields), almost all freed by reference
counting, and the collector walked the young ones dozens of times per request. With a
young collection every 50,000 allocations, and older ones 20 times rarer each, a server
created 10 % more tickets per second at 16 clients (bench/RESULTS.md, finding 44); the
garbage in cycles waits a little longer, a few megabytes at most.
"""

import gc

THRESHOLDS = (50_000, 20, 20)


def settle() -> None:
    """Call once the process has loaded what it needs, before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
