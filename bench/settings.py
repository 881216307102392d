"""Benchmark settings: the project's, plus a bare django-ninja endpoint to compare against."""

from stagewise.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "WARNING"}}  # no per-request noise
