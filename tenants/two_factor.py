"""Two-factor sign-in with an authenticator app (TOTP, django-otp): enrolling, confirming and
removing a user's device, and checking a code.

A user has at most one confirmed device. Enrolling makes an unconfirmed one (its secret shown
as a QR code drawn here, as SVG, and as text); the first right code confirms it. Every change is
recorded in the audit trail of each workspace the user belongs to: an account is not one
tenant's, and each tenant's admins see what happened to their members' sign-in.
"""

from base64 import b32encode

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.audit import account_audit

DEVICE_NAME = "Authenticator app"


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def device_to_enrol(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows: the same one on every visit until it
    is confirmed, so a reload does not change the code the user just scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's ``otpauth://`` address as an inline SVG QR code: drawn on the server, no
    script, no style attribute (the Content-Security-Policy allows neither)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, light="#fff")
    # segno writes the SVG from the address, which is base32 and our own issuer: no user markup.
    return mark_safe(svg)  # nosec B308 B703


def is_verified(request) -> bool:
    """Whether this session was signed in with a second factor (or confirmed one since)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def code_matches(device: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is the device's current code (a code is good once; wrong codes slow
    the next tries down: django-otp's throttling)."""
    code = "".join(code.split())
    return code.isdigit() and device.verify_token(code)


def two_factor_confirm(*, user: AbstractBaseUser, device: TOTPDevice, code: str) -> bool:
    """Confirm the enrolled ``device`` with its current code; False (nothing changed) when the
    code is wrong. Other devices of the user are removed: one authenticator per account."""
    if device.user_id != user.pk or device.confirmed or not code_matches(device, code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        account_audit(user=user, action="account.two_factor_enabled")
    return True


def two_factor_remove(*, user: AbstractBaseUser, code: str) -> bool:
    """Turn two-factor sign-in off, proven by a current code; False when the code is wrong."""
    device = confirmed_device(user)
    if device is None or not code_matches(device, code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        account_audit(user=user, action="account.two_factor_removed")
    return True
