"""Signing in: the email-or-username backend, the sign-in form, and how failed sign-ins lock
(django-axes, configured in settings: ``AXES_*``).

Failures are counted twice, each against its own limit, over the cool-off window:

* per **account**, from every address (``AXES_FAILURE_LIMIT``, 5): spraying passwords at one
  account from many addresses stops there, and one person's typos lock only their account —
  the colleagues behind the same office NAT sign in as usual;
* per **address**, over every account (``LOOPDESK_LOGIN_ADDRESS_FAILURE_LIMIT``, 30): one
  address trying many accounts stops too, at a limit far above what an office's typos reach.

A lock lifts after ``AXES_COOLOFF_TIME``, when an admin unlocks it (``/admin/axes/``,
``manage.py axes_reset_username <email>``), or when the account's password is reset.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tenants import ratelimit


def find_account(login: str):
    """The user a sign-in name stands for: the username, else the email address (any case)."""
    User = get_user_model()
    login = login.strip()
    return (
        User._default_manager.filter(username=login).first()
        or User._default_manager.filter(email__iexact=login).order_by("pk").first()
    )


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the email address (any case) or the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the time a password check takes, so timing does not tell who has an account.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget.attrs["autocomplete"] = "username"


# --- failed sign-ins (django-axes) ------------------------------------------------------------


def account_key(request, credentials: dict | None = None) -> str | None:
    """What an account's failures count under: its email address in lower case (its username
    when it has none), however it was typed — ``BOB@Acme.example`` and ``bob`` are one account.
    A name no account has counts as typed, lower case. (``AXES_USERNAME_CALLABLE``.)"""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return None
    cached = getattr(request, "_account_keys", None)
    if cached is None:
        cached = {}
        if request is not None:
            request._account_keys = cached
    if typed not in cached:
        user = find_account(typed)
        cached[typed] = (
            (user.email or user.get_username()).lower() if user else typed.strip().lower()
        )
    return cached[typed]


def client_address(request) -> str | None:
    """The client's address as the rate limits see it (``TRUSTED_PROXIES``; an IPv6 client by
    its /64 network, written as that network's first address). (``AXES_CLIENT_IP_CALLABLE``.)"""
    key = ratelimit.client_ip(request)
    return None if key == "unknown" else key.split("/")[0]


class LoginAttempts(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a higher one per address.

    ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` gives the two counts, in that
    order; axes compares one number with ``AXES_FAILURE_LIMIT``, so an address over its own
    limit reports the account limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOOPDESK_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears its account's failures, not its address's: an attacker
        with one account of their own must not wipe the count of their guesses at others."""
        username = account_key(request, credentials)
        return self.reset_attempts(username=username) if username else 0


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page, saying that signing in is locked, for how long and what to do
    (``AXES_LOCKOUT_CALLABLE``); 429 like axes' own answer."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/login.html",
        {"form": LoginForm(request, initial={"username": typed}), "locked_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
