"""The complaint settings pages: categories, root causes, the handling settings and the
priority matrix (SLA policies and routing rules: ``complaints.settings_rule_views``).

``tenants.settings_pages`` is the pattern: admins write, managers read, other roles 403;
every write is one service call; a row of another tenant in the address is the 404 of a
missing one, looked up before the form is read.
"""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaints import setup_selectors as selectors
from complaints import setup_services as services
from complaints.selectors import complaint_settings
from complaints.settings_forms import (
    ActiveForm,
    CategoryForm,
    ComplaintSettingsForm,
    NameForm,
    PriorityMatrixForm,
    RootCauseForm,
)
from tenants.errors import ApplicationError
from tenants.settings_pages import render_settings, saved, settings_page, write

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])


# --- categories -----------------------------------------------------------------------------


@GET_OR_POST
@settings_page
def categories(request):
    form = CategoryForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and write(
        form, lambda data: services.category_add(actor=request.member, **data)
    ):
        return saved(request, "settings-complaint-categories", _("The category is added."))
    return render_settings(
        request,
        "settings/complaints/categories.html",
        {"form": form, "categories": selectors.category_tree(request.tenant.pk)},
        status=400 if form.errors else 200,
    )


@GET_OR_POST
@settings_page
def category_edit(request, category_id: int):
    category = selectors.category_or_404(request.member, category_id)
    form = NameForm(request.POST or None, initial={"name": category.name})
    if request.method == "POST" and write(
        form,
        lambda data: services.category_rename(
            actor=request.member, category=category, name=data["name"]
        ),
    ):
        return saved(request, "settings-complaint-categories", _("The category is renamed."))
    return render_settings(
        request,
        "settings/complaints/rename.html",
        {
            "form": form,
            "row": category,
            "heading": _("Rename the category"),
            "back": "settings-complaint-categories",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@settings_page
def category_active(request, category_id: int):
    category = selectors.category_or_404(request.member, category_id)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Say whether it is active."))
    is_active = form.cleaned_data["is_active"]
    services.category_set_active(actor=request.member, category=category, is_active=is_active)
    message = _("The category is active.") if is_active else _("The category is inactive.")
    return saved(request, "settings-complaint-categories", message)


# --- root causes ----------------------------------------------------------------------------


@GET_OR_POST
@settings_page
def root_causes(request):
    form = RootCauseForm(request.POST or None)
    if request.method == "POST" and write(
        form, lambda data: services.root_cause_add(actor=request.member, **data)
    ):
        return saved(request, "settings-root-causes", _("The root cause is added."))
    return render_settings(
        request,
        "settings/complaints/root_causes.html",
        {"form": form, "causes": selectors.all_root_causes(request.tenant.pk)},
        status=400 if form.errors else 200,
    )


@GET_OR_POST
@settings_page
def root_cause_edit(request, cause_id: int):
    cause = selectors.root_cause_or_404(request.member, cause_id)
    form = NameForm(request.POST or None, initial={"name": cause.name})
    if request.method == "POST" and write(
        form,
        lambda data: services.root_cause_rename(
            actor=request.member, cause=cause, name=data["name"]
        ),
    ):
        return saved(request, "settings-root-causes", _("The root cause is renamed."))
    return render_settings(
        request,
        "settings/complaints/rename.html",
        {
            "form": form,
            "row": cause,
            "heading": _("Rename the root cause"),
            "back": "settings-root-causes",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@settings_page
def root_cause_active(request, cause_id: int):
    cause = selectors.root_cause_or_404(request.member, cause_id)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Say whether it is active."))
    is_active = form.cleaned_data["is_active"]
    services.root_cause_set_active(actor=request.member, cause=cause, is_active=is_active)
    message = _("The root cause is active.") if is_active else _("The root cause is inactive.")
    return saved(request, "settings-root-causes", message)


# --- handling settings and the priority matrix ----------------------------------------------


@GET_OR_POST
@settings_page
def handling(request):
    row = complaint_settings(request.tenant.pk)
    form = ComplaintSettingsForm(
        request.POST or None, initial=ComplaintSettingsForm.initial_for(row)
    )
    if request.method == "POST" and write(
        form, lambda data: services.complaint_settings_update(actor=request.member, **data)
    ):
        return saved(request, "settings-complaint-handling", _("The settings are saved."))
    matrix_form = PriorityMatrixForm(initial=PriorityMatrixForm.initial_for(row))
    return _handling_page(request, form, matrix_form)


@require_POST
@settings_page
def priority_matrix(request):
    row = complaint_settings(request.tenant.pk)
    matrix_form = PriorityMatrixForm(request.POST)
    if write(
        matrix_form,
        lambda data: services.priority_matrix_update(
            actor=request.member, matrix=matrix_form.matrix()
        ),
    ):
        return saved(request, "settings-complaint-handling", _("The priority matrix is saved."))
    form = ComplaintSettingsForm(initial=ComplaintSettingsForm.initial_for(row))
    return _handling_page(request, form, matrix_form)


def _handling_page(request, form, matrix_form):
    return render_settings(
        request,
        "settings/complaints/handling.html",
        {"form": form, "matrix_form": matrix_form},
        status=400 if form.errors or matrix_form.errors else 200,
    )
