"""The lists' downloads, under /<tenant>/: each list's address followed by ``export.csv`` or
``export.xlsx``, with the list's query string (its filters). Included by ``config/urls.py``
before the apps' own addresses (``complaints/<reference>/`` would take the queue's)."""

from django.urls import path

from dashboards import list_exports
from dashboards.exports import FORMATS

LISTS = [
    ("complaints/", list_exports.complaint_queue_export, "complaint-queue-export"),
    ("surveys/responses/", list_exports.response_list_export, "response-list-export"),
    ("surveys/interactions/", list_exports.interaction_list_export, "interaction-list-export"),
    ("surveys/follow-ups/", list_exports.follow_up_list_export, "follow-up-list-export"),
]

# One address per format (``complaint-queue-export-csv``, ``…-xlsx``): a fixed address names
# no object, so the cross-tenant matrix needs nothing to fill it.
urlpatterns = [
    path(f"{prefix}export.{fmt}", view, {"fmt": fmt}, name=f"{name}-{fmt}")
    for prefix, view, name in LISTS
    for fmt in FORMATS
]
