"""Check-ins (打卡): day boundaries with the clock controlled, grace, make-ups, reject and redo, refusals."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cohorts import checkins
from cohorts.models import CheckIn
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from stagewise.errors import Conflict, Invalid, NotFound
from tests import factories
from tests.concurrency import outcome, run_at_once

TEXT = "Finished today's exercises and wrote notes."


def _local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


@pytest.fixture
def running(db):
    """A 7-day cohort in Shanghai starting 2026-03-02, running, with one active member."""
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=10)
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="Asia/Shanghai", status=CohortStatus.RUNNING
    )
    learner = factories.learner(name="张伟")
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    return {"cohort": cohort, "course": course, "learner": learner, "teacher": teacher, "enrollment": enrollment}


def test_checkin_counts_for_the_cohorts_local_day(running):
    # given 2026-03-03 23:30 in Shanghai, which is still 15:30 UTC on the 3rd
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 23, 30), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    assert checkin.day == 2
    assert checkin.local_date == date(2026, 3, 3)


def test_grace_window_counts_for_the_previous_day(running):
    # 02:59 on the 4th, inside the default 3-hour grace: still day 2
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 4, 2, 59), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    assert (checkin.day, checkin.local_date) == (2, date(2026, 3, 3))
    # 03:00 is day 3
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 4, 3, 0), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    assert (checkin.day, checkin.local_date) == (3, date(2026, 3, 4))


def test_in_the_grace_window_a_checked_in_previous_day_leaves_the_new_day_open(running):
    learner, cohort = running["learner"], running["cohort"]
    # day 2 (2026-03-03) at 23:30, then 00:30 on the 4th: day 3's lesson is out, day 2 already has its check-in
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 23, 30), tick=False):
        evening = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 4, 0, 30), tick=False):
        night = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        with pytest.raises(Conflict) as again:
            checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    assert (evening.day, evening.local_date) == (2, date(2026, 3, 3))
    assert (night.day, night.local_date) == (3, date(2026, 3, 4))
    assert (again.value.code, again.value.extra["day"]) == ("already_checked_in", 3)
    assert sorted(CheckIn.objects.values_list("day", flat=True)) == [2, 3]


def test_in_the_grace_window_an_empty_previous_day_comes_first(running):
    learner, cohort = running["learner"], running["cohort"]
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 4, 0, 30), tick=False):
        late = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        new_day = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        with pytest.raises(Conflict) as third:
            checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    assert (late.day, new_day.day, third.value.code) == (2, 3, "already_checked_in")


def test_in_the_grace_window_a_rejected_previous_day_is_redone_first(running):
    """A rejected check-in doesn't count: until the grace ends, checking in redoes it, as on its own day."""
    learner, cohort, teacher = running["learner"], running["cohort"], running["teacher"]
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 23, 30), tick=False):
        evening = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        checkins.checkin_reject(actor=teacher, checkin_id=evening.pk, reason="Add the query.")
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 4, 0, 30), tick=False):
        redone = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT + " With the query.")
        new_day = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    assert (redone.pk, redone.day, redone.status) == (evening.pk, 2, CheckInStatus.COUNTED)
    assert new_day.day == 3


def test_after_the_last_day_the_grace_only_holds_the_last_day(running):
    learner, cohort = running["learner"], running["cohort"]
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 8, 22, 0), tick=False):
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 9, 0, 30), tick=False), pytest.raises(Conflict) as exc:
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    assert (exc.value.code, exc.value.extra["day"]) == ("already_checked_in", 7)
    assert list(CheckIn.objects.values_list("day", flat=True)) == [7]


def test_makeups_are_unchanged_in_the_grace_window(running):
    learner, cohort = running["learner"], running["cohort"]
    at = _local("Asia/Shanghai", 2026, 3, 4, 0, 30)  # day 2 still open, day 1 over
    with time_machine.travel(at, tick=False):
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)  # day 2
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)  # day 3
    assert checkins.makeup_refusal(cohort=cohort, day=1, now=at) is None
    assert checkins.makeup_refusal(cohort=cohort, day=2, now=at).code == "makeup_day_invalid"
    assert checkins.makeup_refusal(cohort=cohort, day=3, now=at).code == "makeup_day_invalid"


@pytest.mark.parametrize(
    ("tz", "starts_on", "moment", "expected_day"),
    [
        # New York springs forward on 2026-03-08 (02:00 → 03:00): the day is 23 hours long.
        ("America/New_York", date(2026, 3, 7), (2026, 3, 8, 23, 59), 2),
        ("America/New_York", date(2026, 3, 7), (2026, 3, 9, 3, 0), 3),
        # ...and falls back on 2026-11-01 (02:00 → 01:00): 25 hours long.
        ("America/New_York", date(2026, 10, 31), (2026, 11, 1, 23, 59), 2),
        ("America/New_York", date(2026, 10, 31), (2026, 11, 2, 2, 59), 2),
        # Kathmandu is +05:45.
        ("Asia/Kathmandu", date(2026, 3, 2), (2026, 3, 3, 0, 1), 1),
        ("Asia/Kathmandu", date(2026, 3, 2), (2026, 3, 3, 3, 0), 2),
    ],
)
def test_day_boundaries_across_dst_and_odd_offsets(db, tz, starts_on, moment, expected_day):
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=starts_on, timezone=tz, status=CohortStatus.RUNNING)
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)
    with time_machine.travel(_local(tz, *moment), tick=False):
        checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="ok")
    assert checkin.day == expected_day


