"""The account pages: signing in (password, then the authenticator's code for those who have
one), setting up or removing two-factor sign-in, and choosing a new password from a reset link.

The reset *request* (which writes to the outbox) is ``notifications.password_reset``.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from tenants import two_factor
from tenants.audit import account_audit
from tenants.auth import LoginForm, account_key, locked_out

# A signed-in password waits this long for its code.
PENDING_SECONDS = 5 * 60
PENDING_KEY = "loopdesk_pending_sign_in"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class SignInView(auth_views.LoginView):
    """Django's sign-in; a user with an authenticator is signed in only after its code."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        # The password was right: remember who, for a few minutes, and ask for the code. The
        # user is not signed in until then.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": _safe_next(self.request, self.request.POST.get("next", "")),
        }
        return redirect("login-code")


@sensitive_post_parameters("code")
@never_cache
def sign_in_code(request):
    """The second step of signing in: the authenticator's code."""
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    device = two_factor.confirmed_device(user) if user else None
    if device is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    credentials = {"username": account_key(request, {"username": user.get_username()})}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return locked_out(request, None, credentials)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor.code_matches(device, form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
        # A wrong code is a failed sign-in like a wrong password: it counts towards the lock.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    return render(request, "registration/login_code.html", {"form": form})


@login_required
@never_cache
def two_factor_settings(request):
    """Set up an authenticator (the QR code and the secret, confirmed by a code), remove it, or
    — for a session signed in before it was set up — give a code to use the workspace."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    device = two_factor.confirmed_device(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if device is None:
        enrolling = two_factor.device_to_enrol(user)
        if form.is_valid():
            if two_factor.two_factor_confirm(
                user=user, device=enrolling, code=form.cleaned_data["code"]
            ):
                otp_login(request, enrolling)
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect(next_url or "two-factor")
            form.add_error("code", _("That code is not right. Enter the code your app shows now."))
        context = {
            "enrolling": enrolling,
            "qr_svg": two_factor.qr_svg(enrolling),
            "secret": two_factor.secret_text(enrolling),
        }
    else:
        context = {"device": device, "verified": two_factor.is_verified(request)}
        if form.is_valid():
            code = form.cleaned_data["code"]
            if action == "remove":
                if two_factor.two_factor_remove(user=user, code=code):
                    messages.success(request, _("Two-factor sign-in is off."))
                    return redirect("two-factor")
            elif two_factor.code_matches(device, code):
                otp_login(request, device)
                return redirect(next_url or "two-factor")
            form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    response = render(
        request, "registration/two_factor.html", {**context, "form": form, "next": next_url}
    )
    # The page shows the secret: no cache may keep it.
    patch_cache_control(response, no_store=True, private=True)
    return response


# --- choosing a new password from a reset link -------------------------------------------------

RESET_SESSION_KEY = "loopdesk_password_reset"
RESET_SALT = "tenants.password-reset-session"


def _account_state(user) -> str:
    """A digest of what Django's reset token depends on: a reset, a sign-in or a new email
    changes it, which makes a remembered link stop working, as the token does."""
    state = f"{user.pk}:{user.password}:{user.last_login}:{user.email}"
    return salted_hmac(RESET_SALT, state).hexdigest()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page for the reset link, which keeps no token at rest.

    Django's own view moves the token from the address into the session (so the page's address,
    which a Referer or a log may show, no longer carries it) — and so stores it in the session
    table. This one stores a signed, dated digest of the account's state instead: proof that a
    good link was opened, useless as a link itself.
    """

    @method_decorator(sensitive_post_parameters())
    @method_decorator(never_cache)
    def dispatch(self, *args, **kwargs):
        self.validlink = False
        self.user = self.get_user(kwargs["uidb64"])
        session = self.request.session
        if self.user is not None:
            if kwargs["token"] != self.reset_url_token:
                if self.token_generator.check_token(self.user, kwargs["token"]):
                    session[RESET_SESSION_KEY] = signing.dumps(
                        _account_state(self.user), salt=RESET_SALT
                    )
                    return redirect(
                        self.request.path.replace(kwargs["token"], self.reset_url_token)
                    )
            elif self._remembered(session.get(RESET_SESSION_KEY, "")):
                self.validlink = True
                return super(auth_views.PasswordResetConfirmView, self).dispatch(*args, **kwargs)
        return self.render_to_response(self.get_context_data())

    def _remembered(self, sealed: str) -> bool:
        try:
            state = signing.loads(sealed, salt=RESET_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        except signing.BadSignature:
            return False
        return state == _account_state(self.user)

    def form_valid(self, form):
        user = form.save()
        self.request.session.pop(RESET_SESSION_KEY, None)
        account_audit(user=user, action="account.password_reset")
        # A new password is the way out of a lock: the account's failed sign-ins are cleared.
        axes_reset(username=account_key(self.request, {"username": user.get_username()}))
        return super(auth_views.PasswordResetConfirmView, self).form_valid(form)
