"""Hand-written hot statements: rows become the same instances the ORM would build; prepared once on PostgreSQL."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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
        rows.execute(cursor, sql, [enrollment_id])
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
def test_postgresql_prepares_a_statement_once_per_connection_and_keeps_it_after_a_rollback(membership):
    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'sw_%%'")
            return [r[0] for r in cursor.fetchall()]

    before = set(prepared())
    with CaptureQueriesContext(connection) as ctx:
        first = _select(membership.pk, "rollback")
        with pytest.raises(RuntimeError), transaction.atomic():
            assert _select(membership.pk, "rollback") == first
            raise RuntimeError("roll back")
        assert _select(membership.pk, "rollback") == first
    issued = [q["sql"].split()[0] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert issued == ["PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"]
    assert len(set(prepared()) - before) == 1


def test_without_prepared_statements_the_sql_runs_as_written(membership, settings):
    settings.DB_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as ctx:
        row = _select(membership.pk)
    assert row[0] == membership.pk
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["SELECT"]
