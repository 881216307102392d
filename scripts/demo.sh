#!/usr/bin/env bash
# `make demo`: sets the machine up, prepares the embedded defaults (SQLite under var/, Celery's filesystem broker,
# localstripe for payments) and serves the web app, a Celery worker, Celery beat and localstripe on 127.0.0.1 until
# Ctrl-C: http://127.0.0.1:8000.
# Safe to run again: every step skips or redoes work idempotently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -t 1 ]; then
    say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
else
    say() { printf '==> %s\n' "$*"; }
fi

bash scripts/bootstrap.sh demo
bash scripts/compile_translations.sh

say "static files"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
say "database migrations"
.venv/bin/python manage.py migrate --noinput

if .venv/bin/python scripts/has_command.py demo_seed; then
    say "demo data"
    .venv/bin/python manage.py demo_seed
    # The demo's orders and payments (billing's, since cohorts can't import billing).
    .venv/bin/python manage.py demo_seed_billing
    # The marketer's side: consent, alumni records, segments and two campaigns with results (alumni's).
    if .venv/bin/python scripts/has_command.py demo_seed_alumni; then
        .venv/bin/python manage.py demo_seed_alumni
    fi
else
    say "demo data: skipped (no demo_seed command yet)"
fi

# 8000: the web app; 8420: localstripe, the fake Stripe API that settings point at without STRIPE_SECRET_KEY.
for port in 8000 8420; do
    if ! .venv/bin/python scripts/port_free.py 127.0.0.1 "$port"; then
        echo "127.0.0.1:$port is already in use: stop whatever listens there (an earlier make demo?) and retry" >&2
        exit 1
    fi
done

say "serving http://127.0.0.1:8000 (web, Celery worker and beat, localstripe on :8420); Ctrl-C stops everything"
exec .venv/bin/honcho --procfile Procfile.demo --app-root . start
