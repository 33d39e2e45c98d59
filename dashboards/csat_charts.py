"""The CSAT and CES page's figures, pure: ``dashboards.charts``' helpers (the trend inside its
band, the bars by group, the distribution by band) given the CSAT's or CES's measure, scale
and bands. No database, no clock; tested without a database.

Okabe–Ito colours, as on the NPS page: dissatisfied (CSAT 1–3) and hard (CES 1–3) vermilion,
CES 4–5 orange, satisfied (CSAT 4–5) and easy (CES 6–7) bluish green.
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from dashboards import charts
from dashboards.csat_selectors import CesPoint, CsatGroup, CsatPoint
from surveys.scoring import CES_EASY_MIN, CES_HARD_MAX, CSAT_SATISFIED_MIN, SCALES, QuestionKind

CSAT_RANGE = [0, 100]  # the % satisfied
CES_RANGE = list(SCALES[QuestionKind.CES])


def csat_measure(item) -> tuple[float | None, float | None, int]:
    """The CSAT of a ``CsatPoint`` or ``CsatGroup``: % satisfied, margin of error, answers."""
    return item.csat.percent, item.csat.margin_of_error, item.csat.whole


def _previous_csat(group: CsatGroup) -> tuple[float | None, float | None, int] | None:
    previous = group.previous
    return (
        None if previous is None else (previous.percent, previous.margin_of_error, previous.whole)
    )


def csat_trend_figure(points: Sequence[CsatPoint], *, unit: str) -> dict:
    """The % satisfied of each week or month inside its 95 % band; a gap without answers."""
    return charts.trend_figure(
        points, unit=unit, measure=csat_measure, name=_("CSAT (%)"), value_range=CSAT_RANGE
    )


def ces_trend_figure(points: Sequence[CesPoint], *, unit: str) -> dict:
    """The mean effort score (1–7) of each week or month; a gap without answers."""
    return charts.trend_figure(
        points,
        unit=unit,
        measure=lambda point: (point.mean, None, None),
        name=_("CES (mean, 1–7)"),
        value_range=CES_RANGE,
        band=False,
    )


def csat_groups_figure(groups: Sequence[CsatGroup], *, title: str) -> dict:
    """Bars of each group's % satisfied, highest first, with its margin of error, the previous
    period's as a diamond and ▲/▼ for a significant change (two-proportion test)."""
    return charts.groups_figure(
        groups,
        title=title,
        measure=csat_measure,
        previous_measure=_previous_csat,
        name=_("CSAT (%)"),
        value_range=CSAT_RANGE,
    )


def csat_bands() -> list[tuple[str, str, range]]:
    """(name, colour, scores) of the dissatisfied and the satisfied."""
    low, high = SCALES[QuestionKind.CSAT]
    return [
        (_("Dissatisfied (1–3)"), charts.DETRACTORS, range(low, CSAT_SATISFIED_MIN)),
        (_("Satisfied (4–5)"), charts.PROMOTERS, range(CSAT_SATISFIED_MIN, high + 1)),
    ]


def ces_bands() -> list[tuple[str, str, range]]:
    """(name, colour, scores) of those who found it hard, neither, and easy."""
    low, high = SCALES[QuestionKind.CES]
    return [
        (_("Hard (1–3)"), charts.DETRACTORS, range(low, CES_HARD_MAX + 1)),
        (_("Neither (4–5)"), charts.PASSIVES, range(CES_HARD_MAX + 1, CES_EASY_MIN)),
        (_("Easy (6–7)"), charts.PROMOTERS, range(CES_EASY_MIN, high + 1)),
    ]


def csat_distribution_figure(distribution: dict[int, int]) -> dict:
    return charts.distribution_figure(distribution, bands=csat_bands())


def ces_distribution_figure(distribution: dict[int, int]) -> dict:
    return charts.distribution_figure(distribution, bands=ces_bands())
