from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from config import api_docs
from notifications.password_reset import password_reset_request
from surveys import urls as survey_urls
from tenants import account_views, invitation_views
from tenants.views import brand_logo, workspace_picker


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin): the static one."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/login/code/", account_views.sign_in_code, name="login-code"),
    path("accounts/two-factor/", account_views.two_factor_settings, name="two-factor"),
    # Ours before Django's: the reset email goes through the outbox, and the link's page keeps
    # no token in the session.
    path("accounts/password_reset/", password_reset_request, name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/invitation/", invitation_views.invitation_accept, name="invitation-accept"),
    path(
        "accounts/invitation/<str:token>/",
        invitation_views.invitation_link,
        name="invitation-link",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", api_docs.schema, name="api-schema"),
    path("api/docs/", api_docs.docs, name="api-docs"),
    path("c/<slug:tenant_slug>/<slug:brand_slug>/logo/", brand_logo, name="public-brand-logo"),
    path("c/<slug:tenant_slug>/", include("complaints.public_urls")),
    path("s/", include(survey_urls.public_urlpatterns)),
    path("", workspace_picker, name="workspace-picker"),
    path("<slug:tenant_slug>/settings/surveys/", include("surveys.programme.urls")),
    # Before the tenants' settings: each app's settings pages live under their own prefix.
    path("<slug:tenant_slug>/settings/complaints/", include("complaints.settings_urls")),
    path("<slug:tenant_slug>/settings/ratings/", include("ratings.settings_urls")),
    path("<slug:tenant_slug>/settings/", include("tenants.settings_urls")),
    path("<slug:tenant_slug>/notifications/", include("notifications.urls")),
    # The lists' downloads (<list>/export.csv, .xlsx), before the lists' apps claim the address.
    path("<slug:tenant_slug>/", include("dashboards.export_urls")),
    path("<slug:tenant_slug>/surveys/", include("surveys.urls")),
    path("<slug:tenant_slug>/complaints/", include("complaints.urls")),
    path("<slug:tenant_slug>/ratings/", include("ratings.urls")),
    path("<slug:tenant_slug>/dashboards/", include("dashboards.urls")),
    path("<slug:tenant_slug>/", include("tenants.urls")),
]
