"""The dates of a series of sessions (pure: plain datetimes in, plain datetimes out).

A series repeats a session at the same wall-clock time in the group's time zone, across
daylight saving: every N weeks, or each month on the same weekday of the month (the 2nd
Tuesday…). A monthly series begun on a 5th weekday falls on the month's last one in the
months without a 5th; the organiser confirms those dates before they are scheduled.
"""

from datetime import datetime, timedelta, tzinfo

MAX_SERIES = 12


def series_dates(
    first: datetime, tz: tzinfo, repeat: str, every: int, count: int
) -> list[datetime]:
    """``count`` dates from ``first`` at the same wall-clock time in ``tz``: every ``every``
    weeks, or each month on the same weekday of the month (the 2nd Tuesday…; a 5th one is
    read as the month's last)."""
    local = first.astimezone(tz)
    if repeat == "weekly":
        return [local + timedelta(weeks=every * k) for k in range(count)]
    if repeat != "monthly":
        return [first]
    rank = (local.day - 1) // 7  # 0: the first such weekday of the month … 4: the last
    dates = []
    for k in range(count):
        month = local.month - 1 + k
        year, month = local.year + month // 12, month % 12 + 1
        day = 1 + (local.weekday() - datetime(year, month, 1).weekday()) % 7 + 7 * min(rank, 3)
        if rank >= 4:
            following = day + 7
            if (datetime(year, month, 1) + timedelta(days=following - 1)).month == month:
                day = following
        dates.append(local.replace(year=year, month=month, day=day))
    return dates


def fallen_back(first: datetime, tz: tzinfo, dates: list[datetime]) -> list[datetime]:
    """The dates of a monthly series begun on a 5th weekday that fall on the month's last
    one instead (the months without a 5th): the organiser confirms them before saving."""
    if (first.astimezone(tz).day - 1) // 7 < 4:
        return []
    return [d for d in dates if (d.astimezone(tz).day - 1) // 7 < 4]
