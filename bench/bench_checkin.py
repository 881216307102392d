"""Check-in POST throughput and p99 over HTTP on PostgreSQL with gunicorn (2 sync workers), against a bare
django-ninja endpoint that inserts one row, measured in the same run, in short alternating rounds (the machine is
shared: a noisy neighbour then hits both sides alike); then the feed's first page with 10,000 items: time and query
count.

    .venv/bin/python bench/bench_checkin.py [--requests 2000] [--concurrency 8] [--rounds 8]

Uses $DATABASE_URL if it points at PostgreSQL, else starts a throwaway PostgreSQL on 127.0.0.1 (as `make test`
does) and removes it afterwards. Everything talks to 127.0.0.1 only. Prints figures; asserts nothing.
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = bins[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="stagewise-bench-pg."))
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def __enter__(self) -> str:
        data = self.dir / "data"
        data.mkdir()
        if self.as_pg:
            shutil.chown(self.dir, "postgres")
            shutil.chown(data, "postgres")
        run = lambda *cmd: subprocess.run([*self.as_pg, *cmd], check=True, capture_output=True)  # noqa: E731
        run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={data} -c fsync=off"
        run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(data / "log"), "-w", "-o", opts, "start")
        run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "bench")
        return f"postgres://postgres@127.0.0.1:{self.port}/bench"

    def __exit__(self, *exc: object) -> None:
        subprocess.run(
            [*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def seed(learners: int) -> tuple[int, list[str]]:
    """A running 30-day cohort with ``learners`` members, each with an API token. Returns (cohort id, tokens)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import api_token_create
    from cohorts.models import Cohort, Enrollment
    from cohorts.statuses import CohortStatus, EnrollmentStatus
    from content.models import Course, Track

    track = Track.objects.create(slug="bench", title="Bench")
    course = Course.objects.create(
        track=track,
        stage=1,
        stage_label="B",
        slug="bench",
        title="Bench",
        price_minor=0,
        duration_days=30,
        is_published=True,
        checkin_min_text_length=10,
    )
    today = timezone.now().date()
    cohort = Cohort.objects.create(
        course=course,
        name="Bench",
        timezone="UTC",
        enrollment_opens_on=today - timedelta(days=5),
        enrollment_closes_on=today - timedelta(days=1),
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=28),
        capacity=learners + 10,
        status=CohortStatus.RUNNING,
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"bench{i}@bench.local", display_name=f"学员 {i}", password=password) for i in range(learners)
    )
    Enrollment.objects.bulk_create(Enrollment(cohort=cohort, learner=u, status=EnrollmentStatus.ACTIVE) for u in users)
    return cohort.pk, [api_token_create(user=u, name="bench")[1] for u in users]


