"""The marketer's workspace at scale, on PostgreSQL with 1,000,000 alumni records:

1. a segment of several nested conditions (AND/OR groups, a relative date, a JSON-list "contains", a negation):
   its member count plus the first page of members, through the app (the filter tree compiled to the ORM by
   ``alumni.segments.compile.segment_queryset``), against the equivalent hand-written SQL measured in the same run
   (alternating rounds, medians). Targets: count + first page under 50 ms, a ratio of at most 1.5.
2. a one-off campaign planned for 100,000 recipients (``alumni.campaigns.planning.campaign_plan``: delivery rows
   created, the holdout applied, consent checked), while check-ins are POSTed to gunicorn (2 sync workers) against
   the same database; the check-in latency while planning runs is printed next to the same load without planning.
   Target: planning in under 60 s without blocking check-ins.

    .venv/bin/python bench/bench_alumni.py [--records 1000000] [--recipients 100000] [--rounds 15]

Uses $DATABASE_URL if it points at PostgreSQL, else starts a throwaway PostgreSQL on 127.0.0.1 and removes it
afterwards. The million rows are written with INSERT … SELECT generate_series (set-up only; the measured paths are
the app's). Everything talks to 127.0.0.1 only. Prints figures; stops only if a check-in fails or a preview's
page doesn't match its count.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_checkin import ThrowawayPostgres, free_port, load, multipart, seed, start_gunicorn  # noqa: E402


def seed_alumni(records: int) -> None:
    """``records`` learners with an alumni record each, their facts spread as in a real base (most in stage 1,
    fewer higher; ended cohorts over the past two years; a third consented to marketing)."""
    from django.db import connection

    from accounts.models import User
    from alumni.models import AlumniRecord

    def insert_select(model: Any, chosen: dict[str, str], source: str) -> None:
        """INSERT … SELECT every concrete column of ``model``: the ``chosen`` ones as SQL expressions over
        ``source``, the rest at their defaults."""
        columns, expressions, params = [], [], []
        for field in model._meta.concrete_fields:
            if field.primary_key and field.attname not in chosen:
                continue
            columns.append(field.column)
            if field.attname in chosen:
                expressions.append(chosen[field.attname].replace("%", "%%"))  # params follow
            else:
                expressions.append("%s")
                params.append(field.get_db_prep_save(field.get_default(), connection))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from the model
                f"SELECT {', '.join(expressions)} FROM {source}",
                params,
            )

    users = {
        "password": "'!'",
        "is_active": "true",
        "date_joined": "now() - (g % 700) * interval '1 day'",
        "email": "'alumnus' || g || '@bench.local'",
        "display_name": "'校友 ' || g",
        "timezone": "'Asia/Shanghai'",
        "language": "CASE WHEN g % 3 = 0 THEN 'en' ELSE 'zh-hans' END",
    }
    insert_select(User, users, f"generate_series(1, {int(records)}) AS g")
    # Every column of the record: the interesting ones spread by the user id, the rest at their defaults.
    chosen = {
        "learner_id": "u.id",
        "highest_stage_completed": "CASE WHEN u.id % 10 < 6 THEN 1 WHEN u.id % 10 < 9 THEN 2 ELSE 3 END",
        "course_ids": "jsonb_build_array(1 + u.id % 3, 4 + u.id % 5)",
        "cohort_ids": "jsonb_build_array(u.id % 40, 40 + u.id % 17)",
        "cohorts_taken": "1 + u.id % 4",
        "cohorts_completed": "u.id % 4",
        "last_cohort_ended_on": "current_date - (u.id % 730)::int",
        "checkin_rate": "(u.id % 101) / 100.0",
        "longest_streak": "u.id % 30",
        "awards": "CASE WHEN u.id % 50 = 0 THEN 1 ELSE 0 END",
        "upgraded": "u.id % 7 = 0",
        "last_active_at": "now() - (u.id % 400) * interval '1 day'",
        "currency": "'CNY'",
        "total_paid_minor": "19900 * (1 + u.id % 5)",
        "orders": "1 + u.id % 5",
        "language": "u.language",
        "time_zone": "u.timezone",
        "marketing_consent": "u.id % 3 = 0",
        "source": "CASE WHEN u.id % 5 = 0 THEN 'referral' ELSE 'direct' END",
        "rfm_recency": "1 + u.id % 5",
        "rfm_frequency": "1 + (u.id / 5) % 5",
        "rfm_monetary": "1 + (u.id / 25) % 5",
        "rfm_group": "(ARRAY['champions','loyal','promising','new','at_risk','hibernating','lost'])[1 + (u.id % 7)::int]",
        "updated_at": "now()",
    }
    insert_select(AlumniRecord, chosen, "accounts_user u WHERE u.email LIKE 'alumnus%%@bench.local'")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
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
        started = time.perf_counter()
        seed_alumni(args.records)
        print(f"seeded {args.records:,} alumni records in {time.perf_counter() - started:.0f} s")
        segment_figures(args.rounds)
        server, port, cohort_id, tokens = None, 0, 0, []
        cohort_id, tokens = seed(4000)
        port = free_port()
        server = start_gunicorn(env, port)
        planning_figures(args.recipients, port, cohort_id, tokens)
    finally:
        if server:
            server.terminate()
            server.wait(10)
        if context:
            context.__exit__(None, None, None)
        shutil.rmtree(var_dir, ignore_errors=True)


# A marketer's typical "win back" segment: recent stage-1 graduates who haven't moved up and may be mailed, and who
# either drifted (RFM), kept up well, or took a given course.
NARROW_TREE: dict[str, Any] = {
    "type": "group",
    "op": "and",
    "children": [
        {"type": "condition", "field": "highest_stage_completed", "op": "eq", "value": 1},
        {"type": "condition", "field": "last_cohort_ended_on", "op": "gte", "value": {"days": -90}},
        {"type": "condition", "field": "upgraded", "op": "eq", "value": True, "negate": True},
        {"type": "condition", "field": "marketing_consent", "op": "eq", "value": True},
        {
            "type": "group",
            "op": "or",
            "children": [
                {"type": "condition", "field": "rfm_group", "op": "in", "value": ["at_risk", "hibernating"]},
                {"type": "condition", "field": "checkin_rate", "op": "gte", "value": 0.8},
                {"type": "condition", "field": "course_ids", "op": "contains", "value": 5},
            ],
        },
    ],
}
NARROW_WHERE = """
    r.highest_stage_completed = 1
    AND r.last_cohort_ended_on >= %(since)s
    AND NOT r.upgraded
    AND r.marketing_consent
    AND (r.rfm_group IN ('at_risk', 'hibernating') OR r.checkin_rate >= 0.8 OR r.course_ids @> '[5]'::jsonb)
