"""The rating settings page: the scheme (weights, norms, smoothing, minimums, closing, the
leaderboard's visibility) and its versions. Thin: parse, call ``ratings.schemes``, render."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ratings import schemes
from ratings.forms import SchemeForm
from ratings.models import RatingScheme
from ratings.services import scheme_current
from tenants.errors import ApplicationError
from tenants.settings_pages import render_settings, saved, settings_page


@require_http_methods(["GET", "HEAD", "POST"])
@settings_page
def scheme(request):
    current = scheme_current(request.tenant.pk)
    form = SchemeForm(request.POST or None, initial=SchemeForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            stored = schemes.scheme_version_add(actor=request.member, **form.changes(current))
        except ApplicationError as error:
            for key, field_messages in error.fields.items():
                for message in field_messages:
                    form.add_error(SchemeForm.field_of(key), message)
        else:
            if stored.pk == current.pk:
                return saved(request, "settings-ratings", _("Nothing changed."))
            message = _("The rating settings are saved as version %(version)s.")
            return saved(request, "settings-ratings", message % {"version": stored.version})
    versions = (
        RatingScheme.objects.for_tenant(request.tenant)
        .select_related("created_by__user")
        .order_by("-version")
    )
    return render_settings(
        request,
        "ratings/settings_scheme.html",
        {"form": form, "scheme": current, "versions": versions},
        status=400 if form.errors else 200,
    )
