"""Domain errors become HTTP responses here, once: a page for every browser view
(:class:`ApplicationErrorMiddleware`), a JSON body for the few views a page's script calls
(:func:`error_json`)."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.views.defaults import page_not_found, permission_denied

from tenants.errors import ApplicationError


class ApplicationErrorMiddleware:
    """An :class:`ApplicationError` a view did not handle answers with its ``status``: 403 and
    404 with the same pages as Django's own refusals, anything else (400, 409, 429) with a small
    page that shows the message. Views still catch it where they re-render a form with the
    errors on its fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        if exception.status == 403:
            return permission_denied(request, exception)
        if exception.status == 404:
            return page_not_found(request, exception)
        return render(request, "error.html", {"error": exception}, status=exception.status)


def error_json(error: ApplicationError) -> JsonResponse:
    """``{"error": <code>}`` with the error's own status: what a page's script reads."""
    return JsonResponse({"error": error.code}, status=error.status)


def wants_json(request) -> bool:
    """The API and a page's script (``Accept: application/json``) read JSON, a browser a page."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def error_response(request, error: ApplicationError) -> HttpResponse:
    """The error as a short plain page or as :func:`error_json`, for the middleware that runs
    before sessions, users and tenants exist (``tenants.limits``): no template, no context."""
    if wants_json(request):
        return error_json(error)
    return HttpResponse(
        f"<!doctype html><title>{error.status}</title><p>{escape(error.message)}</p>",
        status=error.status,
    )
