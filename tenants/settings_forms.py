"""Forms of the organisation's settings pages. They check shapes; the services check rules."""

from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant, time_zone_choices


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter ISO code (GR, IT, ES): picks the public holidays."),
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    require_two_factor_for_managers = forms.BooleanField(
        label=_("Require two-factor sign-in for admins and managers"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One field per weekday: "09:00-13:00, 14:00-18:00", empty for a day off.
        for day in range(7):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAYS[day],
                required=False,
                max_length=200,
                help_text=_("e.g. 09:00-13:00, 14:00-18:00; empty: closed") if day == 0 else "",
            )

    @classmethod
    def initial_for(cls, tenant: Tenant) -> dict:
        initial = {
            name: getattr(tenant, name)
            for name in ("name", "time_zone", "country", "default_language")
        }
        initial["require_two_factor_for_managers"] = tenant.require_two_factor_for_managers
        for day in range(7):
            initial[f"hours_{day}"] = ", ".join(tenant.working_hours.get(str(day), []))
        return initial

    def hour_fields(self):
        return [self[f"hours_{day}"] for day in range(7)]

    def values(self) -> dict:
        """The cleaned form as ``organisation_update`` takes it."""
        data = self.cleaned_data
        working_hours = {}
        for day in range(7):
            spans = [span.replace(" ", "") for span in data[f"hours_{day}"].split(",")]
            if any(spans):
                working_hours[str(day)] = [span for span in spans if span]
        return {
            "name": data["name"],
            "time_zone": data["time_zone"],
            "country": data["country"],
            "default_language": data["default_language"],
            "require_two_factor_for_managers": data["require_two_factor_for_managers"],
            "working_hours": working_hours,
        }


class ClosureForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Reason"), max_length=200)
