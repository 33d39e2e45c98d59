"""The managers' survey builder: surveys, their draft's questions, preview, publishing, rules.

Thin: parse, call ``surveys.builder``, render. Members with ``VIEW_SURVEYS`` read every page;
the writes need ``MANAGE_SURVEYS``.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys.builder import forms, publishing, questions, rules, selectors
from surveys.models import MAX_QUESTIONS, SurveyVersion
from tenants.decorators import member_required
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.permissions import Action, member_can


def _to_survey(request, survey):
    return redirect("survey-detail", tenant_slug=request.tenant.slug, survey_id=survey.pk)


@member_required(Action.VIEW_SURVEYS)
def survey_list(request):
    return render(
        request,
        "surveys/builder/list.html",
        {
            "surveys": selectors.surveys_overview(request.member),
            "can_manage": member_can(request.member, Action.MANAGE_SURVEYS),
        },
    )


@member_required(Action.MANAGE_SURVEYS)
def survey_new(request):
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = publishing.survey_create(actor=request.member, name=form.cleaned_data["name"])
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("Survey created. Add its questions to draft 1."))
            return _to_survey(request, survey)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/builder/new.html", {"form": form}, status=status)


def _detail_context(request, survey, **bound_forms) -> dict:
    versions = selectors.survey_versions(survey)
    published, draft = selectors.current_versions(versions)
    # The draft is what a manager works on; without one, the published version is shown.
    shown = draft or published or (versions[0] if versions else None)
    questions = selectors.questions_of(shown) if shown else []
    return {
        "survey": survey,
        "versions": versions,
        "published": published,
        "draft": draft,
        "shown": shown,
        "questions": questions,
        "problems": publishing.publish_problems(questions) if draft else [],
        "is_full": len(questions) >= MAX_QUESTIONS,
        "max_questions": MAX_QUESTIONS,
        "rules": selectors.rules_overview(request.member, survey=survey),
        "can_manage": member_can(request.member, Action.MANAGE_SURVEYS),
        "update_form": bound_forms.get("update")
        or forms.SurveyUpdateForm(initial={"name": survey.name, "is_active": survey.is_active}),
    }


@member_required(Action.VIEW_SURVEYS)
def survey_detail(request, survey_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    return render(request, "surveys/builder/detail.html", _detail_context(request, survey))


def _refused(request, survey, error: ApplicationError, **bound_forms):
    messages.error(request, error.message)
    return render(
        request,
        "surveys/builder/detail.html",
        _detail_context(request, survey, **bound_forms),
        status=error.status,
    )


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def survey_update(request, survey_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    form = forms.SurveyUpdateForm(request.POST)
    if not form.is_valid():
        return _refused(request, survey, ApplicationError(_("Not saved: see below.")), update=form)
    try:
        publishing.survey_update(actor=request.member, survey=survey, **form.cleaned_data)
    except ApplicationError as error:
        show_application_error(form, error)
        return _refused(request, survey, error, update=form)
    messages.success(request, _("Saved."))
    return _to_survey(request, survey)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def draft_start(request, survey_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    draft = publishing.draft_open(actor=request.member, survey=survey)
    messages.success(
        request,
        _("You are editing draft %(number)s; the published version stays live until you publish.")
        % {"number": draft.number},
    )
    return _to_survey(request, survey)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def publish(request, survey_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    draft = selectors.draft_of(survey)
    try:
        if draft is None:
            raise ApplicationError(_("There is no draft to publish."))
        version = publishing.version_publish(actor=request.member, version=draft)
    except ApplicationError as error:
        return _refused(request, survey, error)
    messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
    return _to_survey(request, survey)


def _draft_or_redirect(request, survey):
    """The survey's draft, or (None, a redirect back) when there is none to edit."""
    draft = selectors.draft_of(survey)
    if draft is None:
        messages.error(request, _("Published versions are never edited: start a new draft."))
        return None, _to_survey(request, survey)
    return draft, None


def _question_page(request, survey, form, *, question=None, status=200):
    return render(
        request,
        "surveys/builder/question_form.html",
        {"survey": survey, "form": form, "question": question},
        status=status,
    )


