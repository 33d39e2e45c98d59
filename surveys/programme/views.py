"""The survey programme's settings page (``tenants.settings_pages`` is the pattern)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from surveys.models import SurveyRule, survey_settings_for
from surveys.programme.forms import ProgrammeForm
from surveys.programme.services import survey_settings_update
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.permissions import Action, member_can
from tenants.settings_pages import render_settings, settings_page


@settings_page
def programme(request):
    form = ProgrammeForm(
        request.POST or None,
        initial=ProgrammeForm.initial_for(survey_settings_for(request.tenant)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_settings_update(actor=request.member, **form.values())
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The survey programme is saved."))
            return redirect("settings-surveys", tenant_slug=request.tenant.slug)
    # Sampling is each rule's: listed here, changed on the rules' pages.
    rules = (
        SurveyRule.objects.for_tenant(request.tenant)
        .select_related("survey", "brand", "touchpoint")
        .order_by("order", "pk")
    )
    return render_settings(
        request,
        "settings/surveys.html",
        {
            "form": form,
            "rules": rules,
            "can_manage_rules": member_can(request.member, Action.MANAGE_SURVEYS),
        },
        status=400 if form.errors else 200,
    )
