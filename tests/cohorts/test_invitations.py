"""Invitations (cohorts.invitations): nobody joins a cohort without accepting, and the instructor learns nothing about
who has an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cohorts.models import AuditEvent, Enrollment, Invitation
from stagewise.models import MailLog
from tests import factories
from tests.assertions import assert_error
from tests.concurrency import run_at_once

JSON = "application/json"


@pytest.fixture
def world(db):
    teacher = factories.instructor(name="Teacher Li")
    cohort = factories.cohort(course=factories.course(teacher=teacher, title="SQL bootcamp"), capacity=5)
    return {"teacher": teacher, "cohort": cohort}


def _invite(api_client, world, email: str):
    return api_client(world["teacher"]).post(
        f"/api/v1/cohorts/{world['cohort'].pk}/invitations", {"email": email}, content_type=JSON
    )


def _mail_to(email: str) -> MailLog:
    return MailLog.objects.get(to=email, kind="invitation")


def _token_in(mail: MailLog) -> str:
    return re.search(r"/invitations/([^/\s]+)/", mail.body_text)[1]


def _accept(api_client, user, token: str):
    return api_client(user).post("/api/v1/invitations/accept", {"token": token}, content_type=JSON)


def test_the_instructor_gets_the_same_answer_whether_or_not_the_address_has_an_account(world, api_client):
    # given one address with an account (and a cohort of its own elsewhere) and one without
    factories.learner(email="ana@example.test", name="Ana")

    # when the instructor invites both (at one instant: the answers carry the time)
    with time_machine.travel(timezone.now(), tick=False):
        known = _invite(api_client, world, "ana@example.test")
        unknown = _invite(api_client, world, "nobody@example.test")

    # then the answers differ only in the invitation's own id and address
    assert (known.status_code, unknown.status_code) == (201, 201)
    strip = lambda body: {k: v for k, v in body.items() if k not in ("id", "email")}  # noqa: E731
    assert strip(known.json()) == strip(unknown.json())
    assert known.json()["accepted_at"] is None
    # and nobody was added to the cohort
    assert not Enrollment.objects.filter(cohort=world["cohort"]).exists()


def test_the_mail_goes_to_the_address_and_tells_someone_without_an_account_to_sign_up(world, api_client):
    factories.learner(email="ana@example.test", name="Ana")
    _invite(api_client, world, "ana@example.test")
    _invite(api_client, world, "nobody@example.test")

    to_account, to_address = _mail_to("ana@example.test"), _mail_to("nobody@example.test")

    assert "SQL bootcamp" in to_account.body_text and "Teacher Li" in to_account.body_text
    assert to_account.body_text.startswith("Hello Ana,") and "/accounts/signup/" not in to_account.body_text
    assert to_address.body_text.startswith("Hello,")
    assert "create your Stagewise account with this e-mail address (nobody@example.test)" in to_address.body_text
    signup = re.search(r"\S+/accounts/signup/\?next=\S+", to_address.body_text)[0]
    assert signup.endswith(f"%2Finvitations%2F{_token_in(to_address)}%2F")
    assert to_address.user_id is None  # no account behind it


def test_the_invited_person_accepts_and_takes_a_seat_once(world, api_client):
    # given an invitation mailed to a learner
    learner = factories.learner(email="ana@example.test")
    _invite(api_client, world, "ANA@example.test")
    token = _token_in(_mail_to("ana@example.test"))  # the account's address

    # when they accept it, twice
    first = _accept(api_client, learner, token)
    second = _accept(api_client, learner, token)

    # then they are an active member once, and the invitation records who accepted
    assert first.status_code == 200 and first.json()["status"] == "active"
    assert second.json() == first.json()
    assert Enrollment.objects.filter(cohort=world["cohort"], learner=learner).count() == 1
    invitation = Invitation.objects.get()
    assert (invitation.invited_by, invitation.accepted_by) == (world["teacher"], learner)
    assert invitation.accepted_at is not None
    # and the audit log says who invited whom, and who accepted
    actions = {(e.action, e.actor_id) for e in AuditEvent.objects.all()}
    assert actions == {("invitation_sent", world["teacher"].pk), ("invitation_accepted", learner.pk)}
    listed = api_client(world["teacher"]).get(f"/api/v1/cohorts/{world['cohort'].pk}/invitations").json()
    assert [(i["email"], i["invited_by_id"], i["accepted_at"] is not None) for i in listed["items"]] == [
        ("ANA@example.test", world["teacher"].pk, True)
    ]


def test_only_the_invited_address_can_accept(world, api_client):
    factories.learner(email="ana@example.test")
    someone_else = factories.learner(email="eve@example.test")
    _invite(api_client, world, "ana@example.test")
    token = _token_in(_mail_to("ana@example.test"))

    assert_error(_accept(api_client, someone_else, token), 403, "invitation_other_address")
    assert_error(_accept(api_client, someone_else, "not-a-token"), 404, "invitation_not_found")
    assert not Enrollment.objects.filter(cohort=world["cohort"]).exists()


def test_an_expired_invitation_takes_no_seat(world, api_client):
    learner = factories.learner()
    token = factories.invitation(cohort=world["cohort"], email=learner.email)

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = _accept(api_client, learner, token)

    assert_error(response, 409, "invitation_expired")
    assert not Enrollment.objects.filter(cohort=world["cohort"]).exists()


def test_an_invitation_counts_seats_as_the_checkout_does(world, api_client):
    """The seat goes through cohorts.seats: members and live holds of payers fill the cohort."""
    cohort = factories.cohort(course=world["cohort"].course, capacity=2)
    factories.enrollment(cohort=cohort, learner=factories.learner())
    factories.held_seat(cohort=cohort)
    learner = factories.learner()
    token = factories.invitation(cohort=cohort, email=learner.email)

    assert_error(_accept(api_client, learner, token), 409, "cohort_full")
    assert Invitation.objects.get().accepted_at is None


def test_someone_who_does_not_teach_the_cohort_cannot_invite(world, api_client):
    response = api_client(factories.instructor()).post(
        f"/api/v1/cohorts/{world['cohort'].pk}/invitations", {"email": "x@example.test"}, content_type=JSON
    )

    assert_error(response, 404, "cohort_not_found")
    assert not Invitation.objects.exists() and not MailLog.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_oversell_a_cohort():
    teacher = factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher), capacity=3)
    invited = [
        (learner, factories.invitation(cohort=cohort, email=learner.email))
        for learner in [factories.learner() for _ in range(8)]
    ]
    from cohorts.invitations import invitation_accept

    results = run_at_once(
        [
            lambda learner=learner, token=token: invitation_accept(user=learner, token=token)
            for learner, token in invited
        ]
    )

    assert len([r for r in results if isinstance(r, Enrollment)]) == 3
    assert {r.code for r in results if not isinstance(r, Enrollment)} == {"cohort_full"}
    assert Enrollment.objects.filter(cohort=cohort).count() == 3
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 3


# Pages ---------------------------------------------------------------------------------------------------------


def test_the_instructor_invites_from_the_dashboard_and_sees_the_same_message_either_way(world):
    factories.learner(email="ana@example.test")
    client = Client()
    client.force_login(world["teacher"])
    manage = f"/teach/cohorts/{world['cohort'].pk}/"

    known = client.post(f"{manage}invite/", {"email": "ana@example.test"}, follow=True).content.decode()
    unknown = client.post(f"{manage}invite/", {"email": "nobody@example.test"}, follow=True).content.decode()

    assert "Invitation sent to ana@example.test. They join once they accept it." in known
    assert "Invitation sent to nobody@example.test. They join once they accept it." in unknown
    assert "Invited by Teacher Li" in unknown  # the list of invitations
    assert MailLog.objects.filter(kind="invitation").count() == 2
    assert not Enrollment.objects.filter(cohort=world["cohort"]).exists()


def test_the_invited_person_opens_the_link_signs_in_and_joins(world):
    learner = factories.learner(email="ana@example.test", language="zh-hans")
    token = factories.invitation(cohort=world["cohort"], email=learner.email)
    link = f"/invitations/{token}/"

    # signed out: asked to log in or sign up, and brought back here
    signed_out = Client().get(link).content.decode()
    assert "/accounts/login/?next=/invitations/" in signed_out and "/accounts/signup/?next=" in signed_out

    # signed in with another address: told so, in their language
    other = Client()
    other.force_login(factories.learner(email="eve@example.test"))
    assert "sign in with that address" in other.get(link).content.decode()
    assert other.post(link).status_code == 200 and not Enrollment.objects.exists()

    # signed in with the invited address: accepting lands in the cohort
    client = Client()
    client.force_login(learner)
    assert "接受并加入" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == f"/cohorts/{world['cohort'].pk}/"
    assert Enrollment.objects.get(learner=learner).status == "active"
    assert Client().get("/invitations/nope/").status_code == 404