@member_required(Action.MANAGE_SURVEYS)
def question_new(request, survey_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    draft, away = _draft_or_redirect(request, survey)
    if away:
        return away
    form = forms.QuestionForm(request.POST or None, initial={"is_required": True})
    if request.method == "POST":
        if form.is_valid():
            try:
                questions.question_add(
                    actor=request.member, version=draft, **form.service_arguments()
                )
            except ApplicationError as error:
                show_application_error(form, error)
            else:
                messages.success(request, _("Question added."))
                return _to_survey(request, survey)
        return _question_page(request, survey, form, status=400)
    return _question_page(request, survey, form)


@member_required(Action.MANAGE_SURVEYS)
def question_edit(request, survey_id, question_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    question = selectors.question_or_404(survey, question_id)
    if question.version.status != SurveyVersion.Status.DRAFT:
        messages.error(request, _("Published versions are never edited: start a new draft."))
        return _to_survey(request, survey)
    form = forms.QuestionForm(
        request.POST or None, initial=forms.QuestionForm.initial_for(question)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                questions.question_update(
                    actor=request.member, question=question, **form.service_arguments()
                )
            except ApplicationError as error:
                show_application_error(form, error)
            else:
                messages.success(request, _("Question saved."))
                return _to_survey(request, survey)
        return _question_page(request, survey, form, question=question, status=400)
    return _question_page(request, survey, form, question=question)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def question_move(request, survey_id, question_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    question = selectors.question_or_404(survey, question_id)
    form = forms.MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Move a question up or down."))
        questions.question_move(actor=request.member, question=question, offset=form.offset)
    except ApplicationError as error:
        return _refused(request, survey, error)
    return _to_survey(request, survey)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def question_delete(request, survey_id, question_id):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    question = selectors.question_or_404(survey, question_id)
    try:
        questions.question_delete(actor=request.member, question=question)
    except ApplicationError as error:
        return _refused(request, survey, error)
    messages.success(request, _("Question removed."))
    return _to_survey(request, survey)


@member_required(Action.VIEW_SURVEYS)
def preview(request, survey_id, number):
    survey = selectors.survey_for_member_or_404(request.member, survey_id)
    version = selectors.version_or_404(survey, number)
    language = selectors.preview_language(request.GET.get("lang"), request.tenant.default_language)
    return render(
        request,
        "surveys/builder/preview.html",
        {
            "survey": survey,
            "version": version,
            "language": language,
            "language_name": dict(settings.LANGUAGES)[language],
            "preview_languages": settings.LANGUAGES,
            "questions": selectors.survey_preview(
                version, language, request.tenant.default_language
            ),
        },
    )


# --- rules --------------------------------------------------------------------------------


@member_required(Action.VIEW_SURVEYS)
def rule_list(request):
    return render(
        request,
        "surveys/builder/rules.html",
        {
            "rules": selectors.rules_overview(request.member),
            "can_manage": member_can(request.member, Action.MANAGE_SURVEYS),
        },
    )


def _rule_page(request, form, *, rule=None, status=200):
    return render(
        request, "surveys/builder/rule_form.html", {"form": form, "rule": rule}, status=status
    )


@member_required(Action.MANAGE_SURVEYS)
def rule_new(request):
    initial = {}
    if request.GET.get("survey", "").isdigit():
        initial["survey"] = int(request.GET["survey"])
    form = forms.RuleForm(request.POST or None, initial=initial, tenant=request.tenant)
    if request.method == "POST":
        if form.is_valid():
            try:
                rules.rule_create(actor=request.member, **form.cleaned_data)
            except ApplicationError as error:
                show_application_error(form, error)
            else:
                messages.success(request, _("Rule created."))
                return redirect("survey-rule-list", tenant_slug=request.tenant.slug)
        return _rule_page(request, form, status=400)
    return _rule_page(request, form)


@member_required(Action.MANAGE_SURVEYS)
def rule_edit(request, rule_id):
    rule = selectors.rule_for_member_or_404(request.member, rule_id)
    form = forms.RuleForm(
        request.POST or None, initial=forms.RuleForm.initial_for(rule), tenant=request.tenant
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                rules.rule_update(actor=request.member, rule=rule, **form.cleaned_data)
            except ApplicationError as error:
                show_application_error(form, error)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("survey-rule-list", tenant_slug=request.tenant.slug)
        return _rule_page(request, form, rule=rule, status=400)
    return _rule_page(request, form, rule=rule)


@require_POST
@member_required(Action.MANAGE_SURVEYS)
def rule_delete(request, rule_id):
    rule = selectors.rule_for_member_or_404(request.member, rule_id)
    rules.rule_delete(actor=request.member, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect("survey-rule-list", tenant_slug=request.tenant.slug)
