"""Numbered citations for one market: the facts, the readiness index and the requirements share one list.

Pages and the PDF print each source document once per market and refer to it by number, so a market with
forty facts from twelve documents reads as forty statements and twelve source lines, not forty of each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Country, FrameworkVersion, Question, RegionalInstrument, Source


@dataclass
class MarketCitations:
    sources: list[tuple[int, Source]] = field(default_factory=list)
    facts: dict[int, list[int]] = field(default_factory=dict)  # fact pk -> source numbers
    requirements: dict[str, list[int]] = field(default_factory=dict)  # requirement code -> source numbers
    index: list[int] = field(default_factory=list)  # the readiness index's source numbers
    checked_from: dt.date | None = None
    checked_to: dt.date | None = None

    def cite(self, sources: Iterable[Source]) -> list[int]:
        numbers = {s.pk: n for n, s in self.sources}
        refs = []
        for source in sources:
            if source.pk not in numbers:
                numbers[source.pk] = len(self.sources) + 1
                self.sources.append((numbers[source.pk], source))
            refs.append(numbers[source.pk])
        return sorted(set(refs))

    def checked(self, day: dt.date | None) -> None:
        if day is None:
            return
        self.checked_from = min(self.checked_from or day, day)
        self.checked_to = max(self.checked_to or day, day)


def market_citations(country: Country | None, requirements: Iterable[Question]) -> MarketCitations:
    """Expects `facts__sources`, `readiness_index_sources` and the questions' `sources` prefetched."""
    citations = MarketCitations()
    if country is None:
        return citations
    for fact in country.facts.all():
        citations.facts[fact.pk] = citations.cite(fact.sources.all())
        citations.checked(fact.checked_on)
    citations.index = citations.cite(country.readiness_index_sources.all())
    for question in requirements:
        citations.requirements[question.code] = citations.cite(question.sources.all())
        citations.checked(question.checked_on)
    return citations


def instruments_cited(version: FrameworkVersion) -> list[RegionalInstrument]:
    """The version's regional instruments, each with `cited` (numbered sources) and `source_numbers`."""
    instruments = list(RegionalInstrument.objects.filter(version=version).prefetch_related("sources"))
    for instrument in instruments:
        citations = MarketCitations()
        instrument.source_numbers = citations.cite(instrument.sources.all())  # type: ignore[attr-defined]
        instrument.cited = citations.sources  # type: ignore[attr-defined]
    return instruments
