"""Pages of a list without COUNT(*): fetch one row more than shown to know if a next exists.

Counting a tenant's whole queue costs more than showing a page of it, and nobody reads the
number of the last page of 200,000 complaints.
"""

from dataclasses import dataclass

from django.db.models import QuerySet


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
