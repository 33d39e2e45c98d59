"""Signing in safely: failed sign-ins lock (per account, per address), an admin unlocks,
two-factor sign-in, the tenant's rule for admins and managers, and sessions that end.

The password reset (outbox, rate limits, same answer for everyone) is in
``tests/notifications/test_password_reset.py``.
"""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.models import AuditEntry
from tests.factories import PASSWORD, UserFactory
from tests.test_csp import assert_nothing_inline

LOCKED = "Signing in is locked after too many failed attempts. Try again in 15 minutes."


def sign_in(client, login: str, password: str, address: str = "127.0.0.1", **data):
    return client.post(
        reverse("login"), {"username": login, "password": password, **data}, REMOTE_ADDR=address
    )


def current_code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows now (django-otp's own TOTP, RFC 6238)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def signed_in_user_id(client) -> int | None:
    return int(client.session[SESSION_KEY]) if SESSION_KEY in client.session else None


# --- lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_message_saying_for_how_long(
    client, acme_agent
):
    for _ in range(4):
        assert sign_in(client, "bob@acme.example", "wrong").status_code == 200

    fifth = sign_in(client, "bob@acme.example", "wrong")
    # even the right password is refused now
    sixth = sign_in(client, "bob@acme.example", PASSWORD)

    for response in (fifth, sixth):
        assert response.status_code == 429
        text = " ".join(response.content.decode().split())
        assert LOCKED in text
        assert "a new password also unlocks your account" in text
        assert 'value="bob@acme.example"' in text
    assert signed_in_user_id(client) is None


def test_the_lock_is_translated(client, acme_agent):
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong", HTTP_ACCEPT_LANGUAGE="el")

    response = client.post(
        reverse("login"),
        {"username": "bob@acme.example", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="el",
    )

    assert response.status_code == 429
    assert "Η σύνδεση κλειδώθηκε" in response.content.decode()


def test_one_persons_typos_do_not_lock_colleagues_behind_the_same_address(
    client, acme_agent, acme_manager
):
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong", address="203.0.113.7")

    response = sign_in(client, "mario@acme.example", PASSWORD, address="203.0.113.7")

    assert response.status_code == 302
    assert signed_in_user_id(client) == acme_manager.user.pk


def test_spraying_one_account_from_many_addresses_locks_it_everywhere(client, acme_agent):
    # however the name is typed: username, email in any case
    for n, login in enumerate(["bob@acme.example", "BOB@Acme.Example", " bob@acme.example "] * 2):
        sign_in(client, login, "wrong", address=f"198.51.100.{n + 1}")

    response = sign_in(client, "bob@acme.example", PASSWORD, address="192.0.2.99")

    assert response.status_code == 429
    assert signed_in_user_id(client) is None


def test_one_address_trying_many_accounts_is_locked(client, acme_agent, settings):
    settings.LOOPDESK_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(8):
        sign_in(client, f"guess{n}@acme.example", "wrong", address="203.0.113.50")

    from_there = sign_in(client, "bob@acme.example", PASSWORD, address="203.0.113.50")
    from_elsewhere = sign_in(client, "bob@acme.example", PASSWORD, address="203.0.113.51")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, acme_agent):
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = sign_in(client, "bob@acme.example", PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == acme_agent.user.pk


def test_a_successful_sign_in_clears_the_accounts_earlier_failures(client, acme_agent):
    for _ in range(4):
        sign_in(client, "bob@acme.example", "wrong")
    sign_in(client, "bob@acme.example", PASSWORD)
    client.post(reverse("logout"))

    for _ in range(4):
        sign_in(client, "bob@acme.example", "wrong")
    response = sign_in(client, "bob@acme.example", PASSWORD)

    assert response.status_code == 302


def test_an_admin_unlocks_the_account_in_the_admin(client, acme_agent, admin_user):
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong")
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == "bob@acme.example"
    assert "wrong" not in attempt.post_data  # the password is never kept

    admin = client.__class__()
    admin.force_login(admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert "bob@acme.example" in listing.content.decode()
    admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert AccessAttempt.objects.count() == 0
    assert sign_in(client, "bob@acme.example", PASSWORD).status_code == 302


def test_an_operator_unlocks_the_account_from_the_command_line(client, acme_agent):
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong")

    call_command("axes_reset_username", "bob@acme.example", stdout=StringIO())

    assert sign_in(client, "bob@acme.example", PASSWORD).status_code == 302


# --- two-factor sign-in -------------------------------------------------------------------------


@pytest.fixture
def bobs_device(acme_agent):
    return TOTPDevice.objects.create(user=acme_agent.user, name="phone", confirmed=True)


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, acme_agent, bobs_device):
    response = sign_in(client, "bob@acme.example", PASSWORD, next="/acme/team/")

    assert response["Location"] == reverse("login-code")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("home", kwargs={"tenant_slug": "acme"})).status_code == 302
    page = client.get(reverse("login-code"))
    assert "Code from your authenticator app" in page.content.decode()


