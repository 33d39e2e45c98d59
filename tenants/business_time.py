"""Business-time arithmetic for SLA due times: pure functions, no database.

The model
---------
A :class:`BusinessCalendar` says when a tenant works:

* ``hours`` maps a weekday (0 = Monday … 6 = Sunday) to its working intervals in *local wall-clock
  time* of ``time_zone``, e.g. ``{0: ((time(9), time(13)), (time(14), time(18))), ...}``. A
  weekday that is missing or has no intervals is closed. Intervals are half-open
  ``[opening, closing)``, sorted and not overlapping, and stay within their day: an end of
  ``time(0)`` means midnight at the *end* of the day (24:00), so ``(time(0), time(0))`` is the
  whole day. A night shift across midnight is written as two intervals on two weekdays.
* ``country`` (an ISO code) closes its public holidays all day, as the ``holidays`` package lists
  them; ``closures`` closes the tenant's own days (a company holiday, a stocktake).

Working time is *real elapsed time* inside working intervals. Each wall-clock boundary is turned
into an instant with zoneinfo, so an interval on a daylight-saving day has its real length: in
Europe/Athens 02:00–05:00 lasts 2 hours on the spring-forward Sunday and 4 hours on the
fall-back Sunday, and a 24/7 calendar has a 23-hour and a 25-hour day. The rule for a boundary is
"the first instant at which the local clock reads that time or later": a time the clocks repeat
(fall back) is taken at its first occurrence, and a time they skip (spring forward) is taken at
the instant of the jump. The same wall time always maps to the same instant, so splitting an
interval in two never changes the total.

Pauses: while a complaint waits on the customer its clock stops. :func:`resume_due` carries the
working time that was left at the pause over to the moment the clock resumes.

Every function takes aware datetimes in any time zone and returns aware datetimes in UTC.
Nothing here touches the database or Django, so the arithmetic — weekends, holidays, DST — is
tested exactly and quickly without one (``tests/tenants/test_business_time.py``);
``tenants.calendar`` builds a tenant's calendar from the database, and the complaints' SLA
clocks and the survey follow-ups count their due times with these functions.

Cost is per working interval, not per minute: a day is a handful of datetime operations and
holiday lists are computed once per country and year.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

MIDNIGHT = time(0)
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
# A calendar whose next working moment is further away than this is misconfigured (no hours, or
# closures covering years); without the limit the search for the next opening would never end.
MAX_CLOSED_DAYS = 731

Interval = tuple[time, time]
# opening, opening with fold=1, closing, closing with fold=1, whether closing is 24:00.
_Boundaries = tuple[time, time, time, time, bool]


@dataclass(frozen=True)
class BusinessCalendar:
    """When a tenant works: weekly hours in local time, minus public holidays and closures."""

    time_zone: str
    hours: Mapping[int, tuple[Interval, ...]]
    country: str = ""
    closures: frozenset[date] = field(default_factory=frozenset)
    # Derived in __post_init__: the ZoneInfo, and per weekday the boundaries in both folds.
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _weekly: tuple[tuple[_Boundaries, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Normalised copies, so a calendar built from lists or sets behaves like one from tuples.
        hours = _checked_hours(self.hours)
        if not any(hours.values()):
            raise ValueError("a business calendar needs at least one working interval")
        if self.country and self.country not in _supported_countries():
            raise ValueError(f"no public holidays are known for country {self.country!r}")
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "closures", frozenset(self.closures))
        try:
            object.__setattr__(self, "_zone", ZoneInfo(self.time_zone))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        weekly = tuple(
            tuple(
                (
                    opening,
                    opening.replace(fold=1),
                    closing,
                    closing.replace(fold=1),
                    closing == MIDNIGHT,
                )
                for opening, closing in hours.get(weekday, ())
            )
            for weekday in range(7)
        )
        object.__setattr__(self, "_weekly", weekly)

    def __hash__(self):
        # The generated hash would fail on the ``hours`` dict; a calendar is a fine cache key.
        return hash(
            (self.time_zone, tuple(sorted(self.hours.items())), self.country, self.closures)
        )

    def is_open_day(self, day: date) -> bool:
        """Whether ``day`` has working hours: a working weekday, not a holiday nor a closure."""
        return (
            bool(self._weekly[day.weekday()])
            and day not in self.closures
            and not (self.country and day in _public_holidays(self.country, day.year))
        )

    def working_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of local ``day`` as ``(opening, closing)`` instants in UTC.

        Empty on a closed day. An interval that a spring-forward jump swallows whole is left out.
        """
        return tuple(
            (opening.replace(tzinfo=UTC), closing.replace(tzinfo=UTC))
            for opening, closing in self._utc_intervals(day)
        )

    def _utc_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        # Naive UTC inside the module: attaching a tzinfo to every boundary costs more than the
        # arithmetic itself.
        if not self.is_open_day(day):
            return []
        combine, zone, next_day = datetime.combine, self._zone, day + ONE_DAY
        intervals = []
        for opening, opening_fold, closing, closing_fold, ends_at_midnight in self._weekly[
            day.weekday()
        ]:
            closing_day = next_day if ends_at_midnight else day
            start = _instant(combine(day, opening), combine(day, opening_fold), zone)
            end = _instant(combine(closing_day, closing), combine(closing_day, closing_fold), zone)
            if end > start:
                intervals.append((start, end))
        return intervals


