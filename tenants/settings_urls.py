from django.urls import path

from tenants import settings_views

urlpatterns = [
    path("", settings_views.settings_index, name="settings"),
    path("organisation/", settings_views.organisation, name="settings-organisation"),
    path("organisation/closures/", settings_views.closure_add, name="settings-closure-add"),
    path(
        "organisation/closures/<str:day>/remove/",
        settings_views.closure_remove,
        name="settings-closure-remove",
    ),
]