@pytest.mark.parametrize("tz", ["Asia/Kathmandu", "Pacific/Kiritimati"])
def test_day_1_takes_check_ins_from_its_local_midnight(db, tz):
    """With the default 3-hour grace, half a minute into day 1 (lesson 1 is out) a check-in counts for day 1."""
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    assert course.checkin_grace_hours == 3
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone=tz, status=CohortStatus.OPEN)
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)
    with time_machine.travel(_local(tz, 2026, 3, 1, 23, 59, 59), tick=False), pytest.raises(Conflict) as exc:
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="too early")
    assert exc.value.code == "cohort_not_started"
    with time_machine.travel(_local(tz, 2026, 3, 2, 0, 0, 30), tick=False):
        checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="ok")
    assert (checkin.day, checkin.local_date) == (1, date(2026, 3, 2))


def test_second_checkin_the_same_day_is_refused_and_changes_nothing(running):
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        first = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
        with pytest.raises(Conflict) as exc:
            checkins.checkin_record(
                learner=running["learner"], cohort_id=running["cohort"].pk, text="Another text, long"
            )
    assert exc.value.code == "already_checked_in"
    assert CheckIn.objects.get().text == first.text


@pytest.mark.parametrize(
    ("moment", "code"),
    [((2026, 3, 1, 12, 0), "cohort_not_started"), ((2026, 3, 9, 3, 0), "cohort_ended")],
)
def test_checkin_outside_the_cohort_is_refused(running, moment, code):
    with time_machine.travel(_local("Asia/Shanghai", *moment), tick=False), pytest.raises(Conflict) as exc:
        checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    assert exc.value.code == code
    assert not CheckIn.objects.exists()


def test_last_day_still_counts_inside_the_grace(running):
    # day 7 is 2026-03-08; 02:00 on the 9th is inside the grace
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 9, 2, 0), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    assert checkin.day == 7


def test_non_members_cannot_check_in(running):
    outsider = factories.learner()
    withdrawn = factories.learner()
    factories.enrollment(cohort=running["cohort"], learner=withdrawn, status=EnrollmentStatus.WITHDRAWN)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        for user in (outsider, withdrawn):
            with pytest.raises(NotFound) as exc:
                checkins.checkin_record(learner=user, cohort_id=running["cohort"].pk, text=TEXT)
            assert exc.value.code == "not_enrolled"
    assert not CheckIn.objects.exists()


def test_proof_rules_follow_the_course(running):
    course = running["course"]
    course.checkin_requires_link = True
    course.save(update_fields=["checkin_requires_link"])
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        with pytest.raises(Invalid) as short:
            checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text="short")
        with pytest.raises(Invalid) as nolink:
            checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
        with pytest.raises(Invalid) as badlink:
            checkins.checkin_record(
                learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT, link="javascript:alert(1)"
            )
        ok = checkins.checkin_record(
            learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT, link="https://example.com/work"
        )
    assert (short.value.code, nolink.value.code, badlink.value.code) == (
        "text_too_short",
        "link_required",
        "invalid_link",
    )
    assert ok.link == "https://example.com/work"


def _jpeg_with_gps(width: int = 3000, height: int = 2000) -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # camera model
    exif[0x8825] = {1: "N", 2: (31.0, 13.0, 0.0)}  # GPS IFD: latitude
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg")


def test_image_proof_is_resized_and_stripped_of_location(running, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        checkin = checkins.checkin_record(
            learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT, image=_jpeg_with_gps()
        )
    with Image.open(checkin.image.path) as stored:
        assert max(stored.size) == 1600
        assert not stored.getexif()


def test_an_unreadable_image_is_refused(running, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bogus = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False), pytest.raises(Invalid) as exc:
        checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT, image=bogus)
    assert exc.value.code == "image_invalid"
    assert not CheckIn.objects.exists()


def test_edit_allowed_until_the_day_closes(running):
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 2, 30), tick=False):
        edited = checkins.checkin_update(learner=running["learner"], checkin_id=checkin.pk, text=TEXT + " Edited.")
    assert edited.text.endswith("Edited.")
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 3, 0), tick=False), pytest.raises(Conflict) as exc:
        checkins.checkin_update(learner=running["learner"], checkin_id=checkin.pk, text=TEXT + " Too late.")
    assert exc.value.code == "checkin_closed"


