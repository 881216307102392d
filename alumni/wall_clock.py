"""Instants a person types as a wall-clock time in their own time zone ("1 Dec, 09:00"), stored in UTC."""

from datetime import UTC, datetime, tzinfo

from django.utils.translation import gettext_lazy as _

from stagewise.errors import Invalid


def local_to_utc(value: datetime, *, zone: tzinfo, field: str) -> datetime:
    """``value`` in UTC. A naive value is a wall-clock time in ``zone``: one the clocks skip there (the hour lost when
    summer time starts) is refused, and of an hour that happens twice (when it ends) the first is meant. An aware value
    keeps its own offset. A date too far out to convert is refused, never a crash."""
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            local = value.replace(tzinfo=zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None):
                raise Invalid(
                    _("That time doesn't exist in your time zone: the clocks skip it. Pick another time."),
                    code="nonexistent_local_time",
                    extra={"field": field},
                )
            value = local
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise Invalid(_("That date is out of range."), code="invalid_datetime", extra={"field": field}) from exc
