"""Business time: weekends, hours, holidays, closures, DST and pauses, without a database.

Expected instants are worked out by hand and written in UTC. Athens is UTC+2 in winter and UTC+3
from 29 March 2026 (03:00 → 04:00) to 25 October 2026 (04:00 → 03:00).
"""

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenants.business_time import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    resume_due,
    share_elapsed,
    standard_calendar,
)

ATHENS = ZoneInfo("Europe/Athens")
OFFICE = standard_calendar("Europe/Athens", "GR")
WHOLE_DAY = ((time(0), time(0)),)
ALWAYS_ATHENS = BusinessCalendar("Europe/Athens", dict.fromkeys(range(7), WHOLE_DAY))
LUNCH_BREAK = BusinessCalendar(
    "Europe/Athens",
    dict.fromkeys(range(5), ((time(9), time(13)), (time(14), time(18)))),
    country="GR",
)


def athens(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=ATHENS)


def utc(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(count):
    return timedelta(hours=count)


# Weekends and office hours (6 February 2026 is a Friday).


def test_friday_afternoon_plus_two_hours_is_monday_ten():
    due = add_business_time(athens(2026, 2, 6, 16), hours(2), OFFICE)

    assert due == utc(2026, 2, 9, 8)  # Monday 10:00 in Athens
    assert due.tzinfo is UTC


def test_duration_that_runs_out_at_closing_ends_at_closing():
    assert add_business_time(athens(2026, 2, 6, 16), hours(1), OFFICE) == utc(2026, 2, 6, 15)


def test_start_on_saturday_counts_from_monday_opening():
    saturday = athens(2026, 2, 7, 11)

    assert add_business_time(saturday, hours(1), OFFICE) == utc(2026, 2, 9, 8)
    assert add_business_time(saturday, timedelta(0), OFFICE) == utc(2026, 2, 9, 7)


def test_start_before_opening_counts_from_opening():
    assert add_business_time(athens(2026, 2, 10, 7, 30), hours(0.5), OFFICE) == utc(
        2026, 2, 10, 7, 30
    )


def test_start_after_closing_counts_from_next_opening():
    assert add_business_time(athens(2026, 2, 10, 18), hours(0.5), OFFICE) == utc(2026, 2, 11, 7, 30)


def test_zero_duration_within_hours_is_the_start_itself_in_utc():
    start = athens(2026, 2, 10, 11, 15)

    assert add_business_time(start, timedelta(0), OFFICE) == utc(2026, 2, 10, 9, 15)


def test_zero_duration_at_closing_is_the_next_opening():
    assert add_business_time(athens(2026, 2, 10, 17), timedelta(0), OFFICE) == utc(2026, 2, 11, 7)


def test_start_in_another_time_zone_gives_the_same_instant():
    same_instant = datetime(2026, 2, 6, 9, tzinfo=ZoneInfo("America/New_York"))  # 16:00 Athens

    assert add_business_time(same_instant, hours(2), OFFICE) == utc(2026, 2, 9, 8)


def test_long_duration_counts_whole_weeks_and_skips_green_monday():
    # 10 business days from Monday 9 February 10:00 would end on Monday 23 February, but that is
    # Clean (Green) Monday, a Greek public holiday: Tuesday 24 February 10:00.
    assert add_business_time(athens(2026, 2, 9, 10), hours(80), OFFICE) == utc(2026, 2, 24, 8)


# Several intervals a day.


def test_lunch_break_is_skipped():
    assert add_business_time(athens(2026, 2, 10, 12), hours(2), LUNCH_BREAK) == utc(2026, 2, 10, 13)


def test_start_during_lunch_counts_from_afternoon_opening():
    assert add_business_time(athens(2026, 2, 10, 13, 20), hours(1), LUNCH_BREAK) == utc(
        2026, 2, 10, 13
    )


def test_a_working_day_with_lunch_break_has_eight_hours():
    day = business_time_between(athens(2026, 2, 10), athens(2026, 2, 11), LUNCH_BREAK)

    assert day == hours(8)


# Public holidays and closures.


def test_greek_independence_day_is_skipped():
    # Tuesday 24 March 16:00 + 2 h: one hour on Tuesday, Wednesday 25 March closed, Thursday 10:00.
    due = add_business_time(athens(2026, 3, 24, 16), hours(2), OFFICE)

    assert due == utc(2026, 3, 26, 8)
    assert not OFFICE.is_open_day(date(2026, 3, 25))


def test_orthodox_good_friday_and_easter_monday_are_skipped():
    # Thursday 9 April 16:00 + 2 h: Good Friday 10 April, the weekend, Easter Monday 13 April.
    assert add_business_time(athens(2026, 4, 9, 16), hours(2), OFFICE) == utc(2026, 4, 14, 7)


def test_labour_day_is_skipped():
    # 1 May 2026 is a Friday.
    assert add_business_time(athens(2026, 4, 30, 16), hours(2), OFFICE) == utc(2026, 5, 4, 7)


def test_without_a_country_holidays_are_working_days():
    calendar = standard_calendar("Europe/Athens", "")

    assert calendar.is_open_day(date(2026, 3, 25))
    assert add_business_time(athens(2026, 3, 24, 16), hours(2), calendar) == utc(2026, 3, 25, 8)


def test_custom_closure_is_skipped():
    calendar = standard_calendar("Europe/Athens", "GR", closures=[date(2026, 2, 9)])

    assert add_business_time(athens(2026, 2, 6, 16), hours(2), calendar) == utc(2026, 2, 10, 8)
    assert business_time_between(athens(2026, 2, 6, 9), athens(2026, 2, 11, 9), calendar) == hours(
        16
    )


# Daylight saving time.


def test_24_7_spring_forward_day_has_23_hours():
    start = athens(2026, 3, 29)  # 28 March 22:00 UTC

    due = add_business_time(start, hours(24), ALWAYS_ATHENS)

    assert due == utc(2026, 3, 29, 22)  # 30 March 01:00 in Athens
    assert due.astimezone(ATHENS) == athens(2026, 3, 30, 1)
    assert business_time_between(start, athens(2026, 3, 30), ALWAYS_ATHENS) == hours(23)


def test_24_7_fall_back_day_has_25_hours():
    start = athens(2026, 10, 25)  # 24 October 21:00 UTC

    due = add_business_time(start, hours(24), ALWAYS_ATHENS)

    assert due == utc(2026, 10, 25, 21)  # 25 October 23:00 in Athens
    assert business_time_between(start, athens(2026, 10, 26), ALWAYS_ATHENS) == hours(25)


def test_office_hours_keep_local_opening_across_the_dst_weekend():
    # Friday 27 March 16:00 (UTC+2) + 2 h = Monday 30 March 10:00 (UTC+3).
    assert add_business_time(athens(2026, 3, 27, 16), hours(2), OFFICE) == utc(2026, 3, 30, 7)


def test_interval_across_the_change_has_its_real_length():
    calendar = BusinessCalendar("Europe/Athens", {6: ((time(2), time(5)),)})

    assert calendar.working_intervals(date(2026, 3, 29)) == (
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)),
    )
    assert calendar.working_intervals(date(2026, 10, 25)) == (
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 3)),
    )


