# Two entry points; both set up a fresh Debian 12 machine first (apt, uv, `uv sync --frozen`) and are safe to rerun.
#   make demo   serve the app, a Celery worker and beat (+ localstripe) on http://127.0.0.1:8000 until Ctrl-C
#   make test   the whole suite on SQLite, then on a throwaway PostgreSQL, with a throwaway Redis for Celery
# Pass pytest options with PYTEST_ARGS, e.g. `make test PYTEST_ARGS="-x -k checkin"`.

SHELL := /bin/bash
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: demo test setup translations

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/bootstrap.sh test

translations:
	bash scripts/compile_translations.sh
