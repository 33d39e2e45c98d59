"""Pages of a list without COUNT(*): fetch one row more than shown to know if a next exists.

Counting a tenant's whole queue costs more than showing a page of it, and nobody reads the
number of the last page of 200,000 complaints.

A list page reads the number with ``page_number(request)`` and hands it to its selector, which
takes the page with ``page_or_404`` (``page_for`` does both at once). A page number that is
not a number is a 400; page 0, a page past the end or past ``MAX_PAGE`` is a 404 — never an
empty page 7 of a one-page list, so an old bookmark or a crawler cannot walk an endless row
of empty pages. The pager (``templates/partials/pager.html``) writes its links with
``{% querystring %}``, so the list's filters survive paging.
"""

import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tenants.errors import ApplicationError, NotFound

MAX_PAGE = 100_000  # a deeper page is an OFFSET no person asks for: 404

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(rows: QuerySet, *, number: int, size: int) -> Page:
    """Page ``number`` (from 1) of the ordered ``rows``, ``size`` per page: one query."""
    offset = (number - 1) * size
    fetched = list(rows[offset : offset + size + 1])
    return Page(rows=fetched[:size], number=number, has_next=len(fetched) > size)


def page_number(request) -> int:
    """The ``page`` of the request's query string, 1 without one.

    Not a whole number: :class:`ApplicationError` (400). Below 1 or above ``MAX_PAGE``:
    :class:`NotFound` (404), like a page past the end.
    """
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1
    if not _WHOLE_NUMBER.fullmatch(raw):
        message = _("The page must be a whole number.")
        raise ApplicationError(message, code="invalid_page", fields={"page": [message]})
    # Compare the digits before converting: a thousand-digit "page" is past the end too.
    if len(raw.lstrip("-0")) > len(str(MAX_PAGE)):
        raise NotFound(_("There is no such page."))
    number = int(raw)
    if not 1 <= number <= MAX_PAGE:
        raise NotFound(_("There is no such page."))
    return number


def page_or_404(rows: QuerySet, *, number: int, size: int) -> Page:
    """Page ``number`` of ``rows`` (one query, like ``page_of``); a page past the end is a
    404. Page 1 of an empty list is an empty page."""
    page = page_of(rows, number=number, size=size)
    if page.number > 1 and not page.rows:
        raise NotFound(_("There is no such page."))
    return page


def page_for(request, rows: QuerySet, *, size: int) -> Page:
    """The page of ``rows`` that the request asks for (``?page=``), ``size`` rows per page."""
    return page_or_404(rows, number=page_number(request), size=size)