def standard_calendar(
    time_zone: str, country: str, closures: Iterable[date] = ()
) -> BusinessCalendar:
    """Monday to Friday, 09:00–17:00 local time, closed on the country's public holidays."""
    office_hours = ((time(9), time(17)),)
    return BusinessCalendar(
        time_zone=time_zone,
        hours={weekday: office_hours for weekday in range(5)},
        country=country,
        closures=frozenset(closures),
    )


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The instant (UTC) at which ``duration`` of working time has passed since ``start``.

    Outside working hours the clock starts at the next opening. A zero duration gives the next
    working moment: ``start`` itself when it is within working hours. A duration that runs out
    exactly at a closing gives that closing (Friday 16:00 + 1 h is Friday 17:00, not Monday).
    """
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    cursor = _naive_utc(start)
    remaining = duration
    # No earlier day can have working time after ``cursor``: its last interval closes at the
    # latest when the clocks first read this day's 00:00, which they have by now.
    day = _local_date(cursor, calendar)
    closed_days = 0
    while closed_days <= MAX_CLOSED_DAYS:
        intervals = calendar._utc_intervals(day)
        closed_days = 0 if intervals else closed_days + 1
        for opening, closing in intervals:
            if closing <= cursor:
                continue
            begin = max(opening, cursor)
            available = closing - begin
            if remaining <= available:
                return (begin + remaining).replace(tzinfo=UTC)
            remaining -= available
            cursor = closing
        day += ONE_DAY
    raise ValueError(f"the calendar has no working time in the {MAX_CLOSED_DAYS} days up to {day}")


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """The working time that elapses from ``start`` to ``end`` (zero if ``end`` is not later)."""
    start, end = _naive_utc(start), _naive_utc(end)
    if end <= start:
        return ZERO
    total = ZERO
    day = _local_date(start, calendar)  # No earlier day matters: see add_business_time.
    # A day late: where clocks fell back across midnight (Newfoundland until 2011, 00:01 → 23:01),
    # the repeated hour has the previous local date but comes after the next day's opening.
    last_day = _local_date(end, calendar) + ONE_DAY
    while day <= last_day:
        for opening, closing in calendar._utc_intervals(day):
            overlap = min(closing, end) - max(opening, start)
            if overlap > ZERO:
                total += overlap
        day += ONE_DAY
    return total


def share_elapsed(
    start: datetime, due: datetime, now: datetime, calendar: BusinessCalendar
) -> float:
    """The share of the working time from ``start`` to ``due`` that has passed by ``now``.

    0.0 at the start, 1.0 at the due time, above 1.0 when overdue, never below 0. A due time not
    after the start counts as fully elapsed; so does one with no working time before it, once
    ``now`` reaches it.
    """
    allowed = business_time_between(start, due, calendar)
    if allowed == ZERO:
        return 1.0 if _utc(due) <= _utc(start) or _utc(now) >= _utc(due) else 0.0
    return business_time_between(start, now, calendar) / allowed


def resume_due(
    due: datetime, paused_at: datetime, resumed_at: datetime, calendar: BusinessCalendar
) -> datetime:
    """The new due time when a clock paused at ``paused_at`` (waiting on the customer) resumes.

    The working time that was left at the pause is added from ``resumed_at``. A due time that
    had already passed when the clock paused stays as it was: pausing does not forgive lateness.
    """
    if resumed_at < paused_at:
        raise ValueError("a clock cannot resume before it was paused")
    if due <= paused_at:
        return _utc(due)
    remaining = business_time_between(paused_at, due, calendar)
    return add_business_time(resumed_at, remaining, calendar)


def _checked_hours(hours: Mapping[int, Iterable[Interval]]) -> dict[int, tuple[Interval, ...]]:
    checked = {}
    for weekday, intervals in hours.items():
        if weekday not in range(7):
            raise ValueError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
        intervals = tuple((opening, closing) for opening, closing in intervals)
        previous_end = None
        for opening, closing in intervals:
            if opening.tzinfo is not None or closing.tzinfo is not None:
                raise ValueError("working hours are local wall-clock times without a tzinfo")
            if closing != MIDNIGHT and closing <= opening:
                raise ValueError(f"interval {opening}–{closing} ends before it starts")
            if previous_end is not None and (previous_end == MIDNIGHT or opening < previous_end):
                raise ValueError(f"intervals on weekday {weekday} overlap or are not sorted")
            previous_end = closing
        checked[weekday] = intervals
    return checked


def _instant(wall: datetime, wall_fold: datetime, zone: ZoneInfo) -> datetime:
    """The first instant (naive UTC) at which the clocks of ``zone`` read ``wall`` or later.

    ``wall`` and ``wall_fold`` are the same naive local time with fold 0 and fold 1.
    """
    earlier_offset = zone.utcoffset(wall)
    later_offset = zone.utcoffset(wall_fold)
    instant = wall - earlier_offset
    if earlier_offset >= later_offset:
        # Unambiguous, or repeated by a fall-back and taken at its first occurrence (fold=0).
        return instant
    # Skipped by a spring-forward jump. ``instant`` (old offset) lies after the jump and
    # ``wall - later_offset`` before it; the jump is the first instant whose wall time is past
    # ``wall``. Bisect to the microsecond; this only happens on a DST day with a boundary inside
    # the gap.
    low, high = wall - later_offset, instant
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def _naive_utc(moment: datetime) -> datetime:
    return _utc(moment).replace(tzinfo=None)


def _local_date(naive_utc: datetime, calendar: BusinessCalendar) -> date:
    return naive_utc.replace(tzinfo=UTC).astimezone(calendar._zone).date()


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())
