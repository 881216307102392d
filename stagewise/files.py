"""Private files (check-in photos, lesson attachments, receipts, certificates) handed to whoever may read them.

Files are read and written only through Django's storage API (``storages["default"]``, a ``FileField``'s
``storage``), never through a path, so the same code runs on the local ``var/media/`` and on S3-compatible object
storage shared by several machines. The caller checks permission first; then a storage that signs URLs (S3 with
querystring auth) answers with a redirect to a short-lived signed URL, and any other is streamed through Django.
"""

from django.conf import settings
from django.core.files.storage import Storage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header


def signs_urls(storage: Storage) -> bool:
    """Whether ``storage`` hands out signed, expiring URLs (django-storages' S3 with ``querystring_auth``)."""
    return bool(getattr(storage, "querystring_auth", False))


def private_file_response(
    *,
    storage: Storage,
    name: str,
    filename: str,
    as_attachment: bool,
    content_type: str | None = None,
    max_age: int = 0,
) -> HttpResponseBase:
    """``name`` in ``storage``, for a reader whose permission the caller has checked: a 302 to a signed URL that
    expires after ``settings.AWS_QUERYSTRING_EXPIRE`` seconds, or the file streamed. ``max_age`` lets the reader's
    browser (only) keep the answer that long; a redirect is kept at most half the URL's lifetime."""
    if signs_urls(storage):
        expire = settings.AWS_QUERYSTRING_EXPIRE
        parameters = {"ResponseContentDisposition": content_disposition_header(as_attachment, filename)}
        if content_type:
            parameters["ResponseContentType"] = content_type
        response: HttpResponseBase = HttpResponseRedirect(
            storage.url(name, parameters=parameters, expire=expire)  # type: ignore[call-arg]
        )
        max_age = min(max_age, expire // 2)
    else:
        response = FileResponse(
            storage.open(name, "rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-store"
    return response
