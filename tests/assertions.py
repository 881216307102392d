"""Assertions shared by the API tests."""

from typing import Any


def assert_error(response: Any, status: int, code: str | None = None) -> dict:
    """The response is an error with the one shape every API error has: ``{"code", "message", "details"}``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["code"] == code
    return body
