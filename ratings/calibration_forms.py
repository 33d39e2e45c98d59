"""The calibration page's two forms: which periods to read (the query string) and the norms to
adopt (one floor and one target per component)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings import calibration, formula
from ratings.models import RatingPeriod
from tenants.errors import ApplicationError


class PeriodsForm(forms.Form):
    """``?kind=month&periods=6``: both optional, the defaults when left out."""

    DEFAULTS = {"kind": calibration.DEFAULT_KIND, "periods": calibration.DEFAULT_PERIODS}

    kind = forms.ChoiceField(
        label=_("Periods of"), choices=RatingPeriod.Kind.choices, required=False
    )
    periods = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=calibration.MAX_PERIODS,
        required=False,
    )

    def values(self) -> tuple[str, int]:
        data = self.cleaned_data
        return (
            data.get("kind") or calibration.DEFAULT_KIND,
            data.get("periods") or calibration.DEFAULT_PERIODS,
        )


def _plain(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _number(label) -> forms.FloatField:
    # Localised: "3,5" where the language writes decimals with a comma.
    return forms.FloatField(
        label=label,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
    )


class NormsForm(forms.Form):
    """A floor and a target per component (``floor_<component>``, ``target_<component>``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in formula.COMPONENTS:
            self.fields[f"floor_{kind.key}"] = _number(_("Floor (0 %)"))
            self.fields[f"target_{kind.key}"] = _number(_("Target (100 %)"))

    @staticmethod
    def initial_for(norms: dict[str, formula.Norm]) -> dict[str, float]:
        initial = {}
        for key, norm in norms.items():
            initial[f"floor_{key}"] = _plain(float(norm.floor))
            initial[f"target_{key}"] = _plain(float(norm.target))
        return initial

    def norms(self) -> dict[str, list[float]]:
        """``{component: [floor, target]}``, as ``ratings.schemes`` takes them (50.0 as 50)."""
        data = self.cleaned_data
        return {
            kind.key: [_plain(data[f"floor_{kind.key}"]), _plain(data[f"target_{kind.key}"])]
            for kind in formula.COMPONENTS
        }

    def show_scheme_errors(self, error: ApplicationError) -> None:
        """Put a refusal of ``ratings.schemes`` on the form: a component's message
        (``norms.<component>``) on its floor, anything else and the summary on top."""
        shown = set()
        for name, found in error.fields.items():
            key = name.removeprefix("norms.")
            field = f"floor_{key}" if f"floor_{key}" in self.fields else None
            for message in [found] if isinstance(found, str) else found:
                self.add_error(field, str(message))
                shown.add(str(message))
        if error.message not in shown:
            self.add_error(None, error.message)

    def rows(self) -> list[list[forms.BoundField]]:
        """Per component (in ``formula.COMPONENTS`` order) its floor and target fields."""
        return [
            [self[f"floor_{kind.key}"], self[f"target_{kind.key}"]] for kind in formula.COMPONENTS
        ]
