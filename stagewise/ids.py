"""Row ids as the API accepts them in paths: a positive bigint. Anything else is a 422, never a database error."""

from typing import Annotated

from ninja import Path

MAX_ID = 2**63 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