def test_boundary_skipped_by_spring_forward_is_the_jump():
    calendar = BusinessCalendar("Europe/Athens", {6: ((time(3, 30), time(6)),)})

    # 03:30 never shows on 29 March; the clocks jump from 03:00 to 04:00 at 01:00 UTC.
    assert calendar.working_intervals(date(2026, 3, 29)) == (
        (utc(2026, 3, 29, 1), utc(2026, 3, 29, 3)),
    )


def test_boundary_repeated_by_fall_back_is_its_first_occurrence():
    calendar = BusinessCalendar("Europe/Athens", {6: ((time(3, 30), time(6)),)})

    # 03:30 shows first at 00:30 UTC (UTC+3), again at 01:30 UTC (UTC+2).
    assert calendar.working_intervals(date(2026, 10, 25)) == (
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 4)),
    )


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_splitting_an_interval_inside_the_change_keeps_its_length(day):
    whole = BusinessCalendar("Europe/Athens", {6: ((time(2), time(5)),)})
    split = BusinessCalendar("Europe/Athens", {6: ((time(2), time(3, 30)), (time(3, 30), time(5)))})
    start, end = athens(day.year, day.month, day.day), athens(day.year, day.month, day.day + 1)

    assert business_time_between(start, end, split) == business_time_between(start, end, whole)


