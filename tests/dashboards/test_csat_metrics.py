"""The CSAT's margin of error and the two-proportion test of a change of CSAT
(``surveys.metrics.Csat``, ``csat_difference``) against the worked examples of the README's
"Figures" and the module's doc, computed by hand."""

import math

from surveys.metrics import Csat, Difference, csat_difference


def test_the_margin_of_error_of_a_csat_is_that_of_a_proportion():
    # 90 satisfied of 120: p = 0.75, SE = 100 · √(0.75 · 0.25 / 120) = 3.953 points,
    # margin 1.96 · 3.953 = 7.75: 75 % ± 7.7.
    csat = Csat(part=90, whole=120, mean=4.1)

    assert csat.percent == 75.0
    assert math.isclose(csat.standard_error, 3.952847, rel_tol=1e-6)
    assert round(csat.margin_of_error, 2) == 7.75


def test_a_csat_without_answers_has_no_margin_and_one_without_spread_has_none_to_give():
    assert (Csat(part=0, whole=0).percent, Csat(part=0, whole=0).margin_of_error) == (None, None)
    assert Csat(part=12, whole=12).margin_of_error == 0.0
    assert Csat(part=0, whole=7).margin_of_error == 0.0


def test_the_worked_example_a_significant_rise():
    # 90 of 120 (75 %) against 60 of 100 (60 %): pooled p = 150 / 220 = 0.6818,
    # SE_D = 100 · √(0.6818 · 0.3182 · (1/120 + 1/100)) = 6.307 points, D = +15,
    # z = 15 / 6.307 = 2.378, p = erfc(2.378 / √2) = 0.0174 < 0.05.
    test = csat_difference(Csat(part=90, whole=120), Csat(part=60, whole=100))

    assert math.isclose(test.difference, 15.0)
    assert round(test.standard_error, 3) == 6.307
    assert round(test.z, 3) == 2.378
    assert round(test.p_value, 4) == 0.0174
    assert test.is_significant is True


def test_the_worked_example_noise():
    # 8 of 10 against 6 of 10: pooled 0.7, SE_D = 100 · √(0.21 · 0.2) = 20.49, D = +20,
    # z = 0.976, p = 0.329.
    test = csat_difference(Csat(part=8, whole=10), Csat(part=6, whole=10))

    assert round(test.z, 3) == 0.976
    assert round(test.p_value, 3) == 0.329
    assert test.is_significant is False


def test_a_fall_is_negative_and_the_test_is_two_sided():
    rise = csat_difference(Csat(part=90, whole=120), Csat(part=60, whole=100))
    fall = csat_difference(Csat(part=60, whole=100), Csat(part=90, whole=120))

    assert math.isclose(fall.difference, -15.0)
    assert math.isclose(fall.z, -rise.z)
    assert math.isclose(fall.p_value, rise.p_value)
    assert fall.is_significant is True


def test_nothing_to_compare_without_answers_and_no_test_without_spread():
    assert csat_difference(Csat(part=3, whole=4), Csat(part=0, whole=0)) == Difference(
        difference=None, standard_error=None, z=None, p_value=None
    )
    # Everyone satisfied on both sides: pooled 1, SE_D 0 — the same, but nothing to test.
    same = csat_difference(Csat(part=5, whole=5), Csat(part=9, whole=9))
    assert (same.difference, same.standard_error, same.z, same.p_value) == (0.0, 0.0, None, None)
    assert same.is_significant is False
