"""Asking for a password reset: the link goes out through the outbox, so an SMTP outage delays
it and never drops it.

Whether or not an account uses the address, the answer is the same page after the same work
(the email is rendered in both cases; only a real account's is written to the outbox) and no
sooner than ``PASSWORD_RESET_MIN_SECONDS``, so neither the page nor its timing tells who has
an account. Requests are limited per client address and per email address.

The link carries Django's reset token, derived from the account's state (its password hash,
last sign-in, email) and never stored by us: it exists in the outgoing email only. The link is
built on ``SITE_URL``, never on the request's Host header, which a client chooses.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from notifications.services import delivery_enqueue
from tenants import ratelimit, rls
from tenants.rls import all_tenants
from tenants.selectors import memberships_of_user

logger = logging.getLogger(__name__)

# Requests per window, per client address and per email address asked about.
PER_ADDRESS = 10
PER_EMAIL = 3
WINDOW_SECONDS = 60 * 60
FORM_TEMPLATE = "registration/password_reset_form.html"


def _accounts_using(email: str) -> list:
    """Active accounts with a usable password whose email is ``email`` (any case), as Django's
    own reset form finds them."""
    return list(PasswordResetForm().get_users(email))


def _render(*, email: str, user_pk, token: str) -> tuple[str, str]:
    uid = urlsafe_base64_encode(force_bytes(user_pk))
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"email": email, "reset_url": f"{settings.SITE_URL.rstrip('/')}{path}"}
    subject = render_to_string("registration/password_reset_subject.txt", context)
    body = render_to_string("registration/password_reset_email.html", context)
    return " ".join(subject.split()), body


def password_reset_send(*, email: str, language: str) -> int:
    """Queue a reset link to each account using ``email``; how many were queued.

    An account is written to the outbox of its first workspace (a delivery belongs to a
    tenant); an account with no workspace (a superuser of the admin only) gets no email and
    resets with ``manage.py changepassword``. For an unknown address the email is rendered all
    the same and dropped, so both answers cost the same work.
    """
    queued = 0
    with translation.override(language):
        accounts = _accounts_using(email)
        if not accounts:
            _render(
                email=email, user_pk=0, token=default_token_generator.make_token(get_user_model()())
            )
        for user in accounts:
            subject, body = _render(
                email=user.email, user_pk=user.pk, token=default_token_generator.make_token(user)
            )
            with all_tenants():  # the account's own workspaces, across tenants on purpose
                membership = memberships_of_user(user).first()
            if membership is None:
                logger.warning(
                    "Password reset for user %s, who has no workspace: not sent.", user.pk
                )
                continue
            # One email a minute at most: a double-click does not send two links.
            minute = int(time.time() // 60)
            with rls.tenant(membership.tenant):
                delivery_enqueue(
                    tenant=membership.tenant,
                    dedupe_key=f"password-reset-{user.pk}-{minute}",
                    recipient=user.email,
                    subject=subject,
                    body=body,
                )
            queued += 1
    return queued


def _email_key(email: str) -> str:
    # The cache key names no address: a digest of it.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@never_cache
def password_reset_request(request):
    """The "Forgot your password?" form: the same answer whether or not the account exists."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        email = form.cleaned_data["email"]
        client = ratelimit.client_ip(request)
        if not (
            ratelimit.hit(f"password-reset-address:{client}", PER_ADDRESS, WINDOW_SECONDS)
            and ratelimit.hit(
                f"password-reset-email:{_email_key(email)}", PER_EMAIL, WINDOW_SECONDS
            )
        ):
            minutes = ratelimit.seconds_until_next_window(WINDOW_SECONDS) // 60 + 1
            form.add_error(
                None,
                _("Too many reset requests. Try again in %(minutes)s minutes.")
                % {"minutes": minutes},
            )
            return render(
                request, "registration/password_reset_form.html", {"form": form}, status=429
            )
        password_reset_send(email=email, language=translation.get_language())
        # The answer leaves no sooner than the floor, whichever branch ran.
        remaining = settings.PASSWORD_RESET_MIN_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return redirect("password_reset_done")
    return render(request, FORM_TEMPLATE, {"form": form})
