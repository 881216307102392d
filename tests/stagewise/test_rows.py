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
