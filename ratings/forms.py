"""The rating settings form: the scheme's plain settings, and per component its weight, floor
and target. It checks shapes only; ``ratings.schemes`` checks the scheme as a whole."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings import formula
from ratings.models import CustomerScoreKind, LeaderboardVisibility, RatingScheme

PLAIN = ("customer_score_kind", "smoothing", "min_answers", "min_cases", "close_after_days")


class SchemeForm(forms.Form):
    customer_score_kind = forms.ChoiceField(
        label=_("Customer score"),
        choices=CustomerScoreKind.choices,
        help_text=_("The primary question's answers the customer score is the mean of."),
    )
    smoothing = forms.IntegerField(
        label=_("Smoothing (m)"),
        min_value=0,
        help_text=_("How many answers at the organisation's mean are added to each score."),
    )
    min_answers = forms.IntegerField(
        label=_("Minimum answers"),
        min_value=1,
        help_text=_("Fewer answers: the customer score does not count."),
    )
    min_cases = forms.IntegerField(
        label=_("Minimum cases"),
        min_value=1,
        help_text=_("Fewer complaints or follow-ups: that component does not count."),
    )
    close_after_days = forms.IntegerField(
        label=_("Close a period after (days)"),
        min_value=0,
        help_text=_("A period's ratings are recomputed until this many days after it ends."),
    )
    leaderboard = forms.ChoiceField(
        label=_("Leaderboard for performers"), choices=LeaderboardVisibility.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in formula.COMPONENTS:
            self.fields[f"weight_{kind.key}"] = forms.IntegerField(
                label=_("Weight"), min_value=0, max_value=1000
            )
            self.fields[f"floor_{kind.key}"] = forms.FloatField(label=_("Floor (0 %)"))
            self.fields[f"target_{kind.key}"] = forms.FloatField(label=_("Target (100 %)"))

    @staticmethod
    def initial_for(scheme: RatingScheme) -> dict:
        initial = {name: getattr(scheme, name) for name in (*PLAIN, "leaderboard")}
        for kind in formula.COMPONENTS:
            initial[f"weight_{kind.key}"] = scheme.weights.get(kind.key, 0)
            initial[f"floor_{kind.key}"], initial[f"target_{kind.key}"] = scheme.norms[kind.key]
        return initial

    def rows(self) -> list[tuple[formula.ComponentKind, list[forms.BoundField]]]:
        """Per component its weight, floor and target fields (one table row each)."""
        return [
            (kind, [self[f"{part}_{kind.key}"] for part in ("weight", "floor", "target")])
            for kind in formula.COMPONENTS
        ]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*PLAIN, "leaderboard")]

    def changes(self, current: RatingScheme) -> dict:
        """The scheme's settings as ``ratings.schemes.scheme_version_add`` takes them. When
        the kind of customer score changes and its norm was left as it was, the norm is left
        out, so the new kind's default norm is taken (a CSAT norm means nothing for NPS)."""
        data = self.cleaned_data
        norms = {
            kind.key: [_number(data[f"floor_{kind.key}"]), _number(data[f"target_{kind.key}"])]
            for kind in formula.COMPONENTS
        }
        customer_norm = formula.CUSTOMER_SCORE
        if (
            data["customer_score_kind"] != current.customer_score_kind
            and norms[customer_norm] == current.norms[customer_norm]
        ):
            del norms[customer_norm]
        return {
            **{name: data[name] for name in (*PLAIN, "leaderboard")},
            "weights": {kind.key: data[f"weight_{kind.key}"] for kind in formula.COMPONENTS},
            "norms": norms,
        }

    @staticmethod
    def field_of(error_key: str) -> str | None:
        """The form field a ``scheme_errors`` key belongs on (None: the form's top)."""
        if error_key.startswith("norms."):
            return f"floor_{error_key.removeprefix('norms.')}"
        if error_key == "weights":
            return None
        return error_key


def _number(value: float) -> int | float:
    """50.0 is stored and shown as 50."""
    return int(value) if value.is_integer() else value
