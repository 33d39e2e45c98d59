"""The rating settings pages, under ``/<tenant>/settings/ratings/``."""

from django.urls import path

from ratings import calibration_views, settings_views

urlpatterns = [
    path("", settings_views.scheme, name="settings-ratings"),
    path(
        "calibration/",
        calibration_views.calibration_page,
        name="settings-ratings-calibration",
    ),
]
