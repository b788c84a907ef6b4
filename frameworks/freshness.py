"""When a checked fact counts as stale: older than settings.CONTENT_STALE_AFTER_DAYS (default 180 days)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def stale_before(today: dt.date | None = None) -> dt.date:
    """Facts checked before this date are stale."""
    days = int(getattr(settings, "CONTENT_STALE_AFTER_DAYS", 180))
    return (today or timezone.localdate()) - dt.timedelta(days=days)


def is_stale(checked_on: dt.date | None, today: dt.date | None = None) -> bool:
    # Why False without a date: first-edition facts were never checked against a document; pages say so
    # ("no public source recorded") instead of calling them stale.
    return checked_on is not None and checked_on < stale_before(today)