def wait_for_port(port: int, seconds: float = 10) -> bool:
    """True once something listens on 127.0.0.1:``port``; False if nothing does within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "stagewise.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    if wait_for_port(port):
        return proc
    proc.kill()
    sys.exit("gunicorn did not start")


def in_threads(items: list[Any], concurrency: int, work: Callable[[Any], Any]) -> tuple[list[Any], float]:
    """Call ``work(item)`` for every item, from ``concurrency`` threads taking the items in turn. Returns what each
    call returned (or the exception it raised), in the order they finished, and the wall time in seconds."""
    results: list[Any] = []
    lock = threading.Lock()
    queue = list(reversed(items))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            try:
                result = work(item)
            except Exception as exc:  # noqa: BLE001 - handed back to the caller, which counts and prints it
                result = exc
            with lock:
                results.append(result)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def load(
    port: int, requests: list[tuple[str, bytes, dict[str, str]]], concurrency: int, method: str = "POST"
) -> dict[str, Any]:
    """Send every request once from ``concurrency`` threads; return throughput, latencies and error statuses."""

    def send(request: tuple[str, bytes, dict[str, str]]) -> tuple[float, int]:
        path, body, headers = request
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        return elapsed, response.status

    sent, wall = in_threads(requests, concurrency, send)
    latencies = [elapsed for elapsed, _ in sent]
    return {"rps": len(latencies) / wall, "latencies": latencies, "errors": [s for _, s in sent if s >= 300]}


def multipart(text: str) -> tuple[bytes, str]:
    boundary = "benchboundary7MA4YWxk"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n--{boundary}--\r\n').encode()
    return body, f"multipart/form-data; boundary={boundary}"


def feed_page_figures(cohort_id: int, items: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from cohorts import feed
    from cohorts.models import Post, PostKind

    author = User.objects.order_by("id").first()
    now = timezone.now()
    existing = Post.objects.filter(cohort_id=cohort_id).count()
    Post.objects.bulk_create(
        (
            Post(
                cohort_id=cohort_id,
                author=author,
                kind=PostKind.ANNOUNCEMENT,
                body=f"帖子 {i} 🎉",
                created_at=now - timedelta(seconds=i),
            )
            for i in range(items - existing)
        ),
        batch_size=2000,
    )
    total = Post.objects.filter(cohort_id=cohort_id).count()
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            page = feed.feed_page(user=author, cohort_id=cohort_id)
            [(p.author.display_name, p.reaction_count, p.comment_count, p.my_reaction) for p in page.items]
        timings.append(time.perf_counter() - started)
    print(
        f"feed first page: {total} items in the cohort, {len(page.items)} on the page, "
        f"median {statistics.median(timings) * 1000:.1f} ms, {len(ctx.captured_queries)} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds of bare and check-in requests")
    parser.add_argument("--feed-items", type=int, default=10_000)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    context = ThrowawayPostgres() if not url.startswith("postgres") else None
    if context:
        url = context.__enter__()
    var_dir = tempfile.mkdtemp(prefix="stagewise-bench-var.")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "STAGEWISE_VAR_DIR": var_dir}
    os.environ.update(env)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        cohort_id, tokens = seed(args.requests)
        port = free_port()
        server = start_gunicorn(env, port)

        text = "Finished today's exercises and wrote my notes. 今天的练习完成了！"
        body, content_type = multipart(text)
        checkin_requests = [
            (
                f"/api/v1/cohorts/{cohort_id}/checkins",
                body,
                {"Authorization": f"Bearer {t}", "Content-Type": content_type},
            )
            for t in tokens
        ]
        bare_requests = [("/bench/bare", b"", {"Content-Type": "application/json"})] * args.requests
        load(port, bare_requests[:200], args.concurrency)  # warm up both workers
        # A learner opens the app before checking in: each token has been used a moment ago, as in real use
        # (so the check-in itself doesn't also pay the token's once-a-minute last_used_at write).
        warm = [("/api/v1/me", b"", {"Authorization": f"Bearer {t}"}) for t in tokens]
        load(port, warm, args.concurrency, method="GET")
        # Short alternating rounds (which side goes first alternates too), so a noisy neighbour hits both sides
        # alike; the ratio is the median of the rounds' ratios.
        size = max(args.requests // args.rounds, 1)
        rounds: list[dict[str, dict[str, Any]]] = []
        for n, start in enumerate(range(0, args.requests, size)):
            chunk = slice(start, start + size)
            order = ("bare", "checkin") if n % 2 == 0 else ("checkin", "bare")
            sides = {"bare": bare_requests, "checkin": checkin_requests}
            rounds.append({side: load(port, sides[side][chunk], args.concurrency) for side in order})

        print(
            f"gunicorn 2 sync workers, PostgreSQL, {args.concurrency} concurrent clients, {args.requests} requests "
            f"each, in {len(rounds)} alternating rounds"
        )
        for name, side in (("bare ninja insert", "bare"), ("check-in POST", "checkin")):
            latencies = sorted(x for r in rounds for x in r[side]["latencies"])
            errors = [e for r in rounds for e in r[side]["errors"]]
            failed = f" (first: HTTP {errors[0]})" if errors else ""
            print(
                f"  {name:<18} {statistics.median(r[side]['rps'] for r in rounds):7.1f} req/s (median round)"
                f"   p50 {statistics.median(latencies) * 1000:6.1f} ms"
                f"   p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:6.1f} ms   errors {len(errors)}{failed}"
            )
            if side == "checkin":
                p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        ratios = sorted(r["checkin"]["rps"] / r["bare"]["rps"] for r in rounds)

        def pooled(side: str) -> float:  # all requests over all the time that side took
            return sum(len(r[side]["latencies"]) for r in rounds) / sum(
                len(r[side]["latencies"]) / r[side]["rps"] for r in rounds
            )

        print(
            f"  throughput ratio check-in / bare: {statistics.median(ratios):.2f} median of the rounds "
            f"(lowest {ratios[0]:.2f}, highest {ratios[-1]:.2f}; all rounds pooled "
            f"{pooled('checkin') / pooled('bare'):.2f})  (target >= 0.25 with plain ORM code, issue 9)"
        )
        print(f"  check-in p99: {p99:.1f} ms  (target < 60 ms)")
        feed_page_figures(cohort_id, args.feed_items)
    finally:
        if server:
            server.terminate()
            server.wait(10)
        if context:
            context.__exit__(None, None, None)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
