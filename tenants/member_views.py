"""The members' settings page (``tenants.settings_pages`` is the pattern): the list, invitations,
a member's role and department, deactivating and reactivating."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants import member_selectors as selectors
from tenants import members
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.member_forms import InviteForm, MemberForm
from tenants.paging import page_number
from tenants.settings_pages import render_settings, settings_page


def _to_list(request):
    return redirect("settings-members", tenant_slug=request.tenant.slug)


def _list_page(request, *, invite_form, status=200):
    return render_settings(
        request,
        "settings/members.html",
        {
            "page": selectors.members_page(request.member, number=page_number(request)),
            "invitations": selectors.open_invitations(request.member),
            "invite_form": invite_form,
            "shown_at_most": selectors.OPEN_INVITATIONS_SHOWN,
        },
        status=status,
    )


@settings_page
def members_list(request):
    departments = selectors.tenant_departments(request.member)
    return _list_page(request, invite_form=InviteForm(departments=departments))


@require_POST
@settings_page
def member_invite(request):
    form = InviteForm(request.POST, departments=selectors.tenant_departments(request.member))
    if form.is_valid():
        try:
            invitation = members.member_invite(actor=request.member, **form.cleaned_data)
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
            )
            return _to_list(request)
    return _list_page(request, invite_form=form, status=400)


@settings_page
def member_detail(request, membership_id: int):
    membership = selectors.membership_or_404(request.member, membership_id)
    departments = selectors.tenant_departments(request.member)
    form = MemberForm(
        request.POST or None,
        departments=departments,
        initial={"role": membership.role, "department": membership.department_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            members.membership_change(
                actor=request.member, membership=membership, **form.cleaned_data
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            messages.success(request, _("The member's role and department are saved."))
            return _to_list(request)
    return render_settings(
        request,
        "settings/member.html",
        {"membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


def _act(request, service, done: str, **target):
    try:
        service(actor=request.member, **target)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _to_list(request)


@require_POST
@settings_page
def member_deactivate(request, membership_id: int):
    membership = selectors.membership_or_404(request.member, membership_id)
    return _act(
        request,
        members.membership_deactivate,
        _(
            "%(name)s can no longer use this workspace; their open complaints and follow-ups "
            "are back with their departments, unassigned."
        )
        % {"name": _name(membership)},
        membership=membership,
    )


@require_POST
@settings_page
def member_reactivate(request, membership_id: int):
    membership = selectors.membership_or_404(request.member, membership_id)
    return _act(
        request,
        members.membership_reactivate,
        _("%(name)s can use this workspace again.") % {"name": _name(membership)},
        membership=membership,
    )


@require_POST
@settings_page
def invitation_resend(request, invitation_id: int):
    invitation = selectors.invitation_or_404(request.member, invitation_id)
    return _act(
        request,
        members.invitation_resend,
        _("A new invitation is on its way to %(email)s; the earlier link no longer works.")
        % {"email": invitation.email},
        invitation=invitation,
    )


@require_POST
@settings_page
def invitation_withdraw(request, invitation_id: int):
    invitation = selectors.invitation_or_404(request.member, invitation_id)
    return _act(
        request,
        members.invitation_withdraw,
        _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email},
        invitation=invitation,
    )


def _name(membership) -> str:
    return membership.user.get_full_name() or membership.user.email
