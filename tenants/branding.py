"""A brand's look on the pages and emails customers see: its colour, the ink that reads on it,
and the shell every public page is rendered in (``templates/public/base.html``), with the
headers every such page carries (:func:`private`)."""

import re

from django.shortcuts import render
from django.utils import timezone, translation

from tenants.models import Brand, Tenant

DEFAULT_ACCENT = "#1f5fa8"
DARK_INK = "#1c2430"
LIGHT_INK = "#ffffff"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def accent_of(brand: Brand | None) -> str:
    """The brand's colour, or the default. The model validates colours, but rows written around
    ``full_clean()`` are not checked, and this value goes into style attributes."""
    colour = brand.colour if brand else ""
    return colour if COLOUR.fullmatch(colour or "") else DEFAULT_ACCENT


# WCAG 2.1 AA for normal text (1.4.3): what a brand's buttons and selected scores must reach.
MINIMUM_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``: 0 for black, 1 for white."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(colour: str) -> str:
    """The ink (``LIGHT_INK`` or ``DARK_INK``) that contrasts more with ``colour``: measured
    against the inks as they are drawn, not against pure black and white (a dark ink lighter
    than black reads worse than black would)."""
    return max((LIGHT_INK, DARK_INK), key=lambda ink: contrast_ratio(colour, ink))


def colour_is_readable(colour: str) -> bool:
    """Whether text in the ink :func:`ink_on` picks reaches WCAG AA (4.5:1) on ``colour``: a
    brand colour must, to be saved."""
    return contrast_ratio(colour, ink_on(colour)) >= MINIMUM_CONTRAST


def private(response):
    """The headers of a page (or a page's JSON) that customers reach with no login.

    Their addresses are secrets (a survey token) or lead to personal data (a complaint's status
    page, its history and files), so: nothing stored by a browser or a proxy (``no-store``);
    the address never sent to another site in a Referer header (``same-origin``, not
    ``no-referrer``: browsers then send ``Origin: null`` with the page's own form POSTs, which
    Django's CSRF check rightly refuses); and no search engine lists them (``noindex``).
    """
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def render_public_page(
    request,
    template: str,
    *,
    tenant: Tenant | None,
    brand=None,
    context=None,
    status=200,
    is_private=True,
):
    """Render a page customers see (no login): the brand's colours, the tenant's local time,
    the :func:`private` headers (unless ``is_private`` is False: a page of public information,
    such as how to complain, which search engines should find), and ``Content-Language`` the
    language it was rendered in (a survey page speaks the customer's language, whatever the
    browser asked for)."""
    accent = accent_of(brand)
    context = {
        "tenant": tenant,
        "brand": brand,
        "accent": accent,
        "accent_ink": ink_on(accent),
        **(context or {}),
    }
    if tenant is None:
        response = render(request, template, context, status=status)
    else:
        with timezone.override(tenant.time_zone):
            response = render(request, template, context, status=status)
    response["Content-Language"] = translation.get_language()
    return private(response) if is_private else response
