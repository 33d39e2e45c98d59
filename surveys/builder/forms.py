"""Forms of the survey builder. They parse shapes; ``surveys.builder`` and
``surveys.survey_rules`` validate and write."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from surveys.builder.checks import (
    FALLBACK_LANGUAGE,
    LANGUAGE_CODES,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
)
from surveys.builder.rules import MAX_ORDER, max_delay_minutes, rule_fields
from surveys.models import Interaction, Question, Survey
from surveys.scoring import QuestionKind
from tenants.models import Brand, Touchpoint

LANGUAGE_NAMES = dict(settings.LANGUAGES)
CHOICE_LINE_EXAMPLE = "Price | Τιμή | Prezzo | Precio | Цена"


class SurveyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)


class SurveyUpdateForm(SurveyForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive survey's rules send nothing."),
    )


def choices_as_text(choices: list[dict]) -> str:
    """Stored choices as the textarea's lines: ``English | Greek | Italian | Spanish | Russian``
    (the values are derived, not typed: ``surveys.builder.checks.choice_values_derive``)."""
    lines = []
    for choice in choices:
        labels = [choice.get("label", {}).get(code, "") for code in LANGUAGE_CODES]
        lines.append(" | ".join(labels).rstrip(" |"))
    return "\n".join(lines)


class QuestionForm(forms.Form):
    """One question. The fields a kind does not use are ignored (and hidden by the stylesheet)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    is_primary = forms.BooleanField(
        label=_("Primary question"),
        required=False,
        help_text=_(
            "The overall impression of the service, used for the survey's headline score: "
            "an NPS, CSAT or CES question. Exactly one per survey; it is always required."
        ),
    )
    is_required = forms.BooleanField(label=_("Answer required"), required=False)
    scale_min = forms.IntegerField(
        label=_("Lowest point"),
        required=False,
        help_text=_("Scale questions only: from 0 to 10."),
    )
    scale_max = forms.IntegerField(
        label=_("Highest point"),
        required=False,
        help_text=_("Scale questions only: from 0 to 10, above the lowest point."),
    )
    choices = forms.CharField(
        label=_("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=format_lazy(
            "{} <code>{}</code>. {}",
            _(
                "Single choice only. One choice per line, in English; its translations may "
                "follow in Greek, Italian, Spanish and Russian, separated by |, e.g."
            ),
            CHOICE_LINE_EXAMPLE,
            _(
                "A missing translation shows the English label. Editing a label keeps the "
                "answers already given to it."
            ),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in LANGUAGE_CODES:
            self.fields[f"text_{code}"] = forms.CharField(
                label=format_lazy(_("Question in {}"), LANGUAGE_NAMES[code]),
                max_length=TEXT_MAX_LENGTH,
                required=code == FALLBACK_LANGUAGE,
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
                help_text=(
                    _("Needed: shown where a translation is missing.")
                    if code == FALLBACK_LANGUAGE
                    else ""
                ),
            )
        self.order_fields(["kind", *self.text_field_names])

    @property
    def text_field_names(self) -> list[str]:
        return [f"text_{code}" for code in LANGUAGE_CODES]

    def text_fields(self):
        return [self[name] for name in self.text_field_names]

    def clean_choices(self) -> list[dict]:
        """``English | Greek | …`` lines as ``[{"label": {"en": …, "el": …}}]``; the service
        derives the values."""
        parsed, problems = [], []
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        for number, line in enumerate((line for line in lines if line), start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > len(LANGUAGE_CODES):
                problems.append(
                    _("Line %(number)s has more than %(count)s parts.")
                    % {"number": number, "count": len(LANGUAGE_CODES)}
                )
                continue
            labels = {
                code: label for code, label in zip(LANGUAGE_CODES, parts, strict=False) if label
            }
            parsed.append({"label": labels})
        if problems:
            raise forms.ValidationError(problems)
        return parsed

    def service_arguments(self) -> dict:
        """The cleaned data as ``question_add`` / ``question_update`` take it."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": {code: data.get(f"text_{code}", "") for code in LANGUAGE_CODES},
            "is_primary": data["is_primary"],
            "is_required": data["is_required"],
            "choices": data["choices"],
            "scale_min": data["scale_min"],
            "scale_max": data["scale_max"],
        }

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {
            "kind": question.kind,
            "is_primary": question.is_primary,
            "is_required": question.is_required,
            "scale_min": question.scale_min if question.kind == QuestionKind.SCALE else None,
            "scale_max": question.scale_max if question.kind == QuestionKind.SCALE else None,
            "choices": choices_as_text(question.choices),
            **{f"text_{code}": question.text.get(code, "") for code in LANGUAGE_CODES},
        }


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class RuleForm(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.none(), label=_("Survey"))
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.none(), required=False, label=_("Brand"), empty_label=_("Any brand")
    )
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.none(),
        required=False,
        label=_("Touchpoint"),
        empty_label=_("Any touchpoint"),
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("Any source")), *Interaction.Source.choices],
    )
    delay_minutes = forms.IntegerField(
        label=_("Send after (minutes)"),
        min_value=0,
        initial=60,
    )
    sample_percent = forms.IntegerField(
        label=_("Sample (%)"),
        min_value=0,
        max_value=100,
        initial=100,
        help_text=_("The share of matching interactions that get the survey."),
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=MAX_ORDER,
        initial=100,
        help_text=_("Rules are tried from the lowest order; the first that matches decides."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.for_tenant(tenant).order_by("name", "id")
        self.fields["brand"].queryset = Brand.objects.for_tenant(tenant).order_by("name")
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_tenant(tenant).order_by("name")
        # The service checks the upper bound: the tenant's programme decides it.
        longest = max_delay_minutes(tenant)
        self.fields["delay_minutes"].widget.attrs["max"] = longest
        self.fields["delay_minutes"].help_text = _(
            "At most %(minutes)s: surveys go out within %(hours)s hours of the event (the "
            "survey programme's maximum age of an event)."
        ) % {"minutes": longest, "hours": longest // 60}

    @staticmethod
    def initial_for(rule) -> dict:
        return rule_fields(rule)
