"""The survey programme's form. It checks shapes; ``services`` checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import SurveySettings
from surveys.programme.services import PROGRAMME_FIELDS, programme_values


class ProgrammeForm(forms.Form):
    throttle_days = forms.IntegerField(
        label=_("Survey a customer at most once in (days)"),
        help_text=_("0: no limit. Counted from the sending time of their last survey."),
    )
    max_event_age_hours = forms.IntegerField(
        label=_("Maximum age of an event (hours)"),
        help_text=_(
            "An event recorded later than this is not surveyed, and every survey goes out "
            "within this time of its event (a longer rule delay is cut to it)."
        ),
    )
    follow_up_critics_without_comment = forms.BooleanField(
        label=_("Call back critics who left no comment"),
        required=False,
        help_text=_(
            "A critic (NPS 0–6, CSAT 1–3, CES 1–3) who left a comment is always called back."
        ),
    )
    response_rate_low_percent = forms.IntegerField(label=_("Response rate norm: lowest (%)"))
    response_rate_high_percent = forms.IntegerField(
        label=_("Response rate norm: highest (%)"),
        help_text=_("The dashboards show a response rate outside this band as unusual."),
    )
    csat_target_percent = forms.IntegerField(
        label=_("CSAT target (%)"),
        help_text=_("The share of satisfied answers (4–5) the dashboards compare with."),
    )

    @staticmethod
    def initial_for(programme: SurveySettings) -> dict:
        return programme_values(programme)

    def values(self) -> dict:
        """The cleaned form as ``survey_settings_update`` takes it."""
        return {name: self.cleaned_data[name] for name in PROGRAMME_FIELDS}
