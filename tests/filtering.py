"""Helpers for the tests of the lists' FilterSets (``tenants.filters``)."""

from django.test import RequestFactory


def as_member(member, path: str = "/", **query):
    """A GET request of ``member``, as ``member_required`` leaves it: ``member`` and ``tenant``
    set (a FilterSet reads its tenant there)."""
    request = RequestFactory().get(path, query)
    request.member = member
    request.tenant = member.tenant
    request.user = member.user
    return request
