"""Error messages are translated when they are shown, in the reader's language, not when they are raised."""

import pytest
from django.utils import translation

from cohorts.services import cohort_transition
from stagewise.errors import Conflict


def test_a_message_with_values_is_translated_when_shown():
    # given an error raised while English is active
    with translation.override("en"), pytest.raises(Conflict) as raised:
        cohort_transition(cohort_id=0, old="ended", new="draft")
    error = raised.value
    # then it reads in the language active where it is shown, values filled in
    with translation.override("zh-hans"):
        assert str(error.message) == "一期不能从 ended 变为 draft。"
    with translation.override("en"):
        assert str(error.message) == "A cohort can't go from ended to draft."
    assert error.code == "invalid_transition"
