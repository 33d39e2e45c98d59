"""Helpers for the tests of the lists' FilterSets (``tenants.filters``)."""

from django.test import RequestFactory
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, serializers


def as_member(member, path: str = "/", **query):
    """A GET request of ``member``, as ``member_required`` leaves it: ``member`` and ``tenant``
    set (a FilterSet reads its tenant there)."""
    request = RequestFactory().get(path, query)
    request.member = member
    request.tenant = member.tenant
    request.user = member.user
    return request


def api_list(filterset_class, visible, fields: list[str]):
    """``get(member, **query)``: a DRF list of what ``visible(member)`` returns, filtered by
    ``filterset_class`` through ``DjangoFilterBackend`` — what the REST API's lists will be."""

    class Serializer(serializers.ModelSerializer):
        class Meta:
            model = filterset_class._meta.model

    Serializer.Meta.fields = fields

    class ListView(generics.ListAPIView):
        serializer_class = Serializer
        filter_backends = [DjangoFilterBackend]
        filterset_class = None
        authentication_classes = []
        permission_classes = []

        def get_queryset(self):
            return visible(self.request.member)

    ListView.filterset_class = filterset_class

    def get(member, **query):
        response = ListView.as_view()(as_member(member, "/api/list/", **query))
        response.render()
        return response

    return get