def test_midnight_skipped_by_spring_forward_starts_the_day_at_the_jump():
    # Chile springs forward at 24:00 on Saturday 5 September 2026: 00:00 on the 6th never shows.
    calendar = BusinessCalendar("America/Santiago", dict.fromkeys(range(7), WHOLE_DAY))

    assert calendar.working_intervals(date(2026, 9, 5)) == (
        (utc(2026, 9, 5, 4), utc(2026, 9, 6, 4)),
    )
    assert calendar.working_intervals(date(2026, 9, 6)) == (
        (utc(2026, 9, 6, 4), utc(2026, 9, 7, 3)),
    )


def test_fall_back_across_midnight_counts_the_repeated_hour():
    # Newfoundland fell back at 00:01 to 23:01 the day before until 2011: on 26 October 1997 the
    # clocks first read 00:00 at 02:30 UTC, then 23:01–23:59 of 25 October came again.
    calendar = BusinessCalendar("America/St_Johns", dict.fromkeys(range(7), WHOLE_DAY))
    noon = utc(1997, 10, 25, 14, 30)  # 12:00 at UTC-2:30
    repeated_half_past_eleven = utc(1997, 10, 26, 3)  # 23:30 on 25 October at UTC-3:30

    assert business_time_between(noon, repeated_half_past_eleven, calendar) == hours(12.5)
    assert add_business_time(noon, hours(12.5), calendar) == repeated_half_past_eleven


@pytest.mark.parametrize(
    ("time_zone", "first_year"),
    [
        ("UTC", 2026),
        ("Europe/Athens", 2025),
        ("America/Santiago", 2025),
        ("America/St_Johns", 1997),
        ("Australia/Lord_Howe", 2025),  # Half-hour DST.
    ],
)
def test_24_7_is_plain_addition_in_any_time_zone(time_zone, first_year):
    # Whole days tile the timeline whatever the clocks do, so working time is elapsed time.
    calendar = BusinessCalendar(time_zone, dict.fromkeys(range(7), WHOLE_DAY))
    randomness = random.Random(7)
    for _ in range(200):
        start = utc(first_year, 1, 1) + timedelta(seconds=randomness.randrange(3 * 365 * 86400))
        duration = timedelta(seconds=randomness.randrange(90 * 86400), microseconds=17)

        assert add_business_time(start, duration, calendar) == start + duration
        assert business_time_between(start, start + duration, calendar) == duration


# Properties over many random starts, across years, holidays and DST changes.


@pytest.mark.parametrize("calendar", [OFFICE, LUNCH_BREAK, ALWAYS_ATHENS])
def test_business_time_between_undoes_add_business_time(calendar):
    randomness = random.Random(20260325)
    for _ in range(300):
        anywhere = utc(2025, 1, 1) + timedelta(seconds=randomness.randrange(4 * 365 * 86400))
        start = add_business_time(anywhere, timedelta(0), calendar)  # Within working hours.
        duration = timedelta(seconds=randomness.randrange(40 * 8 * 3600), microseconds=3)

        due = add_business_time(start, duration, calendar)

        assert business_time_between(start, due, calendar) == duration
        assert business_time_between(anywhere, due, calendar) == duration


@pytest.mark.parametrize("calendar", [OFFICE, LUNCH_BREAK])
def test_adding_in_two_steps_is_adding_once(calendar):
    randomness = random.Random(11)
    for _ in range(200):
        start = utc(2025, 12, 1) + timedelta(minutes=randomness.randrange(60 * 24 * 400))
        first = timedelta(minutes=randomness.randrange(1, 60 * 8 * 20))
        second = timedelta(minutes=randomness.randrange(1, 60 * 8 * 20))

        in_two_steps = add_business_time(
            add_business_time(start, first, calendar), second, calendar
        )

        assert in_two_steps == add_business_time(start, first + second, calendar)


def test_business_time_between_is_zero_when_end_is_not_later():
    assert business_time_between(
        athens(2026, 2, 10, 12), athens(2026, 2, 10, 10), OFFICE
    ) == timedelta(0)
    assert business_time_between(
        athens(2026, 2, 7, 10), athens(2026, 2, 8, 10), OFFICE
    ) == timedelta(0)


# Share of the allowed time.


