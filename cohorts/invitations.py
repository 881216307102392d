"""Invitations: an instructor invites an e-mail address to a cohort; the person behind it accepts, and takes a seat.

Nobody is added to a cohort without asking, and the instructor learns nothing about accounts: sending answers the
same whether or not an account uses the address. The mail goes to the address either way, and tells someone
without an account to sign up with it first. Accepting needs the account of that address, signed in; the seat is
taken as every complimentary seat is (``cohorts.services.enrollment_admit``: under the cohort's lock, counted by
``cohorts.seats``). The invitation row records who invited whom and who accepted when; each step is also an
``AuditEvent``.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import user_find_by_email
from cohorts.models import Enrollment, Invitation
from cohorts.moderation import audit_record
from cohorts.selectors import cohort_get_for_instructor
from cohorts.services import ADMITTING, enrollment_admit
from stagewise.errors import Conflict, Forbidden, NotFound
from stagewise.mail import Address, mail_send

INVITATION_VALID_FOR = timedelta(days=14)


def token_digest(token: str) -> str:
    """What an invitation row keeps of its token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("cohorts:invitation", args=[token])


def invitation_send(*, actor: User, cohort_id: int, email: str, now: datetime | None = None) -> Invitation:
    """Invite ``email`` to the cohort (its course's instructors, staff) and mail it the link.

    What the caller gets back is the same whether or not an account uses the address; only the mail, which goes to
    the address itself, differs (without an account it says how to sign up). Someone who doesn't teach the cohort
    gets its NotFound.
    """
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    if cohort.status not in ADMITTING:
        raise Conflict(_("This cohort no longer takes learners."), code="cohort_closed")
    now = now or timezone.now()
    email = email.strip()
    token = secrets.token_urlsafe(32)
    account = user_find_by_email(email=email)
    # Without an account the mail speaks the inviting instructor's language, in the cohort's time zone.
    recipient = account or Address(
        email=email, language=translation.get_language() or settings.LANGUAGE_CODE, timezone=cohort.timezone
    )
    link = invitation_link(token)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            cohort=cohort,
            email=email,
            token_digest=token_digest(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
        audit_record(actor=actor, action="invitation_sent", target=cohort, details={"email": email}, now=now)
        mail_send(
            user=recipient,
            template="cohort_invitation",
            context={
                "cohort": cohort,
                "inviter": actor,
                "invitation": invitation,
                "link": link,
                "has_account": account is not None,
                "signup_link": settings.SITE_URL
                + reverse("accounts:signup")
                + "?"
                + urlencode({"next": reverse("cohorts:invitation", args=[token])}),
            },
            key=f"invitation:{invitation.pk}",
        )
    return invitation


def invitation_list_for_instructor(*, user: User, cohort_id: int) -> QuerySet[Invitation]:
    """The cohort's invitations, newest first, with who sent each (its instructors and staff)."""
    cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    return Invitation.objects.filter(cohort=cohort).select_related("invited_by", "accepted_by")


def invitation_get_by_token(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("cohort__course", "invited_by")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."), code="invitation_not_found")
    return invitation


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    return invitation.email.strip().lower() == user.email.strip().lower()


def invitation_accept(*, user: User, token: str, now: datetime | None = None) -> Enrollment:
    """The signed-in person whose address was invited takes a seat in the cohort. Accepting twice changes nothing.

    Locks the invitation, then (in ``enrollment_admit``) the cohort: two accepts of one invitation take one seat.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_get_by_token(token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation_is_for(invitation=invitation, user=user):
            raise Forbidden(
                _("This invitation was sent to another e-mail address: sign in with that address to accept it."),
                code="invitation_other_address",
            )
        if invitation.accepted_at is not None:
            enrollment = Enrollment.objects.filter(cohort_id=invitation.cohort_id, learner=user).first()
            if invitation.accepted_by_id == user.pk and enrollment is not None:
                return enrollment
            raise Conflict(_("This invitation has already been used."), code="invitation_used")
        if invitation.expires_at <= now:
            raise Conflict(
                _("This invitation has expired. Ask your instructor for a new one."), code="invitation_expired"
            )
        enrollment = enrollment_admit(cohort_id=invitation.cohort_id, learner=user, now=now)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
        audit_record(
            actor=user,
            action="invitation_accepted",
            target=enrollment,
            details={"invitation_id": invitation.pk, "invited_by_id": invitation.invited_by_id},
            now=now,
        )
    return enrollment
