"""Status entries: each allocation counts on its list, and a list that has handed out half its entries is left for a
new one (random indices stay cheap to draw, and no count of the list's entries is needed to decide)."""

import pytest

from cohorts.credentials.models import StatusList
from cohorts.credentials.services import status_entry_allocate

pytestmark = pytest.mark.django_db


def test_allocations_are_counted_and_a_half_full_list_makes_way_for_a_new_one():
    first = status_entry_allocate()
    second = status_entry_allocate()
    assert first.status_list_id == second.status_list_id and first.index != second.index
    status_list = StatusList.objects.get(pk=first.status_list_id)
    assert status_list.allocated == 2

    StatusList.objects.filter(pk=status_list.pk).update(allocated=status_list.size // 2)
    third = status_entry_allocate()
    assert third.status_list_id != status_list.pk
    assert StatusList.objects.get(pk=third.status_list_id).allocated == 1
