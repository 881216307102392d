"""Bitstring Status Lists (W3C) and their entries. Imported from ``cohorts.models``; the app's migrations hold them.

A credential that can be revoked points at a ``StatusListEntry`` (a random index in a list, unique in it); the list
itself is served as stored, a signed BitstringStatusListCredential that is signed again only when a bit changes.
"""

from django.db import models
from django.db.models import Q

from cohorts.credentials.bitstring import MIN_SIZE


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", "Revocation"  # a set bit: the credential is revoked, for good


class StatusList(models.Model):
    purpose = models.CharField(max_length=12, choices=StatusPurpose.choices, default=StatusPurpose.REVOCATION)
    size = models.PositiveIntegerField(default=MIN_SIZE)
    # Entries handed out so far, kept by ``status_entry_allocate``: choosing a list with room reads this column
    # instead of counting a list's entries (a scan that grew with every credential ever issued).
    allocated = models.PositiveIntegerField(default=0, db_default=0)
    # The signed BitstringStatusListCredential, exactly the bytes served (a JSONField could reorder keys on
    # PostgreSQL, and the ETag is of the bytes); empty until first signed.
    document = models.TextField(blank=True)
    etag = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=MIN_SIZE) & Q(size__lte=8 * 2**20),
                name="statuslist_size_in_range",  # herd privacy needs at least 131,072 entries
            )
        ]

    def __str__(self) -> str:
        return f"Status list {self.pk} ({self.purpose})"


class StatusListEntry(models.Model):
    """One credential's bit. Indices are drawn at random (never "last + 1", which would tell a verifier the order
    and number of credentials issued); the unique constraint settles a collision."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "status list entries"
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="statuslistentry_one_per_index"),
        ]

    def __str__(self) -> str:
        return f"Status list {self.status_list_id} index {self.index}"
