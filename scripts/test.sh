#!/usr/bin/env bash
# `make test`: sets the machine up, runs the checks (ruff, ruff format, mypy, makemigrations --check, import-linter),
# then the whole suite twice, in parallel (pytest-xdist) — on SQLite, then on a throwaway PostgreSQL — with a
# throwaway Redis (the Celery integration tests' broker) for both runs. Each run starts every test's clock at a
# different, deliberately awkward instant (tests/conftest.py's --start-at), so a test that depends on the hour fails
# here and not at 23:00 some evening. The servers listen only on 127.0.0.1, on free ports, and are stopped and deleted
# afterwards, also on failure or Ctrl-C. Any failed check or run fails the script; the summary at the end lists them.
#
#   PYTEST_ARGS             extra pytest options (`make test PYTEST_ARGS="-x -k checkin"`)
#   TEST_WORKERS            pytest-xdist workers: auto (one per core, the default), a number, or 0 for none
#   TEST_START_AT_SQLITE    the SQLite run's instant: late evening UTC, already tomorrow in Asia — and next year
#   TEST_START_AT_POSTGRES  the PostgreSQL run's instant: half an hour after Europe's clocks went forward
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

if [ -t 1 ]; then
    say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
else
    say() { printf '==> %s\n' "$*"; }
fi

bash scripts/bootstrap.sh test
bash scripts/compile_translations.sh

# Everything throwaway lives in one directory: Redis, the PostgreSQL cluster, and a var/ of the tests' own
# (test SQLite file, media, mail, cache, Celery queue) so a test run never touches the checkout's var/.
work=$(mktemp -d "${TMPDIR:-/tmp}/stagewise-test.XXXXXX")
chmod 755 "$work"
redis_pid=""
pg_data=""
pg_ctl=""
as_postgres=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
        "${as_postgres[@]}" "$pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { .venv/bin/python scripts/port_free.py 127.0.0.1; }

start_at_sqlite=${TEST_START_AT_SQLITE:-2026-12-31T23:30:00Z}
start_at_postgres=${TEST_START_AT_POSTGRES:-2026-03-29T01:30:00Z}
workers=${TEST_WORKERS:-auto}

# The suite sees only what it should: no stray DATABASE_URL, broker, cache or mail settings from the shell.
unset DATABASE_URL CELERY_BROKER_URL CACHE_URL EMAIL_URL CELERY_TASK_ALWAYS_EAGER STAGEWISE_TEST_NOW
export STAGEWISE_VAR_DIR="$work/var"
mkdir -p "$STAGEWISE_VAR_DIR"

# --- Checks ------------------------------------------------------------------------------------------------
checks=("ruff check" "ruff format" "mypy" "makemigrations" "import-linter")
declare -A check_result=()

check() {
    local name=$1 rc log
    shift
    say "check: $name"
    log="$work/check-${name// /-}.log"
    set +e
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -eq 0 ]; then
        check_result[$name]="passed"
    else
        check_result[$name]="FAILED (exit code $rc)"
    fi
}

check "ruff check" .venv/bin/ruff check .
check "ruff format" .venv/bin/ruff format --check .
check "mypy" .venv/bin/mypy .
check "makemigrations" .venv/bin/python manage.py makemigrations --check --dry-run
check "import-linter" .venv/bin/lint-imports --no-cache

# --- Redis -------------------------------------------------------------------------------------------------
redis_port=$(free_port)
mkdir -p "$work/redis"
say "starting a throwaway Redis on 127.0.0.1:$redis_port"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work/redis" \
    --logfile "$work/redis/redis.log" --daemonize no &
redis_pid=$!
for _ in $(seq 100); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    kill -0 "$redis_pid" 2>/dev/null || { cat "$work/redis/redis.log" >&2; exit 1; }
    sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null

export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"

# shellcheck disable=SC2206 # PYTEST_ARGS is split into words on purpose
extra_args=(${PYTEST_ARGS:-})
declare -A result=([SQLite]="not run" [PostgreSQL]="not run") duration=([SQLite]="-" [PostgreSQL]="-")
declare -A start_at=([SQLite]="$start_at_sqlite" [PostgreSQL]="$start_at_postgres")

run_suite() {
    local name=$1 start rc
    say "test suite on $name, every test's clock starting at ${start_at[$name]}, $workers xdist workers"
    start=$SECONDS
    set +e
    .venv/bin/python -m pytest -p no:cacheprovider -n "$workers" --start-at="${start_at[$name]}" \
        --junitxml="$work/$name.xml" "${extra_args[@]}"
    rc=$?
    set -e
    duration[$name]=$((SECONDS - start))
    # 5 means pytest collected no tests: the suite can't be empty, so that is a failure too.
    case $rc in
        0) result[$name]="passed" ;;
        2) result[$name]="FAILED (interrupted or unimportable)" ;;
        5) result[$name]="FAILED (no tests collected)" ;;
        *) result[$name]="FAILED (pytest exit code $rc)" ;;
    esac
    # 2 is Ctrl-C or a collection error: the second run would end the same way, so stop here.
    [ "$rc" -ne 2 ]
}

summary() {
    local name status=0
    echo
    say "summary"
    for name in "${checks[@]}"; do
        printf '  %-16s %s\n' "$name" "${check_result[$name]:-not run}"
        case "${check_result[$name]:-not run}" in passed | "not gating yet"*) ;; *) status=1 ;; esac
    done
    for name in SQLite PostgreSQL; do
        printf '  %-11s at %-20s  %-38s %5ss   ' "$name" "${start_at[$name]}" "${result[$name]}" "${duration[$name]}"
        .venv/bin/python scripts/junit_summary.py "$work/$name.xml"
        [ "${result[$name]}" = "passed" ] || status=1
    done
    if [ $status -eq 0 ]; then say "all passed"; else say "FAILED"; fi
    return $status
}

run_suite SQLite || { summary || true; exit 1; }

# --- PostgreSQL --------------------------------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi
pg_ctl="$pg_bin/pg_ctl"
pg_port=$(free_port)
pg_data="$work/postgres"
mkdir -p "$pg_data"
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: its cluster belongs to the postgres system user.
    chown postgres:postgres "$pg_data"
    as_postgres=(runuser -u postgres --)
fi
say "starting a throwaway PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$pg_port"
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
# Durability is pointless for a throwaway cluster: fsync and friends off make the suite faster.
"${as_postgres[@]}" "$pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_data" \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$pg_data/server.log" >&2; exit 1; }
"${as_postgres[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres stagewise

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/stagewise"
run_suite PostgreSQL || true
summary
