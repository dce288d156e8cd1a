"""Benchmark settings: production settings plus one route, the bare-DRF floor."""

from fractionax_support.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
