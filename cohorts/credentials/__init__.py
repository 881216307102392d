"""Verifiable credentials: a certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC 2.0) secured with a
Data Integrity proof ``eddsa-rdfc-2022``, revocable through a W3C Bitstring Status List.

What the certificate code calls:

- ``services.status_entry_allocate()`` → a ``StatusListEntry`` (random index, unique in its list); keep it on the
  certificate, in the transaction that creates it;
- ``services.credential_issue(credential_id=…, name=…, achievement=documents.Achievement(…), recipient_name=…,
  valid_from=…, status_entry=entry)`` → the signed credential (a dict; ``services.serialize`` gives its bytes), or
  ``documents.credential_build(…)`` then ``services.credential_sign(…)``;
- ``services.status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)`` to revoke;
- ``verification.credential_verify(presented)`` → a ``VerificationResult`` (``verified``, ``failed_check``,
  ``checks``), as ``POST /api/v1/credentials/verify`` answers.

Modules: ``linked_data`` (shipped contexts, the loader, RDFC-1.0), ``proofs`` (eddsa-rdfc-2022), ``multibase``
and ``bitstring`` (encodings), ``keys`` (the issuer's key from settings), ``documents`` (the JSON-LD built from
plain data), ``models`` / ``services`` / ``selectors`` (status lists), ``verification``.
"""
