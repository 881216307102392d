"""Reads for verifiable credentials."""

from django.utils.translation import gettext_lazy as _

from cohorts.credentials.models import StatusList
from stagewise.errors import NotFound


def status_list_get(*, status_list_id: int) -> StatusList:
    """A signed status list (its document and ETag only); NotFound if there is none."""
    status_list = StatusList.objects.only("document", "etag").filter(pk=status_list_id).exclude(document="").first()
    if status_list is None:
        raise NotFound(_("No such status list."), code="status_list_not_found")
    return status_list
