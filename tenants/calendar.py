"""A tenant's business calendar, read from the database: its working hours, its country's public
holidays and its own closures, as a :class:`~tenants.business_time.BusinessCalendar`.

Complaint SLAs and survey follow-ups count their due times in it; ``tenants.business_time`` does
the arithmetic without a database.
"""

import logging
from datetime import datetime, time, timedelta

from tenants.business_time import BusinessCalendar
from tenants.models import Closure, Tenant

logger = logging.getLogger(__name__)

# What "one working day" is when a calendar has no working time at all (misconfigured).
FALLBACK_WORKING_DAY = timedelta(hours=8)


def parse_hours(working_hours: dict) -> dict[int, tuple[tuple[time, time], ...]]:
    """``{"0": ["09:00-13:00", "14:00-18:00"]}`` → ``{0: ((09:00, 13:00), (14:00, 18:00))}``."""
    hours = {}
    for day, spans in (working_hours or {}).items():
        intervals = []
        for span in spans:
            opening, closing = span.split("-")
            intervals.append((time.fromisoformat(opening), time.fromisoformat(closing)))
        hours[int(day)] = tuple(intervals)
    return hours


def calendar_for(tenant: Tenant) -> BusinessCalendar:
    """The tenant's calendar (one query, for its closures).

    Raises ValueError when the working hours leave no working time at all.
    """
    closures = frozenset(Closure.objects.for_tenant(tenant).values_list("day", flat=True))
    hours = parse_hours(tenant.working_hours)
    try:
        return BusinessCalendar(
            time_zone=tenant.time_zone, hours=hours, country=tenant.country, closures=closures
        )
    except ValueError:
        if not any(hours.values()):
            raise
        # A country the holidays package does not know: weekends and closures only.
        logger.warning("no public holidays known for country %r", tenant.country)
        return BusinessCalendar(time_zone=tenant.time_zone, hours=hours, closures=closures)


def _span(start: time, end: time) -> timedelta:
    """Length of a working interval; an end of 00:00 means midnight at the end of the day."""
    day = datetime(2000, 1, 1)
    end_at = datetime.combine(day, end) if end != time(0) else day + timedelta(days=1)
    return end_at - datetime.combine(day, start)


def working_day(calendar: BusinessCalendar) -> timedelta:
    """The length of the calendar's longest working day: what "one working day" means."""
    days = [sum((_span(*span) for span in spans), timedelta()) for spans in calendar.hours.values()]
    return max(days, default=timedelta()) or FALLBACK_WORKING_DAY
