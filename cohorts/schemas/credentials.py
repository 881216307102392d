"""Verifying a presented Open Badges 3.0 credential."""

from ninja import Field, Schema


class CredentialCheckOut(Schema):
    check: str = Field(..., description="schema, proof, status or validity_dates, in the order they are run")
    ok: bool
    code: str = Field(..., description="ok, or why the check failed (stable): e.g. invalid_signature, revoked, expired")
    message: str


class CredentialVerificationOut(Schema):
    verified: bool = Field(..., description="true only when all four checks ran and passed")
    failed_check: str | None = Field(None, description="the first check that failed; the later ones were not run")
    code: str = Field(..., description="the failed check's code, or ok")
    message: str
    checks: list[CredentialCheckOut]
