"""Signing in with an authenticator app, in a browser: the password, then the app's code."""

from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD


@override_settings(DEBUG=True)
def test_signing_in_with_an_authenticator_asks_for_its_code(live_server, page, acme_agent):
    device = TOTPDevice.objects.create(user=acme_agent.user, name="phone", confirmed=True)

    page.goto(f"{live_server.url}/acme/")
    page.get_by_label("Email").fill("bob@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/code/")
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(f"{live_server.url}/acme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Insurance")
