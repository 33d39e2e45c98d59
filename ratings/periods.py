"""Rating periods: calendar months, quarters and years in the tenant's time zone, pure."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The first day of the period of ``kind`` holding ``day``, and the first day after it."""
    length = MONTHS_IN[kind]
    first_month = (day.month - 1) // length * length + 1
    start = date(day.year, first_month, 1)
    return start, _months_later(start, length)


def previous_start(kind: str, start: date) -> date:
    return _months_later(start, -MONTHS_IN[kind])


def period_instants(start: date, end: date, time_zone: str) -> tuple[datetime, datetime]:
    """The period's first instant and the first instant after it, at local midnight in
    the tenant's ``time_zone`` (so a month holds what its clock says happened in it)."""
    zone = ZoneInfo(time_zone)
    return datetime.combine(start, time(), zone), datetime.combine(end, time(), zone)


def local_day(moment: datetime, time_zone: str) -> date:
    """The tenant's calendar day at ``moment`` (its periods are counted in these)."""
    return moment.astimezone(ZoneInfo(time_zone)).date()
