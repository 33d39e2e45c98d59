"""The organisation's settings pages (``tenants.settings_pages`` is the pattern)."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants import selectors, services
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.settings_forms import ClosureForm, OrganisationForm
from tenants.settings_pages import SETTINGS_SECTIONS, render_settings, settings_page


@settings_page
def settings_index(request):
    return redirect(SETTINGS_SECTIONS[0].url_name, tenant_slug=request.tenant.slug)


@settings_page
def organisation(request):
    form = OrganisationForm(
        request.POST or None, initial=OrganisationForm.initial_for(request.tenant)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.member, **form.values())
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The organisation's settings are saved."))
            return redirect("settings-organisation", tenant_slug=request.tenant.slug)
    return _organisation_page(request, form=form, closure_form=ClosureForm())


@require_POST
@settings_page
def closure_add(request):
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            services.closure_set(
                tenant=request.tenant,
                actor=request.user,
                day=form.cleaned_data["day"],
                name=form.cleaned_data["name"],
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The day is closed."))
            return redirect("settings-organisation", tenant_slug=request.tenant.slug)
    organisation_form = OrganisationForm(initial=OrganisationForm.initial_for(request.tenant))
    return _organisation_page(request, form=organisation_form, closure_form=form)


@require_POST
@settings_page
def closure_remove(request, day: str):
    try:
        closed_day = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not services.closure_remove(tenant=request.tenant, actor=request.user, day=closed_day):
        raise Http404
    messages.success(request, _("The day is open again."))
    return redirect("settings-organisation", tenant_slug=request.tenant.slug)


def _organisation_page(request, *, form, closure_form):
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if abs(year - this_year) > 10:
        year = this_year
    return render_settings(
        request,
        "settings/organisation.html",
        {
            "form": form,
            "closure_form": closure_form,
            "year": year,
            "closures": selectors.closures(request.member, year=year),
            "holidays": selectors.public_holidays(request.member, year=year),
        },
        status=400 if form.errors or closure_form.errors else 200,
    )
