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


def ink_on(colour: str) -> str:
    """White or dark text on ``colour``, whichever contrasts more (WCAG relative luminance)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return LIGHT_INK if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else DARK_INK


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
