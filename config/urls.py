from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import api_docs
from surveys import urls as survey_urls
from tenants.auth import LoginForm
from tenants.views import workspace_picker

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", api_docs.schema, name="api-schema"),
    path("api/docs/", api_docs.docs, name="api-docs"),
    path("c/<slug:tenant_slug>/", include("complaints.public_urls")),
    path("s/", include(survey_urls.public_urlpatterns)),
    path("", workspace_picker, name="workspace-picker"),
    path("<slug:tenant_slug>/notifications/", include("notifications.urls")),
    path("<slug:tenant_slug>/surveys/", include("surveys.urls")),
    path("<slug:tenant_slug>/complaints/", include("complaints.urls")),
    path("<slug:tenant_slug>/", include("tenants.urls")),
]
