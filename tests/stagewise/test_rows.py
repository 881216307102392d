"""Hand-written hot statements: rows become the same instances the ORM would build. PostgreSQL prepares frequent
statements once per connection."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from cohorts.models import Cohort, Enrollment
from content.models import Course
from stagewise import rows
from tests import factories


@pytest.fixture
def membership(db):
    course = factories.course(description="Bring a notebook. 带上笔记本 🎒")
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="Asia/Kathmandu")
    learner = factories.learner(name="𠮷野家")
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        rules_accepted_at=datetime(2026, 3, 1, 8, tzinfo=ZoneInfo("UTC"))
    )
    return enrollment


def _select(enrollment_id: int, tag: str = "") -> tuple:
    # A tag makes a statement of the test's own: other tests may have prepared the plain one already.
    sql = (f"/* {tag} */ " if tag else "") + (
        f"SELECT {rows.columns(Enrollment, 'e')}, {rows.columns(Cohort, 'c')}, {rows.columns(Course, 'k')} "
        f"FROM {rows.table(Enrollment)} e JOIN {rows.table(Cohort)} c ON c.id = e.cohort_id "
        f"JOIN {rows.table(Course)} k ON k.id = c.course_id WHERE e.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [enrollment_id])
        return cursor.fetchone()


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_rows_become_the_instances_the_orm_builds(membership, django_assert_num_queries):
    # given the same enrollment fetched by the ORM
    expected = Enrollment.objects.select_related("cohort__course").get(pk=membership.pk)
    # when it comes from a hand-written row
    enrollment, cohort, course = rows.instances(_select(membership.pk), Enrollment, Cohort, Course)
    rows.attach(cohort, "course", course)
    rows.attach(enrollment, "cohort", cohort)
    # then every field has the same value and type (dates, aware datetimes, text in any script)
    assert _values(enrollment) == _values(expected)
    assert _values(cohort) == _values(expected.cohort)
    assert _values(course) == _values(expected.cohort.course)
    assert isinstance(cohort.starts_on, date) and enrollment.rules_accepted_at.tzinfo is not None
    with django_assert_num_queries(0):  # attached as select_related would
        assert enrollment.cohort.course.description == "Bring a notebook. 带上笔记本 🎒"
    assert not enrollment._state.adding  # saved instances: save() updates rather than inserts


@pytest.mark.postgres
def test_postgresql_prepares_a_frequent_statement_once_per_connection(membership):
    """DB_PREPARED_STATEMENTS (on by default): server-side parameters, and psycopg prepares a statement the
    connection has run 5 times, so PostgreSQL stops planning it on every run."""

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%/* frequent */%"])
            return cursor.fetchone()[0]

    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    first = _select(membership.pk, "frequent")
    assert prepared() == 0
    for _ in range(5):
        assert _select(membership.pk, "frequent") == first
    assert prepared() == 1


@pytest.mark.parametrize(("switch", "server_side"), [("", True), ("0", False)])
def test_prepared_statements_can_be_switched_off(switch, server_side, tmp_path):
    """DB_PREPARED_STATEMENTS=0 (e.g. behind an old transaction-pooling PgBouncer) keeps Django's default binding.
    Read in a fresh interpreter: settings are read once per process."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DB_PREPARED_STATEMENTS": switch,
        "STAGEWISE_VAR_DIR": str(tmp_path),
    }
    script = "import json, stagewise.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    options = json.loads(out.stdout)
    assert options.get("server_side_binding", False) is server_side


def test_insert_stores_what_the_orm_would_and_sets_the_keys(db):
    """rows.insert: one statement for new rows of a model; auto_now_add filled, JSON and any script kept."""
    from billing.models import ProviderEvent

    when = datetime(2026, 3, 1, 8, 30, tzinfo=ZoneInfo("UTC"))
    payload = {"name": "张伟 𠮷野家 José 🎉", "amount": 19900, "nested": {"ok": True}}
    events = [
        ProviderEvent(event_id=f"evt_{n}", type="payment_intent.succeeded", created=when, payload=payload)
        for n in range(3)
    ]
    rows.insert(*events)
    assert all(e.pk is not None and not e._state.adding for e in events)
    assert [e.pk for e in events] == sorted(e.pk for e in events)  # each instance got its own row's key
    for event in events:
        stored = ProviderEvent.objects.get(pk=event.pk)
        assert stored.event_id == event.event_id
        assert stored.payload == payload and stored.created == when and stored.handled is False
        assert stored.received_at is not None and stored.received_at == event.received_at  # auto_now_add, once


def test_insert_breaks_a_unique_constraint_like_the_orm(db):
    from django.db import IntegrityError, transaction

    from billing.models import ProviderEvent

    when = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))
    rows.insert(ProviderEvent(event_id="evt_once", type="t", created=when, payload={}))
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(ProviderEvent(event_id="evt_once", type="t", created=when, payload={}))
    assert ProviderEvent.objects.filter(event_id="evt_once").count() == 1


def test_update_changes_only_rows_that_match_every_condition(membership):
    """rows.update: a conditional UPDATE, for status changes that must not overwrite someone else's."""
    other = factories.enrollment(cohort=membership.cohort, learner=factories.learner(name="José"))
    when = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    active = membership.status
    # the wrong old status changes nothing
    assert rows.update(Enrollment, where={"pk": membership.pk, "status": "withdrawn"}, values={"status": "x"}) == 0
    # the right one changes that row only, every given column, datetimes stored as the ORM stores them
    changed = {"status": "withdrawn", "status_changed_at": when}
    assert rows.update(Enrollment, where={"pk": membership.pk, "status": active}, values=changed) == 1
    membership.refresh_from_db()
    other.refresh_from_db()
    assert (membership.status, membership.status_changed_at) == ("withdrawn", when)
    assert other.status == active
    # a foreign key by its column, several rows at once
    assert rows.update(Enrollment, where={"cohort_id": other.cohort_id}, values={"reminders_enabled": False}) == 2
    assert not Enrollment.objects.filter(cohort_id=other.cohort_id, reminders_enabled=True).exists()
