"""Reads of reference content."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Country, CountryFact, FrameworkVersion, Question


def current_version() -> FrameworkVersion | None:
    return FrameworkVersion.objects.current()


def questions_for(version: FrameworkVersion) -> QuerySet[Question]:
    """Every question of a version with what rendering and scoring need, in a fixed number of queries."""
    return (
        Question.objects.filter(version=version)
        .select_related("principle", "component", "genai_dimension", "market")
        .prefetch_related("options", "risks", "sources")
        .order_by("order", "code")
    )


def countries_for(version: FrameworkVersion) -> QuerySet[Country]:
    return (
        Country.objects.filter(version=version)
        .prefetch_related(
            Prefetch("facts", queryset=CountryFact.objects.order_by("order").prefetch_related("sources")),
            "principle_weights__principle",
            "readiness_index_sources",
        )
        .order_by("order", "code")
    )
