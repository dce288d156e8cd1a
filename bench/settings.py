"""Benchmark settings: production settings plus one route, the bare-DRF floor."""

import os

from fractionax_support.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The load test of `make run`'s configuration keeps its filesystem broker in a folder of
# its own (bench/loadtest.py --embedded), apart from a development run's under var/.
if os.environ.get("BENCH_BROKER_DIR") and not REDIS_URL:  # noqa: F405
    _default_dir = str(VAR_DIR / "celery-broker")  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        name: value.replace(_default_dir, os.environ["BENCH_BROKER_DIR"], 1) if isinstance(value, str) else value
        for name, value in CELERY_BROKER_TRANSPORT_OPTIONS.items()  # noqa: F405
    }
    # kombu keeps its exchange table in ./control unless told: not in the work tree.
    CELERY_BROKER_TRANSPORT_OPTIONS.setdefault(
        "control_folder", os.path.join(os.environ["BENCH_BROKER_DIR"], "control")
    )
