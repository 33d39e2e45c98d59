"""Refusals are one error type, ``ApplicationError``, and become HTTP responses in one place
(``tenants.middleware``): 403 and 404 with Django's own pages, 400 and 409 with the message."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import include, path, reverse

from tenants.errors import ApplicationError, Conflict, NotAllowed, NotFound, RateLimited
from tenants.middleware import error_json
from tenants.permissions import Action, require


def _raises(error):
    def view(request):
        raise error

    return view


def _fine(request):
    return HttpResponse("fine")


# pytest.mark.urls points at this module: these few views stand for any view that lets a
# domain error through.
ERRORS = {
    "conflict": Conflict("Someone changed it meanwhile."),
    "invalid": ApplicationError("That date is in the past."),
    "not-allowed": NotAllowed("Managers only."),
    "not-found": NotFound("No such survey."),
    "django-denied": PermissionDenied("Django's own."),
}
urlpatterns = [
    *(path(f"test-errors/{name}/", _raises(error), name=name) for name, error in ERRORS.items()),
    path("test-errors/fine/", _fine, name="fine"),
    path("", include("config.urls")),  # the pages' links (language, workspaces) resolve
]

NOT_ALLOWED_PAGE = "Your role does not allow this. Ask a manager or an administrator"
NOT_FOUND_PAGE = "There is nothing at this address."


def test_require_refuses_with_the_shared_not_allowed_error(acme_performer):
    with pytest.raises(NotAllowed) as refused:
        require(acme_performer, Action.HANDLE_COMPLAINTS)

    assert (refused.value.status, refused.value.code) == (403, "not_allowed")
    assert refused.value.message == "Your role does not allow this."
    # Code that knows only Django's refusal (its handler, DRF, older callers) still sees one.
    assert isinstance(refused.value, PermissionDenied)


def test_require_lets_an_allowed_role_through(acme_agent):
    assert require(acme_agent, Action.HANDLE_COMPLAINTS) is None


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("name", "status", "text", "template"),
    [
        ("conflict", 409, "Someone changed it meanwhile.", "error.html"),
        ("invalid", 400, "That date is in the past.", "error.html"),
        ("not-allowed", 403, NOT_ALLOWED_PAGE, "403.html"),
        ("django-denied", 403, NOT_ALLOWED_PAGE, "403.html"),
        ("not-found", 404, NOT_FOUND_PAGE, "404.html"),
    ],
)
def test_an_error_a_view_lets_through_answers_with_its_status_and_page(
    client, db, name, status, text, template
):
    response = client.get(reverse(name))

    assert response.status_code == status
    assert text in response.content.decode()
    assert template in [used.name for used in response.templates]


@pytest.mark.urls(__name__)
def test_a_view_without_an_error_is_left_alone(client, db):
    response = client.get(reverse("fine"))

    assert (response.status_code, response.content) == (200, b"fine")


def test_a_role_refused_by_a_workspace_page_gets_the_403_page(client_of, acme_performer):
    response = client_of(acme_performer).get(
        reverse("complaint-queue", kwargs={"tenant_slug": "acme"})
    )

    assert response.status_code == 403
    assert NOT_ALLOWED_PAGE in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ApplicationError("That date is in the past."), 400, "invalid"),
        (ApplicationError("Off the scale.", code="off_scale"), 400, "off_scale"),
        (NotAllowed("Managers only."), 403, "not_allowed"),
        (NotFound("No such survey."), 404, "not_found"),
        (Conflict("Answered already.", code="closed"), 409, "closed"),
        (RateLimited("Too many tries."), 429, "rate_limited"),
    ],
)
def test_an_error_for_a_script_is_its_own_status_and_code_as_json(error, status, code):
    response = error_json(error)

    assert (response.status_code, json.loads(response.content)) == (status, {"error": code})


ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "config",
    "tenants",
    "customers",
    "notifications",
    "complaints",
    "surveys",
    "ratings",
    "dashboards",
]
THE_MAPPING = {ROOT / "tenants" / "errors.py", ROOT / "tenants" / "middleware.py"}
# An error status or body made by hand, beside the one mapping: a JSON error body, one of
# Django's error response classes, or a conflict's status typed as a number.
BY_HAND = re.compile(
    r"JsonResponse\(\s*\{\s*[\"']error[\"']"
    r"|HttpResponse(BadRequest|Forbidden|NotFound|NotAllowed|Gone)\("
    r"|status\s*=\s*409\b"
)


def test_no_view_maps_an_error_to_http_by_hand():
    found = [
        f"{module.relative_to(ROOT)}:{number}: {line.strip()}"
        for app in APPS
        for module in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in module.parts and module not in THE_MAPPING
        for number, line in enumerate(module.read_text().splitlines(), start=1)
        if BY_HAND.search(line)
    ]

    assert found == []
