"""The date archive of a blog: which years and months have posts, and how many."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth


@dataclass
class ArchiveMonth:
    month: datetime.date
    count: int


@dataclass
class ArchiveYear:
    year: int
    months: list[ArchiveMonth] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


def archive_years(posts: QuerySet) -> list[ArchiveYear]:
    """Years and months that have posts among `posts`, newest first, with post counts.

    One query: months are truncated in the site's time zone so that a post dated 23:30 on
    31 July in New York counts in July there, as its address says.
    """
    rows = (
        posts.order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    years: list[ArchiveYear] = []
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        if not years or years[-1].year != month.year:
            years.append(ArchiveYear(year=month.year))
        years[-1].months.append(ArchiveMonth(month=month, count=row["count"]))
    return years
