"""Errors answered in one place: everything under /api/ in the API's error shape (also what never reaches a ninja
handler), and on pages a service's ``NotFound`` / ``Forbidden`` as the 404 / 403 page."""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from stagewise.errors import Forbidden, NotFound

logger = logging.getLogger("stagewise.api")

_MESSAGES = {
    404: ("not_found", "There is no such API endpoint. The documentation is at /api/v1/docs."),
    405: ("method_not_allowed", "This endpoint doesn't take that HTTP method."),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in _MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _MESSAGES[response.status_code]
            shaped = JsonResponse({"code": code, "message": message, "details": {}}, status=response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return JsonResponse(
            {
                "code": "server_error",
                "message": "Something went wrong on our side. It has been logged; please try again later.",
                "details": {},
            },
            status=500,
        )


class PageErrorMiddleware:
    """A page whose service or selector raises ``NotFound`` answers with the 404 page, ``Forbidden`` with the 403 page,
    exactly as if the view had raised ``Http404`` / ``PermissionDenied``: views don't catch them to convert them.

    The API maps the same errors to JSON itself (``stagewise.api``), so they never get here from /api/.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception.message)))
        if isinstance(exception, Forbidden):
            return response_for_exception(request, PermissionDenied(str(exception.message)))
        return None
