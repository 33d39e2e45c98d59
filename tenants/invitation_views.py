"""The invitation's page (no sign-in needed): the invitee gives their name and chooses a
password, then is signed in and lands in the workspace. Someone whose address has an account
already signs in with it and joins with one click.

The email's link, ``/accounts/invitation/<token>/``, only remembers the token's hash in the
session and moves on to ``/accounts/invitation/``, as Django's password reset does: the page,
its form and the sign-in then happen at an address without the token, so neither a Referer, a
log nor the sign-in's access record (django-axes stores the path) ever holds it. Both answers
carry the public pages' private headers (``tenants.branding.private``).
"""

from urllib.parse import urlencode

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from tenants import members
from tenants.branding import private
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.member_forms import InvitationAcceptForm

BACKEND = "tenants.auth.EmailOrUsernameBackend"
SESSION_KEY = "loopdesk_invitation"


@never_cache
def invitation_link(request, token: str):
    """The email's link: remember which invitation (its token's hash), drop the token."""
    request.session[SESSION_KEY] = members.invitation_token_hash(token)
    return private(redirect("invitation-accept"))


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def invitation_accept(request):
    invitation = members.invitation_find(request.session.get(SESSION_KEY, ""))
    if invitation is None:
        return _closed(request, _("This invitation link is not valid."), status=404)
    if invitation.accepted_at is not None:
        return _closed(
            request, _("This invitation was accepted already: sign in to work."), status=410
        )
    if invitation.withdrawn_at is not None or not invitation.tenant.is_active:
        return _closed(request, _("This invitation was withdrawn."), status=410)
    if not members.invitation_is_open(invitation):
        return _closed(
            request,
            _("This invitation has expired. Ask an admin of the workspace to send it again."),
            status=410,
        )
    account = members.invitation_account(invitation)
    context = {"invitation": invitation, "workspace": invitation.tenant}
    if account is not None and account.has_usable_password():
        return _join_with_account(request, invitation, account, context)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = members.invitation_accept(
                invitation=invitation,
                user=None,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as error:
            show_application_error(form, error)
        else:
            return _enter(request, membership)
    return private(
        render(
            request,
            "registration/invitation_accept.html",
            {**context, "form": form},
            status=400 if form.errors else 200,
        )
    )


def _join_with_account(request, invitation, account, context):
    """The address has an account: signed in as it, one click joins; else sign in first."""
    signed_in_as_it = request.user.is_authenticated and request.user.pk == account.pk
    if signed_in_as_it and request.method == "POST":
        try:
            membership = members.invitation_accept(invitation=invitation, user=request.user)
        except ApplicationError as error:
            return _closed(request, error.message, status=error.status)
        return _enter(request, membership)
    login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
    return private(
        render(
            request,
            "registration/invitation_join.html",
            {**context, "signed_in_as_it": signed_in_as_it, "login_url": login_url},
        )
    )


def _enter(request, membership):
    request.session.pop(SESSION_KEY, None)
    if request.user.pk != membership.user_id:
        login(request, membership.user, backend=BACKEND)
    return redirect("home", tenant_slug=membership.tenant.slug)


def _closed(request, message: str, *, status: int):
    return private(
        render(request, "registration/invitation_closed.html", {"message": message}, status=status)
    )
