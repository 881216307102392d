"""``manage.py alumni_rebuild``: recompute every record from the source tables, report drift, fix it."""

from io import StringIO

import pytest
from django.core.management import call_command

from alumni.models import AlumniRecord, ImportedFacts
from alumni.records.services import records_rebuild, records_refresh
from tests import factories
from tests.alumni import records_helpers as h

pytestmark = pytest.mark.django_db


def _rebuild(*args: str) -> str:
    out = StringIO()
    call_command("alumni_rebuild", *args, stdout=out)
    return out.getvalue()


def _alumni(n: int = 5) -> list:
    course = factories.course()
    people = []
    for i in range(n):
        learner = factories.learner(name=["张伟", "𠮷野家", "José", "Zoë 🎓", "Ana"][i % 5])
        enrollment = factories.enrollment(cohort=h.ended_cohort(course=course, ended_days_ago=5 + i), learner=learner)
        h.checkins(enrollment=enrollment, days=list(range(1, 2 + i)))
        h.paid_order(enrollment=enrollment, amount=10000 + i)
        people.append(learner)
    records_refresh(learner_ids=[p.pk for p in people])
    return people


def test_a_record_corrupted_by_hand_is_reported_then_fixed():
    # given records that match their source tables, and one corrupted by hand
    people = _alumni()
    AlumniRecord.objects.filter(learner=people[2]).update(total_paid_minor=1, awards=7)

    # when a dry run looks
    report = _rebuild("--dry-run")

    # then it names the fields, shows the example, and writes nothing
    assert "Examined 5 records." in report
    assert "1 differed" in report
    assert "total_paid_minor: 1" in report and "awards: 1" in report
    assert f"learner {people[2].pk} total_paid_minor: stored 1, source tables say 10002" in report
    assert "Dry run: nothing written." in report
    assert AlumniRecord.objects.get(learner=people[2]).total_paid_minor == 1

    # when it runs for real, the record is fixed, and the next run finds nothing
    report = _rebuild()
    assert "Fixed 1 records." in report
    record = AlumniRecord.objects.get(learner=people[2])
    assert (record.total_paid_minor, record.awards) == (10002, 0)
    assert "No drift" in _rebuild()


def test_missing_records_are_created_and_those_of_the_team_removed():
    people = _alumni(3)
    AlumniRecord.objects.filter(learner=people[0]).delete()
    people[1].is_staff = True
    people[1].save(update_fields=["is_staff"])

    report = _rebuild()

    assert "1 missing, 1 no longer qualifying" in report
    assert set(AlumniRecord.objects.values_list("learner_id", flat=True)) == {people[0].pk, people[2].pk}


def test_imported_history_is_not_drift():
    people = _alumni(2)
    ImportedFacts.objects.bulk_create(  # bulk: no signal, as an import might write them
        [ImportedFacts(learner=people[0], source="roster", cohorts_taken=2, currency="CNY", total_paid_minor=500)]
    )
    assert "1 differed" in _rebuild()  # the import's facts were not in the record yet

    assert "No drift" in _rebuild()
    assert AlumniRecord.objects.get(learner=people[0]).cohorts_taken == 3


def test_batches_give_the_same_records_as_one_pass():
    people = _alumni(5)
    AlumniRecord.objects.update(checkin_rate=0.5, cohorts_taken=9)

    drift = records_rebuild(batch_size=2)

    assert (drift.examined, drift.changed) == (5, 5)
    assert drift.fields["cohorts_taken"] == 5
    assert set(AlumniRecord.objects.values_list("cohorts_taken", flat=True)) == {1}
    assert len(drift.examples) == 10
    assert people


def test_the_rebuild_scores_rfm():
    _alumni(5)
    report = _rebuild()
    assert "RFM groups:" in report
    assert not AlumniRecord.objects.filter(rfm_group="").exists()