"""
# A broad one (about 40 % of the base): everyone active in the past year who hasn't upgraded and either reached
# stage 2 or paid at least 796 CNY.
BROAD_TREE: dict[str, Any] = {
    "type": "group",
    "op": "and",
    "children": [
        {"type": "condition", "field": "upgraded", "op": "eq", "value": False},
        {"type": "condition", "field": "last_active_at", "op": "gte", "value": {"days": -365}},
        {
            "type": "group",
            "op": "or",
            "children": [
                {"type": "condition", "field": "highest_stage_completed", "op": "gte", "value": 2},
                {"type": "condition", "field": "total_paid_minor", "op": "gte", "value": 79600},
            ],
        },
    ],
}
BROAD_WHERE = """
    r.upgraded = false
    AND r.last_active_at >= %(active_since)s
    AND (r.highest_stage_completed >= 2 OR r.total_paid_minor >= 79600)
"""
FIRST_PAGE_SQL = """
    SELECT r.learner_id, u.display_name AS name, u.email, r.highest_stage_completed, r.total_paid_minor, r.currency,
        r.last_active_at, r.last_cohort_ended_on
    FROM alumni_alumnirecord r INNER JOIN accounts_user u ON u.id = r.learner_id
    WHERE {where}
    LIMIT 20
"""


def marketer() -> Any:
    from accounts.models import User

    user, _created = User.objects.get_or_create(
        email="marketer@bench.local", defaults={"display_name": "Marketer", "is_marketer": True}
    )
    return user


def hand_written(where: str, params: dict[str, Any]) -> dict[str, Any]:
    """The same count and first page as the preview, in SQL written by hand (two queries; one when nobody matches)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM alumni_alumnirecord r WHERE {where}", params)  # noqa: S608
        count = cursor.fetchone()[0]
        members = []
        if count:
            cursor.execute(FIRST_PAGE_SQL.format(where=where), params)
            members = cursor.fetchall()
    return {"count": count, "members": members}


