"""Progress over time: the overall and per-principle scores across the submitted assessments of one scope.

The scope is the organisation and the AI system the assessment is about (no system: the organisation-level
assessments), so that a system's trend never mixes in another system's assessments or the organisation's. The
points are the submitted assessments of that scope up to and including this one, by submission date, at most the
last MAX_POINTS; a draft's live results come last, as "now". Scores are read from each assessment's stored results
snapshot (whatever format it was written in), never computed again: a submitted assessment's figures never change.
Principles are those of this assessment's framework version; an older snapshot without one of them has no score
for it (a gap in its line, "n/a" in the table). docs/methodology.md, "Progress over time".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from frameworks.models import Principle

from ..models import Assessment
from ..results_format import read_results
from ..scoring import results_for
from ..wording import NO_SCORE
from .charts import TrendSeries, trend_svg

MAX_POINTS = 12


@dataclass(frozen=True)
class TrendPoint:
    pk: UUID
    submitted_at: datetime | None  # None: the draft being previewed, "now"
    overall: float | None
    principles: dict[str, float | None]
    is_current: bool


def _scope(assessment: Assessment) -> QuerySet[Assessment]:
    """The submitted assessments this assessment's trend may show, newest first."""
    submitted = Assessment.objects.filter(
        organisation_id=assessment.organisation_id,
        ai_system_id=assessment.ai_system_id,  # None matches the organisation-level assessments (IS NULL)
        status=Assessment.Status.SUBMITTED,
        submitted_at__isnull=False,
    )
    if assessment.is_locked and assessment.submitted_at is not None:
        # A report is the record of its assessment: later ones do not join its trend.
        submitted = submitted.filter(submitted_at__lte=assessment.submitted_at)
    else:
        submitted = submitted.exclude(pk=assessment.pk)
    return submitted.order_by("-submitted_at", "-pk")


def _submitted_room(assessment: Assessment) -> int:
    """How many submitted assessments the chart shows: all its points, less one for a draft's "now"."""
    return MAX_POINTS if assessment.is_locked else MAX_POINTS - 1


def _scores(snapshot: dict[str, Any] | None, fallback_overall: float | None) -> tuple[float | None, dict[str, Any]]:
    if not snapshot:
        return fallback_overall, {}
    results = read_results(snapshot)
    principles = {p["code"]: p.get("score") for p in results.get("principles", ()) if "code" in p}
    return (results.get("overall") or {}).get("score", fallback_overall), principles


def trend_points(assessment: Assessment) -> list[TrendPoint]:
    """The points of the assessment's trend, oldest first, in one query (plus the draft's live results)."""
    rows = list(
        _scope(assessment).values_list("pk", "submitted_at", "overall_score", "results")[: _submitted_room(assessment)]
    )
    points = []
    for pk, submitted_at, overall_score, snapshot in reversed(rows):
        overall, principles = _scores(snapshot, overall_score)
        points.append(TrendPoint(pk, submitted_at, overall, principles, is_current=pk == assessment.pk))
    if points and not assessment.is_locked:  # alone, a draft has no trend: its results are not computed for it
        overall, principles = _scores(results_for(assessment), None)
        points.append(TrendPoint(assessment.pk, None, overall, principles, is_current=True))
    return points


def _label(point: TrendPoint) -> str:
    if point.submitted_at is None:
        return gettext("Now")
    local = timezone.localtime(point.submitted_at)
    return f"{date_format(local, 'j M')}\n{date_format(local, 'Y')}"


def context(assessment: Assessment) -> dict[str, Any]:
    """`trend`: None with fewer than two points; else the chart ("svg"), the names of its principles and the
    same figures as table rows ("rows": a date, the overall score and each principle's score)."""
    points = trend_points(assessment)
    if len(points) < 2:
        return {"trend": None}
    principles = list(Principle.objects.filter(version_id=assessment.framework_version_id).order_by("order", "code"))
    names = [p.short_name for p in principles]
    series = [TrendSeries(gettext("Overall"), [p.overall for p in points])]
    series += [TrendSeries(p.short_name, [point.principles.get(p.code) for point in points]) for p in principles]
    first, last = points[0], points[-1]
    description = gettext(
        "%(n)s assessments. Overall score %(first)s on %(first_date)s, %(last)s on %(last_date)s. "
        "The table that follows gives every principle's scores."
    ) % {
        "n": len(points),
        "first": _shown(first.overall),
        "first_date": _label(first).replace("\n", " "),
        "last": _shown(last.overall),
        "last_date": _label(last).replace("\n", " "),
    }
    rows = [
        {
            "pk": point.pk,
            "date": point.submitted_at,
            "is_current": point.is_current,
            "overall": point.overall,
            "cells": [
                {"name": p.short_name, "code": p.code, "score": point.principles.get(p.code)} for p in principles
            ],
        }
        for point in points
    ]
    return {
        "trend": {
            "svg": trend_svg(
                [_label(point) for point in points],
                series,
                title=gettext("Progress over time: overall and principle scores"),
                description=description,
            ),
            "principles": names,
            "rows": rows,
        }
    }


def _shown(score: float | None) -> str:
    return str(NO_SCORE) if score is None else f"{score:.0f}"


def fingerprint(assessment: Assessment) -> str:
    """The points the trend shows (ids and submission dates), so that a cached PDF is rendered again when they
    change; a draft's live point is "now" (its answers are in the cache key already)."""
    rows = _scope(assessment).values_list("pk", "submitted_at")[: _submitted_room(assessment)]
    marks = [f"{pk}@{submitted_at.isoformat() if submitted_at else ''}" for pk, submitted_at in rows]
    if not assessment.is_locked:
        marks.append("now")
    return "trend:" + ",".join(marks)
