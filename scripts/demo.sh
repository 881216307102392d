#!/usr/bin/env bash
# `make demo`: sets the machine up, prepares the embedded defaults (SQLite under var/, Celery's filesystem broker)
# and serves the web app, a Celery worker and Celery beat on http://127.0.0.1:8000 until Ctrl-C.
# Safe to run again: every step skips or redoes work idempotently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

bash scripts/bootstrap.sh demo
bash scripts/compile_translations.sh

say "static files"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
say "database migrations"
.venv/bin/python manage.py migrate --noinput

if .venv/bin/python scripts/has_command.py demo_seed; then
    say "demo data"
    .venv/bin/python manage.py demo_seed
else
    say "demo data: skipped (no demo_seed command yet)"
fi

if ! .venv/bin/python scripts/port_free.py 127.0.0.1 8000; then
    echo "127.0.0.1:8000 is already in use: stop whatever listens there (an earlier make demo?) and retry" >&2
    exit 1
fi

say "serving http://127.0.0.1:8000 (web + Celery worker + Celery beat); Ctrl-C stops everything"
exec .venv/bin/honcho --procfile Procfile.demo --app-root . start