def plan_shape(sql: str, params: Any = None) -> tuple[list[str], float]:
    """EXPLAIN (ANALYZE) of a query: its plan's node lines without costs and timings, and its execution time."""
    import re

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    executed = next(float(re.findall(r"[\d.]+", line)[0]) for line in lines if line.startswith("Execution Time"))
    nodes = [re.sub(r"\s*\(cost=.*", "", line).rstrip() for line in lines if "cost=" in line]
    return nodes, executed


def compare_one(label: str, tree: dict[str, Any], where: str, params: dict[str, Any], rounds: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alumni.models import AlumniRecord
    from alumni.segments.selectors import segment_preview

    actor = marketer()
    total = AlumniRecord.objects.count()

    def app() -> dict[str, Any]:
        return segment_preview(actor=actor, tree=tree)

    def sql() -> dict[str, Any]:
        return hand_written(where, params)

    app(), sql()  # warm both (plans, caches)
    timings: dict[str, list[float]] = {"app": [], "sql": []}
    ratios = []
    for n in range(rounds):
        order = ("app", "sql") if n % 2 == 0 else ("sql", "app")
        took = {}
        for side in order:
            started = time.perf_counter()
            result = (app if side == "app" else sql)()
            took[side] = time.perf_counter() - started
            timings[side].append(took[side])
            assert len(result["members"]) == min(20, result["count"])
        ratios.append(took["app"] / took["sql"])
    app_result, sql_result = app(), sql()
    same = app_result["count"] == sql_result["count"]
    print(
        f"{label} segment: {app_result['count']:,} of {total:,} match ({app_result['count'] / total:.1%}); "
        f"hand-written SQL counts {sql_result['count']:,}{'' if same else '  MISMATCH'}"
    )
    app_ms, sql_ms = median_ms(timings["app"]), median_ms(timings["sql"])
    print(
        f"  count + first page, median of {rounds} alternating rounds: app (segment_preview) {app_ms:.1f} ms, "
        f"hand-written SQL {sql_ms:.1f} ms; ratio {statistics.median(ratios):.2f} median of the rounds "
        f"({app_ms / sql_ms:.2f} of the medians)  (targets < 50 ms, ratio <= 1.5)"
    )
    # The plans: the app's two queries as the database ran them, next to the hand-written ones.
    with CaptureQueriesContext(connection) as ctx:
        app()
    app_queries = [q["sql"] for q in ctx.captured_queries if "alumni_alumnirecord" in q["sql"]]
    with connection.cursor() as cursor:
        sql_queries = [
            cursor.mogrify(f"SELECT count(*) FROM alumni_alumnirecord r WHERE {where}", params),  # noqa: S608
            cursor.mogrify(FIRST_PAGE_SQL.format(where=where), params),
        ]
    for name, app_sql, hand_sql in zip(("count", "first page"), app_queries, sql_queries, strict=False):
        app_plan, app_exec = plan_shape(app_sql)
        hand_plan, hand_exec = plan_shape(hand_sql)
        strip = lambda plan: [re.sub(r"( on \S+) \w+$", r"\1", line) for line in plan]  # noqa: E731 - aliases
        verdict = "same plan" if strip(app_plan) == strip(hand_plan) else "DIFFERENT plans"
        print(f"  {name}: {verdict}; EXPLAIN ANALYZE execution {app_exec:.1f} ms (app) vs {hand_exec:.1f} ms (SQL)")
        if verdict != "same plan" or os.environ.get("BENCH_PLANS"):
            print("    app:\n      " + "\n      ".join(app_plan))
            print("    SQL:\n      " + "\n      ".join(hand_plan))
        else:
            print("    " + " / ".join(line.strip().lstrip("-> ") for line in app_plan))


def segment_figures(rounds: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    compare_one("narrow", NARROW_TREE, NARROW_WHERE, {"since": today - timedelta(days=90)}, rounds)
    start_of_day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    compare_one("broad", BROAD_TREE, BROAD_WHERE, {"active_since": start_of_day - timedelta(days=365)}, rounds)


def paced_checkins(port: int, requests: list[Any], rate: float, until: Any) -> list[float]:
    """Check-in POSTs from 4 clients at about ``rate`` per second (chunks of 8 through ``bench_checkin.load``) until
    ``until()`` is true or the requests run out; returns the latencies and asserts none failed."""
    latencies: list[float] = []
    chunk = 8
    while requests and not until():
        started = time.perf_counter()
        sent = load(port, requests[:chunk], 4)
        del requests[:chunk]
        assert not sent["errors"], sent["errors"][:3]
        latencies += sent["latencies"]
        time.sleep(max(0.0, chunk / rate - (time.perf_counter() - started)))
    return latencies


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[max(int(len(ordered) * 0.99) - 1, 0)]
    return f"p50 {statistics.median(ordered) * 1000:5.1f} ms  p99 {p99 * 1000:6.1f} ms  ({len(ordered)} check-ins)"


def planning_figures(recipients: int, port: int, cohort_id: int, tokens: list[str]) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from alumni.campaigns.planning import campaign_plan
    from alumni.models import Campaign, CampaignKind, Delivery, Segment

    # Set-up, set-based: marketing consent as the learners gave it (a MailSubscription row for those whose record
    # says so), and a segment whose stored membership (version 1) is the first ``recipients`` alumni.
    by = marketer()
    segment = Segment.objects.create(
        name="Bench: 100k", tree={"type": "group", "op": "and", "children": []}, version=1,
        member_count=recipients, computed_at=timezone.now(), created_by=by,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_mailsubscription (user_id, topic, subscribed, changed_at) "
            "SELECT learner_id, 'marketing', true, now() FROM alumni_alumnirecord WHERE marketing_consent"
        )
        cursor.execute(
            "INSERT INTO alumni_segmentmembership (segment_id, version, learner_id) "
            "SELECT %s, 1, learner_id FROM alumni_alumnirecord ORDER BY learner_id LIMIT %s",
            [segment.pk, recipients],
        )
        cursor.execute("ANALYZE")
    campaign = Campaign.objects.create(
        name="Bench: win back", kind=CampaignKind.ONE_OFF, segment=segment, created_by=by,
        subject_en="{{ name }}, your next stage", body_en="Hi {{ name }}: {{ next_course }}.",
        subject_zh="{{ name }}，下一阶段在等你", body_zh="{{ name }}，你好！下一步：{{ next_course }}。",
        holdout_percent=10, window_start_hour=9, window_end_hour=20,
    )  # fmt: skip

    # Check-ins against gunicorn: a separate running cohort's learners, each checking in once, at a steady rate.
    body, content_type = multipart("Finished today's exercises and wrote my notes. 今天的练习完成了！")
    checkins = [
        (f"/api/v1/cohorts/{cohort_id}/checkins", body, {"Authorization": f"Bearer {t}", "Content-Type": content_type})
        for t in tokens
    ]
    load(port, [("/api/v1/me", b"", {"Authorization": f"Bearer {t}"}) for t in tokens], 4, method="GET")  # warm
    rate = 40.0
    baseline_stop = time.perf_counter() + 15
    baseline = paced_checkins(port, checkins, rate, until=lambda: time.perf_counter() > baseline_stop)

    outcome: dict[str, Any] = {}

    def plan() -> None:
        try:
            started = time.perf_counter()
            outcome["created"] = campaign_plan(campaign)
            outcome["seconds"] = time.perf_counter() - started
        except BaseException as exc:  # noqa: BLE001 - printed below
            outcome["error"] = exc
        finally:
            connection.close()

    planner = threading.Thread(target=plan)
    planner.start()
    during = paced_checkins(port, checkins, rate, until=lambda: not planner.is_alive())
    ran_out = planner.is_alive()
    planner.join()
    if "error" in outcome:
        raise outcome["error"]
    statuses = dict(
        Delivery.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")).order_by("status")
    )
    print(
        f"campaign planned for {recipients:,} segment members: {outcome['seconds']:.1f} s "
        f"({outcome['created']:,} deliveries created, {recipients / outcome['seconds']:,.0f}/s)  (target < 60 s)"
    )
    print(
        "  deliveries by status: "
        + ", ".join(f"{status} {n:,} ({n / recipients:.1%})" for status, n in statuses.items())
    )
    consented = statuses.get("pending", 0) + statuses.get("held_out", 0)
    if consented:
        print(f"  held out among those who may be mailed: {statuses.get('held_out', 0) / consented:.1%} (holdout 10 %)")
    print(f"  check-in POSTs at ~{rate:.0f}/s from 4 clients, gunicorn 2 sync workers:")
    print(f"    without planning  {percentiles(baseline)}")
    print(
        f"    during planning   {percentiles(during)}"
        + ("  (ran out of check-ins before planning ended)" if ran_out else "")
    )


if __name__ == "__main__":
    main()
