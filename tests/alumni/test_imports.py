"""Importing alumni from a spreadsheet: the dry run reports every bad row and writes nothing; the import is
idempotent by email, records consent only where the sheet says so, and is all or nothing."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.consent import consent_allows, consent_set
from accounts.models import ConsentChange, MailTopic, User
from alumni.imports import selectors, services
from alumni.imports.models import ImportRun, ImportStatus
from alumni.models import AlumniRecord, ImportedFacts
from stagewise.errors import Conflict, Forbidden, Invalid
from tests import factories
from tests.alumni.imports_helpers import csv_bytes, learners, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    [
        "zhang.wei@example.test",
        "张伟",
        "zh-hans",
        "Asia/Shanghai",
        2,
        "SQL basics; SQL bootcamp",
        "2025-06-30",
        "¥1,299.00",
        "是",
    ],
    ["Jose@Example.test", "José García", "en", "Europe/Madrid", 1, "SQL basics", "30/06/2025", "49.50 USD", "no"],
    ["yoshinoya@example.test", "𠮷野家 花子", "中文", "Asia/Tokyo", "", "", "", "", ""],
    ["emoji@example.test", "Ana 🙂🎉", "", "", "", "", "", "", "yes"],
]


def _dry_run(data: bytes, name: str = "alumni.csv", *, source: str = "Xiaoe-tech export 2025", actor=None):
    return services.import_validate(actor=actor or factories.marketer(), upload=upload(data, name), source=source)


def _import(data: bytes, name: str = "alumni.csv", *, source: str = "Xiaoe-tech export 2025"):
    marketer = factories.marketer()
    run = services.import_validate(actor=marketer, upload=upload(data, name), source=source)
    return services.import_start(actor=marketer, run_id=run.pk)


def test_the_dry_run_reports_every_bad_row_by_line_and_reason_and_writes_nothing():
    # given a sheet with good rows and rows wrong in every way an export goes wrong
    data = csv_bytes(
        [
            ROWS[0],
            ["not-an-email", "Bad", "", "", "", "", "", "", ""],
            ["", "No email", "", "", "", "", "", "", ""],
            ["ZHANG.WEI@example.test", "张伟 again", "", "", "", "", "", "", ""],
            ["a@example.test", "A", "fr", "Mars/Olympus", "x", "", "2025-13-45", "-5 CNY", "maybe"],
            ["b@example.test", "B", "", "", "", "", "03/04/2025", "199", ""],
            ROWS[1],
        ]
    )
    users_before = User.objects.filter(is_marketer=False).count()

    run = _dry_run(data)

    # then each problem names the line the spreadsheet shows (the header is line 1) and the column
    found = {(p["line"], p["column"], p["code"]) for p in run.problems}
    assert found == {
        (3, "email", "email_invalid"),
        (4, "email", "email_missing"),
        (5, "email", "email_duplicate"),
        (6, "language", "language_unknown"),
        (6, "time zone", "time_zone_unknown"),
        (6, "stage completed", "number_invalid"),
        (6, "last cohort end", "date_invalid"),
        (6, "paid", "amount_negative"),
        (6, "consent", "consent_unknown"),
        (7, "last cohort end", "date_ambiguous"),
        (7, "paid", "currency_missing"),
    }
    assert next(p for p in run.problems if p["code"] == "email_duplicate")["first"] == 2
    # and the summary says what an import would do
    assert (run.status, run.total, run.created, run.updated, run.unchanged, run.skipped) == (
        ImportStatus.VALIDATED,
        7,
        2,
        0,
        0,
        5,
    )
    # and nothing was written
    assert User.objects.filter(is_marketer=False).count() == users_before
    assert not ImportedFacts.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", "alumni.csv"), ("utf-8-sig", "alumni.csv"), ("gb18030", "学员名单.csv"), ("utf-16", "export.txt")],
)
def test_csv_in_every_encoding_platforms_export_imports_names_as_written(encoding, name):
    rows = ROWS if encoding != "gb18030" else ROWS[:3]  # GB18030 has 𠮷 too, emoji as well, but keep it typical

    run = _import(csv_bytes(rows, encoding=encoding), name)

    assert run.status == ImportStatus.DONE
    assert run.created == len(rows)
    zhang = User.objects.get(email="zhang.wei@example.test")
    assert (zhang.display_name, zhang.language, zhang.timezone) == ("张伟", "zh-hans", "Asia/Shanghai")
    assert not zhang.has_usable_password()
    jose = User.objects.get(email="jose@example.test")  # stored lower-case
    assert jose.display_name == "José García"
    assert User.objects.get(email="yoshinoya@example.test").display_name == "𠮷野家 花子"
    facts = ImportedFacts.objects.get(learner=zhang, source="Xiaoe-tech export 2025")
    assert facts.highest_stage_completed == 2
    assert facts.courses == ["SQL basics", "SQL bootcamp"]
    assert facts.last_cohort_ended_on == date(2025, 6, 30)
    assert (facts.total_paid_minor, facts.currency) == (129900, "CNY")
    assert ImportedFacts.objects.get(learner=jose).last_cohort_ended_on == date(2025, 6, 30)  # 30/06: day first


def test_gb18030_with_chinese_headers_and_a_title_row():
    data = "学员名单（2025）\r\n邮箱,姓名,语言,时区,完成阶段,课程,结营日期,支付金额（元）,营销同意\r\n".encode(
        "gb18030"
    )
    data += "li.na@example.test,李娜,中文,北京时间,3,数据分析、SQL,2025年6月30日,1299,否\r\n".encode("gb18030")

    run = _import(data, "名单.csv")

    li = User.objects.get(email="li.na@example.test")
    assert (li.display_name, li.language, li.timezone) == ("李娜", "zh-hans", "Asia/Shanghai")
    facts = ImportedFacts.objects.get(learner=li)
    assert (facts.courses, facts.total_paid_minor, facts.currency) == (["数据分析", "SQL"], 129900, "CNY")
    assert run.created == 1 and run.problem_count == 0


def test_xlsx_with_dates_numbers_and_emoji():
    data = xlsx_bytes(
        [
            ["emoji@example.test", "Ana 🙂🎉", "en", "America/Sao_Paulo", 2, "SQL", date(2025, 6, 30), 199.5, True],
            ["zhang.wei@example.test", "张伟", "zh-hans", "Asia/Shanghai", 1, "", "2025-07-01", "¥10", "是"],
        ],
        header=[
            "Email",
            "Name",
            "Language",
            "Time zone",
            "Stage completed",
            "Courses",
            "Last cohort end",
            "Paid (USD)",
            "Marketing consent",
        ],
    )

    run = _import(data, "alumni.xlsx")

    assert run.status == ImportStatus.DONE and run.created == 2
    ana = User.objects.get(email="emoji@example.test")
    assert ana.display_name == "Ana 🙂🎉"
    facts = ImportedFacts.objects.get(learner=ana)
    assert (facts.total_paid_minor, facts.currency, facts.last_cohort_ended_on) == (19950, "USD", date(2025, 6, 30))
    assert ImportedFacts.objects.get(learner__email="zhang.wei@example.test").currency == "CNY"  # ¥ wins


def test_a_second_import_of_the_same_file_changes_nothing_and_says_so():
    data = csv_bytes(ROWS)
    first = _import(data)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    consents = ConsentChange.objects.count()

    dry = _dry_run(data)
    again = services.import_start(actor=dry.created_by, run_id=dry.pk)

    assert (dry.created, dry.updated, dry.unchanged) == (0, 0, 4)
    assert (again.status, again.created, again.updated, again.unchanged) == (ImportStatus.DONE, 0, 0, 4)
    assert User.objects.filter(is_marketer=False).count() == 4
    assert ImportedFacts.objects.count() == 4
    assert ConsentChange.objects.count() == consents


def test_an_existing_learner_is_matched_by_email_in_any_case_and_keeps_their_profile():
    learner = factories.learner(email="jose@example.test", name="José", language="zh-hans", timezone="Asia/Shanghai")

    run = _import(csv_bytes([ROWS[1]]))

    assert (run.created, run.updated) == (0, 1)
    learner.refresh_from_db()
    assert (learner.display_name, learner.language, learner.has_usable_password()) == ("José", "zh-hans", True)
    assert ImportedFacts.objects.get(learner=learner).total_paid_minor == 4950


def test_a_changed_row_updates_the_facts_of_that_source_only():
    _import(csv_bytes([ROWS[0]]))
    _import(csv_bytes([ROWS[0]]), source="Group roster")
    changed = [*ROWS[0][:4], 3, *ROWS[0][5:]]

    run = _import(csv_bytes([changed]))

    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    stages = dict(ImportedFacts.objects.values_list("source", "highest_stage_completed"))
    assert stages == {"Xiaoe-tech export 2025": 3, "Group roster": 2}


def test_consent_is_recorded_only_where_the_sheet_says_yes_or_no():
    _import(csv_bytes(ROWS))

    zhang, jose, yoshinoya, ana = (User.objects.get(email=r[0].lower()) for r in ROWS)
    assert consent_allows(user=zhang, topic=MailTopic.MARKETING)
    assert not consent_allows(user=jose, topic=MailTopic.MARKETING)
    assert not ConsentChange.objects.filter(user=yoshinoya).exists()  # blank: nothing recorded
    change = ConsentChange.objects.get(user=ana)
    assert (change.source, change.detail, change.subscribed) == ("import", "Xiaoe-tech export 2025", True)


def test_a_yes_in_a_sheet_never_overrides_the_learners_own_no():
    learner = factories.learner(email="zhang.wei@example.test")
    consent_set(user=learner, topic=MailTopic.MARKETING, subscribed=False, source="profile")
    gone = factories.learner(email="emoji@example.test")
    consent_set(user=gone, topic="all", subscribed=False, source="one_click")

    run = _import(csv_bytes([ROWS[0], ROWS[3]]))

    assert not consent_allows(user=learner, topic=MailTopic.MARKETING)
    gone.refresh_from_db()
    assert gone.unsubscribed_all
    assert not ConsentChange.objects.filter(source="import").exists()
    assert run.updated == 2  # their imported facts are new all the same


def test_the_import_writes_a_minimal_alumni_record():
    _import(csv_bytes([ROWS[0]]))

    record = AlumniRecord.objects.get(learner__email="zhang.wei@example.test")
    assert (record.source, record.imported_from, record.language, record.time_zone) == (
        "import",
        "Xiaoe-tech export 2025",
        "zh-hans",
        "Asia/Shanghai",
    )
    assert (record.highest_stage_completed, record.total_paid_minor, record.currency) == (2, 129900, "CNY")
    assert record.last_cohort_ended_on == date(2025, 6, 30)
    assert record.marketing_consent


def test_a_failure_on_row_900_of_1000_leaves_nothing(settings):
    """The failure is the database's own: a trigger refuses the facts of the 900th learner (its paid amount is the
    marker), as a constraint or a lost connection would, after the first 899 learners were written."""
    settings.ALUMNI_IMPORT_SYNC_MAX_ROWS = 5000
    rows = learners(1000)
    rows[899][7] = "9.13 CNY"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_913() RETURNS trigger AS $$ BEGIN IF NEW.total_paid_minor = 913 THEN "
                "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_913 BEFORE INSERT ON alumni_importedfacts FOR EACH ROW EXECUTE FUNCTION refuse_913()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_913 BEFORE INSERT ON alumni_importedfacts WHEN NEW.total_paid_minor = 913 "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    users_before = User.objects.filter(is_marketer=False).count()

    run = _import(csv_bytes(rows))

    assert run.status == ImportStatus.FAILED
    assert run.failure
    assert User.objects.filter(is_marketer=False).count() == users_before
    assert not ImportedFacts.objects.exists()
    assert not AlumniRecord.objects.exists()
    assert not ConsentChange.objects.exists()


def test_a_started_import_cant_be_started_again():
    run = _import(csv_bytes(ROWS))

    with pytest.raises(Conflict) as refused:
        services.import_start(actor=run.created_by, run_id=run.pk)
    assert refused.value.code == "import_already_started"


def test_a_file_of_bad_rows_only_has_nothing_to_import():
    run = _dry_run(csv_bytes([["nope", "", "", "", "", "", "", "", ""]]))

    with pytest.raises(Conflict) as refused:
        services.import_start(actor=run.created_by, run_id=run.pk)
    assert refused.value.code == "import_nothing_to_import"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "alumni.csv", "import_file_empty"),
        (b"\r\n \r\n", "alumni.csv", "import_file_empty"),
        (b"name,phone\r\nAna,123\r\n", "alumni.csv", "import_no_email_column"),
        (b"email,name\r\n", "alumni.csv", "import_no_rows"),
        (b"%PDF-1.4 \x00\x01\x02 binary", "alumni.pdf", "import_file_type"),
        (bytes(range(256)) * 64, "alumni.csv", "import_file_unreadable"),
        (b"PK\x03\x04 not really a zip", "alumni.xlsx", "import_file_unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "alumni.xls", "import_file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "alumni.csv", "import_file_xls"),
    ],
)
def test_a_file_that_cant_be_imported_is_refused_with_a_clear_reason(data, name, code):
    with pytest.raises(Invalid) as refused:
        _dry_run(data, name)

    assert refused.value.code == code
    assert str(refused.value.message)
    assert not ImportRun.objects.exists()


def test_more_than_50000_rows_is_refused_without_reading_them_all():
    data = csv_bytes(learners(60_000))

    with pytest.raises(Invalid) as refused:
        _dry_run(data)

    assert refused.value.code == "import_too_many_rows"
    assert "50000" in str(refused.value.message)


def test_a_file_over_10_mb_is_refused():
    data = b"email\r\n" + b"x" * (10 * 1024 * 1024)

    with pytest.raises(Invalid) as refused:
        _dry_run(data)

    assert refused.value.code == "import_file_too_large"


def test_formulas_are_reported_not_imported():
    data = csv_bytes(
        [
            ['=HYPERLINK("http://evil";"x")', "Ana", "", "", "", "", "", "", ""],
            ["ok@example.test", "=1+1", "", "", "", "", "", "", ""],
        ]
    )

    run = _dry_run(data)

    assert {(p["line"], p["code"]) for p in run.problems} == {(2, "formula"), (3, "formula")}
    assert run.skipped == 2


def test_a_source_label_is_required():
    with pytest.raises(Invalid) as refused:
        _dry_run(csv_bytes(ROWS), source="   ")
    assert refused.value.code == "import_source_missing"


def test_learners_cant_import():
    with pytest.raises(Forbidden):
        _dry_run(csv_bytes(ROWS), actor=factories.learner())


def test_a_large_file_runs_as_a_celery_task_and_reports_its_progress(
    settings, celery_eager, django_capture_on_commit_callbacks
):
    # given a limit for running inline lower than the file
    settings.ALUMNI_IMPORT_SYNC_MAX_ROWS = 10
    marketer = factories.marketer()
    run = services.import_validate(actor=marketer, upload=upload(csv_bytes(learners(1200))), source="Roster")

    # when it is started, it is queued; the worker runs it once the start commits
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.import_start(actor=marketer, run_id=run.pk)
        assert queued.status == ImportStatus.QUEUED

    run.refresh_from_db()
    assert (run.status, run.processed, run.total, run.created) == (ImportStatus.DONE, 1200, 1200, 1200)
    assert run.started_by == marketer and run.finished_at is not None
    assert not run.file  # the file is not kept once imported
    assert User.objects.filter(email__startswith="learner").count() == 1200
    # a redelivered task changes nothing
    assert services.import_run_execute(run_id=run.pk) == "finished"


def test_a_file_named_in_emoji_only_is_kept_under_a_name_of_its_own():
    run = _dry_run(csv_bytes(ROWS), "🙂🎉.csv")

    assert run.file_name == "🙂🎉.csv"
    assert run.file.name.endswith(".csv") and run.file.size > 0


def test_a_running_import_reports_the_rows_written_so_far(settings):
    """While the import's transaction is open, its own row can't show other connections anything: the progress goes
    through the cache, which the run's readers (page, API) consult while it runs."""
    from django.core.cache import cache

    run = _dry_run(csv_bytes(learners(10)))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)
    run.refresh_from_db()
    cache.set(f"alumni:import:{run.pk}:processed", 7)

    assert selectors.import_progress(run) == 7


def test_a_run_left_running_by_a_dead_worker_is_imported_by_its_redelivered_task(settings):
    """A worker that dies mid-import loses its transaction but leaves the run "running". Its task, redelivered,
    waits while the worker's lease may still be live, then claims the run again and imports it, once."""
    settings.ALUMNI_IMPORT_SYNC_MAX_ROWS = 1
    marketer = factories.marketer()
    run = services.import_validate(actor=marketer, upload=upload(csv_bytes(learners(5))), source="Roster")
    services.import_start(actor=marketer, run_id=run.pk)
    claimed_at = timezone.now()
    # the first worker claims it, then dies before committing anything
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, lease_until=claimed_at + services.LEASE)

    assert services.import_run_execute(run_id=run.pk, now=claimed_at + timedelta(minutes=5)) == "busy"
    assert services.import_run_execute(run_id=run.pk, now=claimed_at + services.LEASE + timedelta(minutes=1)) == "done"
    assert services.import_run_execute(run_id=run.pk) == "finished"

    run.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.DONE, 5)
    assert User.objects.filter(email__startswith="learner").count() == 5
