"""Disputes (chargebacks): staff mark one handled, with a note, once."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from billing.models import Dispute
from billing.statuses import DISPUTE_TRANSITIONS, DisputeStatus, can_transition
from stagewise.errors import Conflict, Invalid, NotFound
from stagewise.permissions import is_staff

NOTE_MAX_LENGTH = 1000


def dispute_handle(*, actor: User | AnonymousUser, dispute_id: int, note: str, now: datetime | None = None) -> Dispute:
    """open → handled, recording who did it, when, and their note (the dispute's audit trail).

    Only staff; anyone else gets the NotFound of a missing dispute (as ``dispute_list`` answers them). One
    conditional UPDATE on ``status='open'``: of two staff handling the same dispute at once, one wins and the
    other gets Conflict ``dispute_already_handled``, and the first note is never overwritten.
    """
    if not is_staff(actor):
        raise NotFound(_("No such dispute."), code="dispute_not_found")
    note = note.strip()
    if not note:
        raise Invalid(_("Write what you did about the dispute."), code="note_required", extra={"field": "note"})
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(
            _("The note is too long: keep it under 1,000 characters."), code="note_too_long", extra={"field": "note"}
        )
    assert can_transition(DISPUTE_TRANSITIONS, DisputeStatus.OPEN, DisputeStatus.CLOSED)
    now = now or timezone.now()
    updated = Dispute.objects.filter(pk=dispute_id, status=DisputeStatus.OPEN).update(
        status=DisputeStatus.CLOSED, handled_at=now, handled_by=actor, handled_note=note
    )
    if updated != 1:
        if Dispute.objects.filter(pk=dispute_id).exists():
            raise Conflict(_("Someone has already handled this dispute."), code="dispute_already_handled")
        raise NotFound(_("No such dispute."), code="dispute_not_found")
    return Dispute.objects.select_related("handled_by", "enrollment", "enrollment__learner").get(pk=dispute_id)
