"""The one domain error type. Every app's errors subclass it; ``tenants.middleware`` maps
``status`` to HTTP, once: a page for the browser, ``error_json`` for a page's script (and the
API will map it the same way)."""

from django.core.exceptions import PermissionDenied


class ApplicationError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.fields = fields or {}


class NotAllowed(ApplicationError, PermissionDenied):
    """The member's role (or their relation to the row) does not allow this.

    Also a Django ``PermissionDenied``, so code that only knows Django's refusal (its 403
    handler, DRF, callers that catch it) treats it as one.
    """

    status = 403
    code = "not_allowed"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class RateLimited(ApplicationError):
    """Too many tries from one address in a window (``tenants.ratelimit``): try again later."""

    status = 429
    code = "rate_limited"


class TooLarge(ApplicationError):
    """The request's body is over ``LOOPDESK_MAX_REQUEST_BYTES`` (``tenants.limits``): refused
    before anything reads it."""

    status = 413
    code = "too_large"


class LengthRequired(ApplicationError):
    """A body sent without ``Content-Length`` (chunked): ``tenants.limits`` cannot weigh it
    before reading it, so it refuses it."""

    status = 411
    code = "length_required"
