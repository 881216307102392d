"""Everything under /api/ answers in the API's error shape — also what never reaches a ninja handler."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