def test_the_right_code_signs_in_and_a_wrong_one_does_not(client, acme_agent, bobs_device):
    sign_in(client, "bob@acme.example", PASSWORD)

    wrong = client.post(reverse("login-code"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert signed_in_user_id(client) is None

    bobs_device.refresh_from_db()
    bobs_device.throttling_failure_count = 0  # django-otp slows a retry after a wrong code
    bobs_device.save()
    right = client.post(reverse("login-code"), {"code": current_code(bobs_device)})

    assert right["Location"] == reverse("workspace-picker")
    assert signed_in_user_id(client) == acme_agent.user.pk
    assert client.get(reverse("home", kwargs={"tenant_slug": "acme"})).status_code == 200


def test_wrong_codes_count_towards_the_lock(client, acme_agent, bobs_device):
    sign_in(client, "bob@acme.example", PASSWORD)
    for _ in range(5):
        TOTPDevice.objects.filter(pk=bobs_device.pk).update(throttling_failure_count=0)
        client.post(reverse("login-code"), {"code": "000000"})

    response = client.post(reverse("login-code"), {"code": current_code(bobs_device)})

    assert response.status_code == 429
    assert LOCKED in " ".join(response.content.decode().split())
    assert signed_in_user_id(client) is None


def test_the_code_page_without_a_password_first_sends_back_to_sign_in(client, acme_agent):
    response = client.post(reverse("login-code"), {"code": "123456"})

    assert response["Location"] == reverse("login")


def test_everyone_can_enrol_an_authenticator_with_a_qr_code_and_remove_it(client_of, acme_agent):
    client = client_of(acme_agent)

    page = client.get(reverse("two-factor"))
    text = page.content.decode()
    device = TOTPDevice.objects.get(user=acme_agent.user, confirmed=False)
    assert '<svg width="' in text and 'class="segno"' in text  # drawn here, no script
    secret = text.split("<code>")[1].split("</code>")[0].replace(" ", "")
    assert len(secret) == 32
    assert "no-store" in page["Cache-Control"]
    # a reload shows the same secret
    assert secret in client.get(reverse("two-factor")).content.decode().replace(" ", "")

    wrong = client.post(reverse("two-factor"), {"code": "000000", "action": "confirm"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttling_failure_count = 0
    device.save()
    turned_on = client.post(
        reverse("two-factor"), {"code": current_code(device), "action": "confirm"}, follow=True
    )
    assert "Two-factor sign-in is on." in turned_on.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    assert list(
        AuditEntry.objects.for_tenant(acme_agent.tenant_id)
        .filter(action__startswith="account.")
        .values_list("action", "target_id")
    ) == [("account.two_factor_enabled", str(acme_agent.user.pk))]

    # the next code (one step later) turns it off again
    TOTPDevice.objects.filter(pk=device.pk).update(t0=device.t0 - device.step)
    device.refresh_from_db()
    turned_off = client.post(
        reverse("two-factor"), {"code": current_code(device), "action": "remove"}, follow=True
    )
    assert "Two-factor sign-in is off." in turned_off.content.decode()
    assert not TOTPDevice.objects.filter(user=acme_agent.user, confirmed=True).exists()


def test_the_two_factor_pages_have_nothing_inline_the_policy_would_refuse(
    client, acme_agent, bobs_device
):
    # the QR code is inline SVG markup: no script, no style attribute
    other = client.__class__()
    other.force_login(UserFactory(username="zoe@acme.example"))
    assert_nothing_inline(other.get(reverse("two-factor")))
    sign_in(client, "bob@acme.example", PASSWORD)
    assert_nothing_inline(client.get(reverse("login-code")))
    for _ in range(5):
        sign_in(client, "bob@acme.example", "wrong")
    locked = sign_in(client, "bob@acme.example", "wrong")
    assert locked.status_code == 429
    locked.status_code = 200  # the locked sign-in page, checked like any page
    assert_nothing_inline(locked)


# --- the tenant's rule for admins and managers --------------------------------------------------


@pytest.fixture
def acme_requires_two_factor(acme):
    acme.require_two_factor_for_managers = True
    acme.save()
    return acme


def test_a_manager_without_an_authenticator_is_sent_to_set_one_up(
    client_of, acme_requires_two_factor, acme_manager
):
    client = client_of(acme_manager)
    team = reverse("team", kwargs={"tenant_slug": "acme"})

    response = client.get(team)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two-factor')}?next=%2Facme%2Fteam%2F"
    page = client.get(response["Location"])
    assert "Your workspace asks admins and managers" in page.content.decode()

    device = TOTPDevice.objects.get(user=acme_manager.user)
    done = client.post(
        reverse("two-factor"), {"code": current_code(device), "action": "confirm", "next": team}
    )
    assert done["Location"] == team
    assert client.get(team).status_code == 200


def test_the_rule_asks_a_session_signed_in_without_the_code_for_one(
    client_of, acme_requires_two_factor, acme_admin
):
    device = TOTPDevice.objects.create(user=acme_admin.user, name="phone", confirmed=True)
    client = client_of(acme_admin)  # a session from before the device
    home = reverse("home", kwargs={"tenant_slug": "acme"})

    assert client.get(home).status_code == 302
    client.post(reverse("two-factor"), {"code": current_code(device), "action": "verify"})

    assert client.get(home).status_code == 200


def test_the_rule_leaves_agents_alone(client_of, acme_requires_two_factor, acme_agent):
    response = client_of(acme_agent).get(reverse("home", kwargs={"tenant_slug": "acme"}))

    assert response.status_code == 200


def test_without_the_rule_a_manager_signs_in_without_a_code(client_of, acme_manager):
    response = client_of(acme_manager).get(reverse("home", kwargs={"tenant_slug": "acme"}))

    assert response.status_code == 200


# --- sessions -----------------------------------------------------------------------------------


def test_the_session_cookie_ends_with_the_browser_and_the_session_after_eight_hours(
    client, acme_agent, settings
):
    response = sign_in(client, "bob@acme.example", PASSWORD)

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert response.cookies["sessionid"]["max-age"] == ""  # no expiry: a browser session
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_half_an_hour_without_activity_signs_out(client_of, acme_agent, clock):
    client = client_of(acme_agent)
    home = reverse("home", kwargs={"tenant_slug": "acme"})
    start = timezone.now()
    clock(start)
    assert client.get(home).status_code == 200

    # the bell polling in an open tab is no activity
    clock(start + timedelta(minutes=20))
    client.get(reverse("notification-count", kwargs={"tenant_slug": "acme"}))
    clock(start + timedelta(minutes=29))
    assert client.get(home).status_code == 200

    clock(start + timedelta(minutes=60))
    response = client.get(home, follow=True)

    assert response.redirect_chain[0][0] == f"{reverse('login')}?next=/acme/"
    assert "Your session has ended: please sign in again." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_even_a_busy_session_ends_after_its_maximum_age(client_of, acme_agent, clock, settings):
    settings.LOOPDESK_SESSION_MAX_HOURS = 2
    client = client_of(acme_agent)
    home = reverse("home", kwargs={"tenant_slug": "acme"})
    start = timezone.now()
    for minutes in range(0, 120, 20):
        clock(start + timedelta(minutes=minutes))
        assert client.get(home).status_code == 200

    clock(start + timedelta(minutes=121))

    assert client.get(home).status_code == 302
    assert signed_in_user_id(client) is None


def test_the_idle_limit_is_a_setting(client_of, acme_agent, clock, settings):
    settings.LOOPDESK_SESSION_IDLE_MINUTES = 5
    client = client_of(acme_agent)
    home = reverse("home", kwargs={"tenant_slug": "acme"})
    start = timezone.now()
    clock(start)
    client.get(home)

    clock(start + timedelta(minutes=6))

    assert client.get(home).status_code == 302


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short1x", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("2024061512345", "This password is entirely numeric."),
    ],
)
def test_a_weak_new_password_is_refused_on_the_change_form(client, password, error, db):
    user = UserFactory(username="zoe@acme.example")
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert error in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
