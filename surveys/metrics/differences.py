"""Whether two figures differ: the two-sample tests of an NPS or a CSAT difference, and the
plain change of a share (the package's doc defines them)."""

import math
from dataclasses import dataclass

from surveys.metrics.figures import Csat, Nps, Share

SIGNIFICANCE = 0.05  # two-sided p below this: a significant difference


@dataclass(frozen=True)
class Difference:
    """Figure ``a`` minus figure ``b``, in points, with the two-sample test of that difference
    (the samples independent: two periods, or two brands). None where it cannot be tested."""

    difference: float | None
    standard_error: float | None
    z: float | None
    p_value: float | None

    @property
    def is_significant(self) -> bool:
        """Whether the difference is significant at 95 % (two-sided p < 0.05)."""
        return self.p_value is not None and self.p_value < SIGNIFICANCE


_UNTESTABLE = Difference(difference=None, standard_error=None, z=None, p_value=None)


def _tested(difference: float, error: float) -> Difference:
    """z = D / SE and its two-sided p = erfc(|z| / √2); with no spread (SE 0) the difference,
    but no test (the normal approximation says nothing there)."""
    if error == 0:
        return Difference(difference=difference, standard_error=0.0, z=None, p_value=None)
    z = difference / error
    return Difference(
        difference=difference,
        standard_error=error,
        z=z,
        p_value=math.erfc(abs(z) / math.sqrt(2)),
    )


def nps_difference(a: Nps, b: Nps) -> Difference:
    """The difference ``a`` − ``b`` and whether it is significant: SE = √(SE_a² + SE_b²). No
    answers on either side: nothing to compare (all None)."""
    if not a.answered or not b.answered:
        return _UNTESTABLE
    return _tested(a.score - b.score, math.hypot(a.standard_error, b.standard_error))


def csat_difference(a: Csat, b: Csat) -> Difference:
    """The difference ``a`` − ``b`` of the satisfied shares and whether it is significant: the
    pooled two-proportion z-test (see the package's doc). No answers on either side: nothing to
    compare (all None); a pooled share of 0 or 1: the difference, but no test."""
    if not a.whole or not b.whole:
        return _UNTESTABLE
    pooled = (a.part + b.part) / (a.whole + b.whole)
    error = 100 * math.sqrt(pooled * (1 - pooled) * (1 / a.whole + 1 / b.whole))
    return _tested(a.percent - b.percent, error)


def share_difference(a: Share, b: Share) -> float | None:
    """The change from ``b`` to ``a`` of a share (a response rate, a coverage, a recovery), in
    points: ``a.percent − b.percent``; None when either has no whole. Shown as it is, untested
    (NPS and CSAT have their tests: :func:`nps_difference`, :func:`csat_difference`)."""
    if a.percent is None or b.percent is None:
        return None
    return a.percent - b.percent
