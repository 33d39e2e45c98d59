"""The request body cap: a body over ``LOOPDESK_MAX_REQUEST_BYTES`` is refused before Django
reads a byte of it.

Django parses a body lazily, on the first ``request.POST`` / ``request.FILES``; by then a large
upload streams to a temporary file on disk. This middleware sits first in ``MIDDLEWARE`` and
looks only at the headers:

* ``Content-Length`` over the limit: 413 (:class:`~tenants.errors.TooLarge`).
* A body announced by ``Transfer-Encoding`` (chunked) with no ``Content-Length``: 411
  (:class:`~tenants.errors.LengthRequired`). The simple safe rule: every browser and HTTP
  client sends a length with a form or a file, and under WSGI Django would read such a body as
  empty anyway, so nothing legitimate is lost and no body is weighed by reading it.
* A ``Content-Length`` that is not a number: 400, as any server would answer.

The default limit fits the largest public complaint: ``MAX_ATTACHMENTS`` files of 10 MB (the
default ``max_attachment_mb``) and 1 MB for the form's fields and multipart framing. A tenant
whose ``max_attachment_mb`` is raised needs the operator to raise the limit too.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from tenants.errors import ApplicationError, LengthRequired, TooLarge
from tenants.middleware import error_response


def refusal(request) -> ApplicationError | None:
    """Why this request's body may not be read, or None when it may."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length:
        if request.META.get("HTTP_TRANSFER_ENCODING"):
            return LengthRequired("Send the request with a Content-Length.")
        return None
    if not length.isdigit():
        return ApplicationError("Content-Length is not a number.", code="bad_length")
    if int(length) > settings.LOOPDESK_MAX_REQUEST_BYTES:
        megabytes = settings.LOOPDESK_MAX_REQUEST_BYTES / (1024 * 1024)
        return TooLarge(f"The request is larger than {megabytes:.0f} MB.")
    return None


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        error = refusal(request)
        if error is not None:
            response = error_response(request, error)
            # The body stays unread: the connection cannot carry another request after it.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class DiscardUploads(FileUploadHandler):
    """Reads a multipart body's fields and drops its files unread: no byte of them is kept in
    memory or written to disk. For a request that will be refused anyway (a rate-limited
    address), installed before anything reads ``request.POST``. ``dropped`` counts the files
    so that the page can say they must be attached again."""

    dropped = 0

    def new_file(self, *args, **kwargs):
        self.dropped += 1
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):  # pragma: no cover - every file is skipped
        return None

    def file_complete(self, file_size):  # pragma: no cover - every file is skipped
        return None
