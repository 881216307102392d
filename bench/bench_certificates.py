"""Completion certificates for a 1,000-learner cohort with Chinese names, issued by 2 worker processes (as 2 Celery
prefork children would be) in batches of 50 through the real service: the PDF, its file in storage, the row and the
queued mail with the PDF attached. Prints certificates per minute, each worker's memory across the batch, and the
ratio of the per-certificate time to a bare WeasyPrint render of the same HTML, measured in the same run.

    .venv/bin/python bench/bench_certificates.py [--learners 1000] [--workers 2] [--batch 50]

Runs on a throwaway SQLite database and media folder in a temporary directory (the embedded defaults). The bare
render is ``HTML(string=html).write_pdf(stylesheets=[css], font_config=fonts)`` with the same shared fonts and
stylesheet, so the ratio is what the service adds around WeasyPrint (template, QR code, database, storage, mail);
rounds of issuing and of bare renders alternate, so a noisy neighbour on this shared machine hits both sides alike.
Prints figures; asserts nothing.
"""

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建华俊峰晨曦思远子涵欣怡浩然雨桐梓萱一诺"


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(learners: int, warmups: int) -> tuple[int, list[int], list[int]]:
    """An ended cohort whose ``learners`` members all completed, with Chinese names (one in ten with 𠮷); and
    ``warmups`` completed enrollments in a cohort of their own, one for each worker's first task (not measured)."""
    from datetime import date

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from cohorts.models import Cohort, Enrollment
    from cohorts.statuses import CohortStatus, EnrollmentStatus
    from content.models import Course, Track

    track = Track.objects.create(slug="bench", title="Python 数据分析")
    course = Course.objects.create(
        track=track,
        stage=1,
        stage_label="入门",
        slug="bench-1",
        title="Python 数据分析入门",
        price_minor=19900,
        currency="CNY",
        duration_days=21,
        is_published=True,
    )
    teacher = User.objects.create_user(email="teacher@bench.local", display_name="李老师", is_instructor=True)
    course.instructors.add(teacher)
    cohort = Cohort.objects.create(
        course=course,
        name="2026 春季班",
        timezone="Asia/Shanghai",
        enrollment_opens_on=date(2026, 2, 1),
        enrollment_closes_on=date(2026, 3, 1),
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 22),
        capacity=learners,
        status=CohortStatus.ENDED,
    )
    password = make_password(None)
    users = []
    for i in range(learners):
        surname = "𠮷" if i % 10 == 0 else SURNAMES[i % len(SURNAMES)]
        given = GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)] * (i % 2)
        users.append(
            User(
                email=f"learner{i}@bench.local",
                display_name=surname + given,
                language="zh-hans",
                timezone="Asia/Shanghai",
                password=password,
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    learners_ = User.objects.filter(email__endswith="@bench.local", is_instructor=False).order_by("pk")
    Enrollment.objects.bulk_create(
        [Enrollment(cohort=cohort, learner=u, status=EnrollmentStatus.COMPLETED) for u in learners_], batch_size=500
    )
    ids = list(Enrollment.objects.filter(cohort=cohort).order_by("pk").values_list("pk", flat=True))
    warmup = Cohort.objects.create(
        course=course,
        name="2026 预热班",
        timezone="Asia/Shanghai",
        enrollment_opens_on=date(2026, 1, 1),
        enrollment_closes_on=date(2026, 2, 1),
        starts_on=date(2026, 2, 2),
        ends_on=date(2026, 2, 22),
        capacity=warmups,
        status=CohortStatus.ENDED,
    )
    warmup_ids = [
        Enrollment.objects.create(
            cohort=warmup,
            learner=User.objects.create_user(email=f"warmup{i}@bench.local", display_name=f"预热{i}"),
            status=EnrollmentStatus.COMPLETED,
        ).pk
        for i in range(warmups)
    ]
    return cohort.pk, ids, warmup_ids


def _worker_init(warmup_ids: list[int], claimed: Any) -> None:
    """A forked worker, warmed up as a Celery worker is after its first task: fonts loaded by one render, then one
    certificate issued through the service for a warm-up learner of its own (the signing key read, the JSON-LD
    contexts processed, the mail templates compiled: about 0.6 s once, which over a worker's 500 certificates would
    add a millisecond to each). Both sides of the ratio are then measured warm."""
    from datetime import UTC, date, datetime

    from django.db import connections

    from cohorts.certificates.pdf import CertificateContent, certificate_pdf

    connections.close_all()  # never share the parent's connection with a forked child
    certificate_pdf(
        CertificateContent(
            learner_name="𠮷野家 花子",
            language="zh-hans",
            course_title="预热",
            stage_label="入门",
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 22),
            instructor_name="李老师",
            signature=None,
            serial="SW-2026-0000-0000",
            verify_url="http://127.0.0.1/verify/warm-up",
            issued_at=datetime.now(UTC),
            timezone="Asia/Shanghai",
        )
    )
    from cohorts.certificates.services import certificates_issue_batch

    with claimed.get_lock():
        mine = warmup_ids[claimed.value % len(warmup_ids)]
        claimed.value += 1
    certificates_issue_batch(enrollment_ids=[mine])


def issue_batch(enrollment_ids: list[int]) -> dict:
    """One Celery batch, as ``certificates_issue_batch_task`` runs it."""
    from cohorts.certificates.services import certificates_issue_batch

    started, cpu = time.perf_counter(), time.process_time()
    issued = certificates_issue_batch(enrollment_ids=enrollment_ids)
    return {
        "pid": os.getpid(),
        "issued": issued,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rss_mb": _rss_mb(),
        "peak_mb": _peak_mb(),
    }


def _html_of(enrollment_ids: list[int]) -> list[str]:
    from django.conf import settings

    from cohorts.certificates.models import Certificate
    from cohorts.certificates.pdf import CertificateContent, certificate_html

    html = []
    for c in Certificate.objects.filter(enrollment_id__in=enrollment_ids).select_related("enrollment__cohort__course"):
        cohort = c.enrollment.cohort
        html.append(
            certificate_html(
                CertificateContent(
                    learner_name=c.learner_name,
                    language=c.language,
                    course_title=cohort.course.title,
                    stage_label=cohort.course.stage_label,
                    starts_on=cohort.starts_on,
                    ends_on=cohort.ends_on,
                    instructor_name=c.instructor_name,
                    signature=None,
                    serial=c.serial,
                    verify_url=f"{settings.SITE_URL}/verify/{c.verify_id}",
                    issued_at=c.issued_at,
                    timezone="Asia/Shanghai",
                )
            )
        )
    return html


def bare_batch(enrollment_ids: list[int]) -> dict:
    """WeasyPrint alone on the same HTML: the shared fonts and stylesheet, nothing else timed."""
    from weasyprint import HTML

    from cohorts.certificates.pdf import _fonts, _stylesheet

    pages = _html_of(enrollment_ids)
    fonts, css = _fonts(), _stylesheet()
    started, cpu = time.perf_counter(), time.process_time()
    for html in pages:
        HTML(string=html).write_pdf(stylesheets=[css], font_config=fonts)
    return {
        "pid": os.getpid(),
        "renders": len(pages),
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="alternating rounds of issuing and bare renders (short: a noisy minute hits both)",
    )
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="stagewise-bench-cert.")
    os.environ["STAGEWISE_VAR_DIR"] = tmp.name
    os.environ["MEDIA_ROOT"] = str(Path(tmp.name) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cohort_id, ids, warmup_ids = seed(args.learners, warmups=args.workers)
    batches = [ids[i : i + args.batch] for i in range(0, len(ids), args.batch)]
    rounds = [batches[r :: args.rounds] for r in range(args.rounds)]
    print(
        f"{args.learners} learners (Chinese names), {len(batches)} batches of {args.batch}, {args.workers} workers,"
        f" {os.cpu_count()} cores"
    )

    from django.db import connections

    connections.close_all()
    issued_results: list[dict] = []
    bare_results: list[dict] = []
    issue_wall = 0.0
    # Fresh processes, as Celery's prefork children start: the first render of each loads the fonts.
    context = multiprocessing.get_context("fork")
    claimed = context.Value("i", 0)
    with context.Pool(args.workers, initializer=_worker_init, initargs=(warmup_ids, claimed)) as pool:
        for round_batches in rounds:
            started = time.perf_counter()
            issued_results += pool.map(issue_batch, round_batches, chunksize=1)
            issue_wall += time.perf_counter() - started
            # The same HTML, rendered bare: half of each batch (a fifth left the mean at the mercy of a noisy minute).
            sample = [batch[: max(1, len(batch) // 2)] for batch in round_batches]
            bare_results += pool.map(bare_batch, sample, chunksize=1)

    issued = sum(r["issued"] for r in issued_results)
    per_cert = sum(r["seconds"] for r in issued_results) / issued
    per_bare = sum(r["seconds"] for r in bare_results) / sum(r["renders"] for r in bare_results)
    print(
        f"issued: {issued} certificates in {issue_wall:.1f} s of issuing → {issued / issue_wall * 60:,.0f} per minute"
        " (target ≥ 1,000)"
    )
    print(
        f"per certificate: {per_cert * 1000:.1f} ms; bare WeasyPrint render of the same HTML: {per_bare * 1000:.1f} ms;"
        f" ratio {per_cert / per_bare:.3f} (target ≤ 1.15)"
    )
    cpu_cert = sum(r["cpu"] for r in issued_results) / issued
    cpu_bare = sum(r["cpu"] for r in bare_results) / sum(r["renders"] for r in bare_results)
    print(
        f"CPU time per certificate: {cpu_cert * 1000:.1f} ms; bare render {cpu_bare * 1000:.1f} ms; ratio"
        f" {cpu_cert / cpu_bare:.3f}; {args.workers} cores to themselves would issue"
        f" {args.workers * 60 / cpu_cert:,.0f} per minute (the database and the file writes are not CPU time)"
    )
    with open("/proc/loadavg") as load:
        print(f"load average during the run (other work on this machine): {load.read().split()[:3]}")
    by_pid: dict[int, list[dict]] = {}
    for r in issued_results:
        by_pid.setdefault(r["pid"], []).append(r)
    for n, (_pid, rows) in enumerate(sorted(by_pid.items()), start=1):
        rss = [r["rss_mb"] for r in rows]
        quarter = max(1, len(rss) // 4)
        print(f"worker {n}: RSS after each batch (MB): {' '.join(f'{mb:.0f}' for mb in rss)}")
        print(
            f"worker {n}: {len(rows)} batches; RSS after its first batches {statistics.mean(rss[:quarter]):.0f} MB,"
            f" after its last {statistics.mean(rss[-quarter:]):.0f} MB, max {max(rss):.0f} MB;"
            f" peak (ru_maxrss) {max(r['peak_mb'] for r in rows):.0f} MB"
        )
    from cohorts.certificates.models import Certificate
    from stagewise.models import MailLog

    sizes = []
    for certificate in Certificate.objects.all()[:50]:
        sizes.append(certificate.pdf.size)
    print(
        f"certificates of the cohort: {Certificate.objects.filter(enrollment__cohort_id=cohort_id).count()}"
        f" (and {len(warmup_ids)} warm-up), mails queued: {MailLog.objects.count()},"
        f" PDF size ~{statistics.mean(sizes) / 1024:.0f} KB"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