def test_makeups_are_limited_in_number_and_age(running):
    learner, cohort = running["learner"], running["cohort"]
    # day 6 (2026-03-07): days 1..5 are over; default limit 2, at most 3 days back
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 7, 10, 0), tick=False):
        with pytest.raises(Invalid) as too_old:
            checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=2, reason="sick", text=TEXT)
        with pytest.raises(Invalid) as not_over:
            checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=6, reason="sick", text=TEXT)
        with pytest.raises(Invalid) as no_reason:
            checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=5, reason=" ", text=TEXT)
        first = checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=5, reason="Travelling", text=TEXT)
        checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=4, reason="Travelling", text=TEXT)
        with pytest.raises(Conflict) as limit:
            checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=3, reason="Travelling", text=TEXT)
    assert too_old.value.code == "makeup_too_late"
    assert not_over.value.code == "makeup_day_invalid"
    assert no_reason.value.code == "makeup_reason_required"
    assert limit.value.code == "makeup_limit_reached"
    assert first.is_makeup and first.makeup_reason == "Travelling"
    assert sorted(CheckIn.objects.values_list("day", flat=True)) == [4, 5]


def test_makeup_refusal_is_the_rule_of_which_days_may_be_made_up(running):
    cohort = running["cohort"]
    # day 6 (2026-03-07 in Shanghai): days 3, 4 and 5 are over and within 3 days back
    now = _local("Asia/Shanghai", 2026, 3, 7, 10, 0)
    open_days = [day for day in range(0, 9) if checkins.makeup_refusal(cohort=cohort, day=day, now=now) is None]
    assert open_days == [3, 4, 5]
    assert checkins.makeup_refusal(cohort=cohort, day=2, now=now).code == "makeup_too_late"
    assert checkins.makeup_refusal(cohort=cohort, day=6, now=now).code == "makeup_day_invalid"
    # once the cohort has ended, no day
    ended = _local("Asia/Shanghai", 2026, 3, 9, 10, 0)
    assert checkins.makeup_refusal(cohort=cohort, day=7, now=ended).code == "cohort_ended"


def test_rejected_checkin_stops_counting_and_can_be_redone_that_day(running):
    learner, cohort, teacher = running["learner"], running["cohort"], running["teacher"]
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        rejected = checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Please add the chart.")
        assert rejected.status == CheckInStatus.REJECTED
        redone = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT + " With the chart now.")
    assert redone.pk == checkin.pk
    assert redone.status == CheckInStatus.COUNTED
    assert redone.rejection_reason == ""


def test_only_the_courses_instructors_review(running):
    other = factories.instructor()
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        checkin = checkins.checkin_record(learner=running["learner"], cohort_id=running["cohort"].pk, text=TEXT)

    for actor in (other, running["learner"]):
        with pytest.raises(NotFound):
            checkins.checkin_reject(actor=actor, checkin_id=checkin.pk, reason="no")
        with pytest.raises(NotFound):
            checkins.checkin_feature(actor=actor, checkin_id=checkin.pk)
    featured = checkins.checkin_feature(actor=running["teacher"], checkin_id=checkin.pk)
    assert featured.is_featured


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_checkin_race_leaves_exactly_one_row():
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)

    def attempt() -> str:
        checkins.checkin_record(
            learner=learner, cohort_id=cohort.pk, text="race", now=datetime(2026, 3, 3, 12, tzinfo=ZoneInfo("UTC"))
        )
        return "ok"

    outcomes = [outcome(result) for result in run_at_once([attempt] * 10)]
    assert outcomes.count("ok") == 1
    assert outcomes.count("already_checked_in") == 9
    assert CheckIn.objects.filter(enrollment__learner=learner).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_checkin_race_in_the_grace_window_fills_each_open_day_once():
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)

    def attempt() -> int:
        return checkins.checkin_record(
            learner=learner, cohort_id=cohort.pk, text="race", now=datetime(2026, 3, 4, 0, 30, tzinfo=ZoneInfo("UTC"))
        ).day

    outcomes = [outcome(result) for result in run_at_once([attempt] * 10)]
    assert sorted(o for o in outcomes if isinstance(o, int)) == [2, 3]
    assert outcomes.count("already_checked_in") == 8
    assert sorted(CheckIn.objects.filter(enrollment__learner=learner).values_list("day", flat=True)) == [2, 3]


def test_a_rejected_past_day_can_be_made_up(running):
    learner, cohort, teacher = running["learner"], running["cohort"], running["teacher"]
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
        checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="Wrong exercise")
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 3, 10, 0), tick=False):
        made_up = checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=1, reason="Redid it", text=TEXT)
    assert (made_up.pk, made_up.status, made_up.is_makeup) == (checkin.pk, CheckInStatus.COUNTED, True)


def test_a_redo_rises_to_the_top_of_the_feed(running):
    from cohorts import feed

    learner, cohort, teacher = running["learner"], running["cohort"], running["teacher"]
    peer = factories.learner(name="Peer")
    factories.enrollment(cohort=cohort, learner=peer)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 9, 0), tick=False):
        mine = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT)
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 10, 0), tick=False):
        checkins.checkin_record(learner=peer, cohort_id=cohort.pk, text=TEXT)
        checkins.checkin_reject(actor=teacher, checkin_id=mine.pk, reason="Add the chart")
    with time_machine.travel(_local("Asia/Shanghai", 2026, 3, 2, 11, 0), tick=False):
        checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text=TEXT + " Chart added.")
    newest = feed.feed_page(user=peer, cohort_id=cohort.pk).items[0]
    assert newest.checkin_id == mine.pk
