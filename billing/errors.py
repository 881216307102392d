"""Billing's errors, in the project's hierarchy (``stagewise.errors``)."""

from stagewise.errors import ApplicationError


class ProviderUnavailable(ApplicationError):
    """The payment provider could not be reached or answered with an error; trying again later may work."""

    status = 502
    code = "provider_unavailable"
