"""One error hierarchy for the whole project, mapped to JSON once in ``stagewise.api``.

Every error has an HTTP status, a stable machine-readable ``code`` and a message a person understands, translated
lazily where it is raised (``gettext_lazy``, or ``lazy_format`` when it has values in it): it is shown in the
language of whoever reads it, on a page (``str(exc.message)``) as in the API.
"""

import operator
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise as Message
else:
    Message = str | Promise


def lazy_format(message: Message, **values: Any) -> Message:
    """``message % values``, translated when it is shown. (``gettext_lazy(...) % values`` would translate at once.)"""
    return lazy(operator.mod, str)(message, values)


class ApplicationError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Message, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Missing *or* forbidden: both answer the same so ids can't be probed."""

    status = 404
    code = "not_found"


class Forbidden(ApplicationError):
    """An action the user's role does not allow (not used to hide objects: see NotFound)."""

    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    """The request is well-formed but clashes with the current state (a status, a unique row)."""

    status = 409
    code = "conflict"


class Invalid(ApplicationError):
    """The input breaks a rule the schema can't express."""

    status = 422
    code = "invalid"


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"


class RequestTooLarge(ApplicationError):
    """A request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django refuses to read it): the API and the pages both
    answer 413 with this message."""

    status = 413
    code = "request_too_large"

    def __init__(self) -> None:
        super().__init__(_("The request is too large. Send less data, or a smaller file."))
