"""The rating settings pages, under ``/<tenant>/settings/ratings/``."""

from django.urls import path

from ratings import settings_views

urlpatterns = [
    path("", settings_views.scheme, name="settings-ratings"),
]
