"""Credit grants and referrals: a learner's referral code, referrers credited once their friend's payment cleared."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import CreditEntry, Referral, ReferralCode
from billing.statuses import CAPTURED_STATUSES, CreditKind, OrderStatus, ReferralStatus
from stagewise.errors import Conflict, Invalid


def credit_grant(
    *,
    learner: User,
    amount_minor: int,
    currency: str,
    kind: str = CreditKind.GRANT,
    note: str = "",
    expires_at: datetime | None = None,
) -> CreditEntry:
    """Add credit to a learner's ledger (staff grants, upgrade credits when a cohort ends, referral rewards)."""
    if amount_minor <= 0:
        raise Invalid(_("A credit must be positive."), code="invalid_amount")
    return CreditEntry.objects.create(
        learner=learner,
        amount_minor=amount_minor,
        currency=currency.upper(),
        kind=kind,
        note=note,
        expires_at=expires_at,
    )


def referral_code_get_or_create(*, learner: User) -> ReferralCode:
    existing = ReferralCode.objects.filter(learner=learner).first()
    if existing is not None:
        return existing
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for _attempt in range(5):
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(learner=learner, code=code)
        except IntegrityError:
            existing = ReferralCode.objects.filter(learner=learner).first()
            if existing is not None:
                return existing
    raise Conflict(_("Could not create a referral code; try again."), code="referral_code_collision")


def referral_credits_grant_due(*, now: datetime | None = None) -> int:
    """Credit referrers whose friend's payment cleared and whose refund window has passed. Periodic, idempotent.

    Each referral is claimed with a conditional UPDATE (pending → credited) so a credit is granted once.
    A friend's order that was refunded (in full or in part) voids the referral.
    """
    now = now or timezone.now()
    granted = 0
    due = Referral.objects.filter(status=ReferralStatus.PENDING, credit_due_at__lte=now).select_related("order")
    for referral in due:
        order = referral.order
        if order.status != OrderStatus.PAID:
            if order.status in CAPTURED_STATUSES or order.status in (OrderStatus.CANCELLED, OrderStatus.FAILED):
                Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
                    status=ReferralStatus.VOID
                )
            continue
        amount = (order.total_minor * settings.BILLING_REFERRAL_CREDIT_PERCENT + 50) // 100
        with transaction.atomic():
            if (
                Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
                    status=ReferralStatus.CREDITED
                )
                != 1
            ):
                continue
            if amount > 0:
                entry = credit_grant(
                    learner=referral.referrer,
                    amount_minor=amount,
                    currency=order.currency,
                    kind=CreditKind.REFERRAL,
                    note=f"referral of order {order.pk}",
                )
                Referral.objects.filter(pk=referral.pk).update(credit_entry=entry)
            granted += 1
    return granted
