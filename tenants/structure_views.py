"""The brands, touchpoints and departments settings pages (``tenants.settings_pages`` is the
pattern): lists, add and edit forms, and the department tree's add, rename, move and close.
Another tenant's id in an address is a 404, the same as an id that does not exist."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenants import selectors
from tenants.brand_services import brand_save
from tenants.branding import accent_of, contrast_ratio, ink_on
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.models import Brand, Department, Touchpoint
from tenants.settings_pages import render_settings, settings_page
from tenants.structure import (
    department_add,
    department_close,
    department_move,
    department_rename,
    department_reopen,
    touchpoint_save,
)
from tenants.structure_forms import (
    BrandForm,
    DepartmentAddForm,
    DepartmentMoveForm,
    DepartmentRenameForm,
    TouchpointForm,
)


def _own(model, request, pk: int):
    """The tenant's row, or the 404 of a row that does not exist."""
    return get_object_or_404(model.objects.for_tenant(request.tenant), pk=pk)


# --- brands ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@settings_page
def brands(request):
    rows = list(selectors.settings_brands(request.member))
    for brand in rows:
        brand.colour = accent_of(brand)  # a row written around validation draws the default
        brand.contrast = contrast_ratio(brand.colour, ink_on(brand.colour))
    return render_settings(request, "settings/brands.html", {"brands": rows})


@require_http_methods(["GET", "POST"])
@settings_page
def brand_add(request):
    return _brand_form(request, brand=None)


@require_http_methods(["GET", "POST"])
@settings_page
def brand_edit(request, brand_id: int):
    return _brand_form(request, brand=_own(Brand, request, brand_id))


def _brand_form(request, *, brand: Brand | None):
    form = BrandForm(
        request.POST or None, request.FILES or None, initial=BrandForm.initial_for(brand)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = brand_save(actor=request.member, brand=brand, **form.values())
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The brand %(name)s is saved.") % {"name": saved.name})
            return redirect("settings-brands", tenant_slug=request.tenant.slug)
    return render_settings(
        request,
        "settings/brand_form.html",
        {"form": form, "brand": brand},
        status=400 if form.errors else 200,
    )


# --- touchpoints -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@settings_page
def touchpoints(request):
    return render_settings(
        request,
        "settings/touchpoints.html",
        {"touchpoints": selectors.settings_touchpoints(request.member)},
    )


@require_http_methods(["GET", "POST"])
@settings_page
def touchpoint_add(request):
    return _touchpoint_form(request, touchpoint=None)


@require_http_methods(["GET", "POST"])
@settings_page
def touchpoint_edit(request, touchpoint_id: int):
    return _touchpoint_form(request, touchpoint=_own(Touchpoint, request, touchpoint_id))


def _touchpoint_form(request, *, touchpoint: Touchpoint | None):
    form = TouchpointForm(
        request.POST or None,
        initial=TouchpointForm.initial_for(touchpoint),
        tenant=request.tenant,
        touchpoint=touchpoint,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = touchpoint_save(
                actor=request.member, touchpoint=touchpoint, **form.cleaned_data
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The touchpoint %(name)s is saved.") % {"name": saved.name})
            return redirect("settings-touchpoints", tenant_slug=request.tenant.slug)
    return render_settings(
        request,
        "settings/touchpoint_form.html",
        {"form": form, "touchpoint": touchpoint},
        status=400 if form.errors else 200,
    )


# --- the department tree -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@settings_page
def departments(request):
    return _departments_page(request, DepartmentAddForm(tenant=request.tenant))


@require_POST
@settings_page
def department_new(request):
    form = DepartmentAddForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        try:
            department = department_add(actor=request.member, **form.cleaned_data)
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(
                request, _("The department %(name)s is added.") % {"name": department.name}
            )
            return redirect("settings-departments", tenant_slug=request.tenant.slug)
    return _departments_page(request, form)


def _departments_page(request, add_form):
    return render_settings(
        request,
        "settings/departments.html",
        {"departments": selectors.settings_departments(request.member), "add_form": add_form},
        status=400 if add_form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@settings_page
def department_edit(request, department_id: int):
    """The department's page: rename (this address's POST), move and close."""
    department = _own(Department, request, department_id)
    rename_form = DepartmentRenameForm(request.POST or None, initial={"name": department.name})
    if request.method == "POST" and rename_form.is_valid():
        try:
            department_rename(
                actor=request.member, department=department, **rename_form.cleaned_data
            )
        except ApplicationError as error:
            show_application_error(rename_form, error)
        else:
            messages.success(request, _("The department is renamed."))
            return redirect("settings-departments", tenant_slug=request.tenant.slug)
    return _department_page(request, department, rename_form=rename_form)


@require_POST
@settings_page
def department_relocate(request, department_id: int):
    department = _own(Department, request, department_id)
    form = DepartmentMoveForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        try:
            department_move(actor=request.member, department=department, **form.cleaned_data)
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The department is moved, with everything below it."))
            return redirect("settings-departments", tenant_slug=request.tenant.slug)
    return _department_page(request, department, move_form=form)


@require_POST
@settings_page
def department_shut(request, department_id: int):
    return _open_or_close(request, department_id, department_close, _("The department is closed."))


@require_POST
@settings_page
def department_open_again(request, department_id: int):
    return _open_or_close(
        request, department_id, department_reopen, _("The department is open again.")
    )


def _open_or_close(request, department_id: int, service, done: str):
    department = _own(Department, request, department_id)
    form = forms.Form(request.POST)
    try:
        service(actor=request.member, department=department)
    except ApplicationError as error:
        show_application_error(form, error)
        return _department_page(request, department, close_form=form)
    messages.success(request, done)
    return redirect("settings-departments", tenant_slug=request.tenant.slug)


def _department_page(request, department, *, rename_form=None, move_form=None, close_form=None):
    rename_form = rename_form or DepartmentRenameForm(initial={"name": department.name})
    move_form = move_form or DepartmentMoveForm(
        initial={"parent": department.parent_id}, tenant=request.tenant
    )
    close_form = close_form or forms.Form()
    failed = rename_form.errors or move_form.errors or close_form.errors
    return render_settings(
        request,
        "settings/department.html",
        {
            "department": department,
            "rename_form": rename_form,
            "move_form": move_form,
            "close_form": close_form,
        },
        status=400 if failed else 200,
    )
