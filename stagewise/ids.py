"""Row ids as the API accepts them: a positive bigint. Anything else is a 422, never a database error (SQLite can't
even bind an integer of 2^63 or more, and PostgreSQL's bigint stops at 2^63 - 1)."""

from typing import Annotated

from ninja import Path
from pydantic import Field

MAX_ID = 2**63 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in the URL's path: ``def cohort_detail(request, cohort_id: RowId)``."""

BodyRowId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body, alone or in a list: ``enrollment_ids: list[BodyRowId]``."""
