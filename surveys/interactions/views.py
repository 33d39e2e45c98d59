"""The interactions page: every service event and its survey decision, and the CSV import.

Thin: parse (``InteractionFilterSet``, the page number), call ``surveys.interactions``, render.
Members with ``VIEW_SURVEYS`` read the list (how managers explain coverage); checking and
importing a file, its template and the summaries need ``MANAGE_SURVEYS``.

An import goes a batch per request (``importing.import_step``): a small file is done by the
request that starts it; a big one shows a progress page whose form asks for the next batch by
itself (htmx, on load) and is a plain "Continue" button without JavaScript.

The list reads and writes nothing in the cache but the member's import under way; when the cache
(Redis) cannot be reached the list is still shown, without it, and the import's steps (which
keep the file and the run there) answer 503 with a message instead of a server error.
"""

import functools
import logging
import os

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from surveys.interactions import checking, importing, reading, selectors
from surveys.interactions.filters import InteractionFilterSet
from tenants.decorators import member_required
from tenants.errors import ApplicationError, Conflict
from tenants.forms import show_application_error
from tenants.paging import page_number
from tenants.permissions import Action, member_can
from tenants.ratelimit import CACHE_ERRORS

logger = logging.getLogger(__name__)


class CacheUnavailable(ApplicationError):
    """The import keeps its file and its progress in the cache, which is not answering."""

    status = 503
    code = "cache_unavailable"


def _cache_down(error: Exception) -> CacheUnavailable:
    logger.warning("Interaction import refused, the cache is unreachable: %s", error)
    return CacheUnavailable(
        _("Importing is unavailable for a moment (a server is not answering): try again soon.")
    )


def _running_import(member):
    """The member's import under way, or None, also when the cache cannot say."""
    try:
        return importing.running_import(member)
    except CACHE_ERRORS as error:
        logger.warning("Import under way not shown, the cache is unreachable: %s", error)
        return None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, with commas or semicolons; at most %(size)s MB and %(rows)s rows. Nothing "
            "is imported before you have seen the check."
        ) % {
            "size": reading.MAX_FILE_BYTES // (1024 * 1024),
            "rows": number_format(reading.MAX_ROWS, force_grouping=True),
        }


class StartForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _list_page(request, upload_form, *, status=200):
    filterset = InteractionFilterSet(
        request.GET, queryset=selectors.visible_interactions(request.member), request=request
    )
    can_import = member_can(request.member, Action.MANAGE_SURVEYS)
    return render(
        request,
        "surveys/interactions/list.html",
        {
            "filterset": filterset,
            "page": selectors.interactions_page(
                request.member, filterset.qs, number=page_number(request)
            ),
            "can_import": can_import,
            "upload_form": upload_form,
            "columns": reading.COLUMNS.items(),
            "recent_imports": selectors.recent_imports(request.member) if can_import else [],
            "running_import": _running_import(request.member) if can_import else None,
        },
        status=status,
    )


@member_required(Action.VIEW_SURVEYS)
def interaction_list(request):
    return _list_page(request, UploadForm())


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def import_check(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    file_name = os.path.basename(upload.name or "")[:200]
    try:
        text = reading.file_text(upload)
        check = checking.import_check(actor=request.member, text=text)
    except ApplicationError as error:
        show_application_error(form, error)
        return _list_page(request, form, status=error.status)
    try:
        token = (
            importing.upload_keep(actor=request.member, file_name=file_name, text=text)
            if check.rows
            else ""
        )
    except CACHE_ERRORS as down:
        error = _cache_down(down)
        show_application_error(form, error)
        return _list_page(request, form, status=error.status)
    return render(
        request,
        "surveys/interactions/check.html",
        {
            "check": check,
            "file_name": file_name,
            "start_form": StartForm(initial={"upload": token}),
            "upload_form": UploadForm(),
            "examples": check.rows[:5],
            "time_zone": request.tenant.time_zone,
        },
    )


def _without_cache_gone(view):
    """An import step whose cache is not answering: back to the list with a message (503)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CACHE_ERRORS as down:
            return _gone(request, _cache_down(down))

    return wrapped


def _gone(request, error: ApplicationError):
    messages.error(request, error.message)
    if request.htmx:
        return HttpResponseClientRedirect(
            reverse("interaction-list", kwargs={"tenant_slug": request.tenant.slug})
        )
    return _list_page(request, UploadForm(), status=error.status)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
@_without_cache_gone
def import_start(request):
    form = StartForm(request.POST)
    token = form.cleaned_data["upload"] if form.is_valid() else ""
    try:
        file_name, text = importing.upload_take(actor=request.member, token=token)
        run = importing.import_start(
            actor=request.member, token=token, text=text, file_name=file_name
        )
    except ApplicationError as error:
        return _gone(request, error)
    return _advance(request, run)


def _advance(request, run):
    """Import the next batch; the summary when it was the last, else the progress page."""
    entry = importing.import_advance(actor=request.member, run=run)
    if entry is not None:
        messages.success(request, _("Import done."))
        url = reverse(
            "interaction-import", kwargs={"tenant_slug": request.tenant.slug, "entry_id": entry.pk}
        )
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return _progress_page(request, run)
    return redirect("interaction-import-progress", tenant_slug=request.tenant.slug, token=run.token)


def _progress_page(request, run, *, is_busy=False, status=200):
    return render(
        request,
        "surveys/interactions/progress.html",
        {"run": run, "is_busy": is_busy},
        status=status,
    )


@member_required(Action.MANAGE_SURVEYS)
@_without_cache_gone
def import_progress(request, token):
    try:
        run = importing.run_get(actor=request.member, token=token)
    except ApplicationError as error:
        return _gone(request, error)
    return _progress_page(request, run)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
@_without_cache_gone
def import_continue(request, token):
    try:
        with importing.run_lock(actor=request.member, token=token):
            run = importing.run_get(actor=request.member, token=token)
            return _advance(request, run)
    except Conflict as error:
        # Another window is importing the batch: wait for a click rather than racing it.
        messages.error(request, error.message)
        try:
            run = importing.run_get(actor=request.member, token=token)
        except ApplicationError as gone:
            return _gone(request, gone)
        return _progress_page(request, run, is_busy=True, status=error.status)
    except ApplicationError as error:
        return _gone(request, error)


@member_required(Action.MANAGE_SURVEYS)
def import_summary(request, entry_id):
    return render(
        request,
        "surveys/interactions/summary.html",
        {"summary": selectors.import_summary_for_member_or_404(request.member, entry_id)},
    )


@member_required(Action.MANAGE_SURVEYS)
def import_template(request):
    return HttpResponse(
        selectors.template_csv(request.member),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="interactions.csv"'},
    )