def test_share_elapsed_across_a_weekend():
    start, due = athens(2026, 2, 6, 13), athens(2026, 2, 9, 13)  # 4 h Friday + 4 h Monday

    assert share_elapsed(start, due, athens(2026, 2, 6, 13), OFFICE) == 0.0
    assert share_elapsed(start, due, athens(2026, 2, 6, 11), OFFICE) == 0.0
    assert share_elapsed(start, due, athens(2026, 2, 7, 12), OFFICE) == 0.5
    assert share_elapsed(start, due, athens(2026, 2, 9, 11), OFFICE) == 0.75
    assert share_elapsed(start, due, due, OFFICE) == 1.0
    assert share_elapsed(start, due, athens(2026, 2, 10, 13), OFFICE) == 2.0


def test_share_elapsed_is_full_when_due_is_not_after_start():
    start = athens(2026, 2, 9, 13)

    assert share_elapsed(start, start, start, OFFICE) == 1.0
    assert share_elapsed(start, athens(2026, 2, 9, 12), start, OFFICE) == 1.0


# Pauses while waiting on the customer.


def test_pause_over_a_weekend_moves_the_due_by_the_time_left():
    due = athens(2026, 2, 9, 13)  # Monday 13:00
    paused_at = athens(2026, 2, 6, 15)  # Friday 15:00: 2 h Friday + 4 h Monday left

    new_due = resume_due(due, paused_at, athens(2026, 2, 9, 11), OFFICE)

    assert new_due == utc(2026, 2, 9, 15)  # Monday 17:00


def test_pause_and_resume_outside_hours_leave_the_due_as_it_was():
    due = athens(2026, 2, 9, 13)

    new_due = resume_due(due, athens(2026, 2, 7, 10), athens(2026, 2, 8, 10), OFFICE)

    assert new_due == utc(2026, 2, 9, 11)


def test_pause_after_the_due_time_keeps_the_due_time():
    due = athens(2026, 2, 6, 12)

    new_due = resume_due(due, athens(2026, 2, 6, 15), athens(2026, 2, 10, 10), OFFICE)

    assert new_due == utc(2026, 2, 6, 10)


def test_resume_before_pause_is_refused():
    with pytest.raises(ValueError, match="cannot resume before it was paused"):
        resume_due(athens(2026, 2, 9, 13), athens(2026, 2, 6, 15), athens(2026, 2, 6, 14), OFFICE)


# Mistakes are refused rather than computed.


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_time(datetime(2026, 2, 6, 16), hours(2), OFFICE)


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(athens(2026, 2, 6, 16), hours(-2), OFFICE)


@pytest.mark.parametrize(
    ("hours_by_weekday", "problem"),
    [
        ({}, "needs at least one working interval"),
        ({0: ()}, "needs at least one working interval"),
        ({0: ((time(17), time(9)),)}, "interval 17:00:00–09:00:00 ends before it starts"),
        (
            {0: ((time(9), time(13)), (time(12), time(17)))},
            "intervals on weekday 0 overlap or are not sorted",
        ),
        (
            {0: ((time(14), time(18)), (time(9), time(13)))},
            "intervals on weekday 0 overlap or are not sorted",
        ),
        ({7: ((time(9), time(17)),)}, "weekday 7 is not 0 (Monday) to 6 (Sunday)"),
    ],
)
def test_impossible_hours_are_refused(hours_by_weekday, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        BusinessCalendar("Europe/Athens", hours_by_weekday)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="Europe/Atlantis"):
        standard_calendar("Europe/Atlantis", "GR")


def test_unknown_country_is_refused():
    with pytest.raises(ValueError, match="XX"):
        standard_calendar("Europe/Athens", "XX")


def test_calendar_closed_for_years_is_refused_rather_than_searched_forever():
    closed = frozenset(date(2026, 1, 1) + timedelta(days=offset) for offset in range(3 * 366))
    calendar = standard_calendar("Europe/Athens", "", closures=closed)

    with pytest.raises(ValueError, match="no working time"):
        add_business_time(athens(2026, 1, 1), hours(1), calendar)


def test_equal_calendars_are_equal_and_hash_alike():
    assert standard_calendar("Europe/Athens", "GR") == OFFICE
    assert hash(standard_calendar("Europe/Athens", "GR")) == hash(OFFICE)
