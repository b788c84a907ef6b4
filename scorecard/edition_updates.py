"""What a newer content edition changes for an organisation, in words it can act on.

The organisation page shows it when the organisation's latest assessment was answered against an older
edition: per target market, the obligations and facts added, removed or changed, and how many questions of
the common questionnaire changed. One click re-assesses on the new edition with the answers carried over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from frameworks.models import Country, CountryFact, FrameworkVersion, Question
from frameworks.versioning import Change, EditionUpdate, edition_update

from .models import Assessment, Organisation

KIND_ORDER = ("added", "removed", "changed", "re-weighted", "reworded")
KIND_LABELS = {
    "added": _("new"),
    "removed": _("removed"),
    "changed": _("changed"),
    "re-weighted": _("re-weighted"),
    "reworded": _("reworded"),
}


@dataclass(frozen=True)
class ChangeLine:
    kind: str
    code: str
    text: str
    is_requirement: bool

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class MarketChanges:
    code: str
    name: str
    lines: list[ChangeLine] = field(default_factory=list)


@dataclass
class OrganisationEditionUpdate:
    assessment: Assessment
    update: EditionUpdate
    markets: list[MarketChanges]
    questions_added: int
    questions_removed: int
    questions_changed: int


def _texts(version: FrameworkVersion) -> dict[str, str]:
    texts = {q.code: q.text for q in Question.objects.filter(version=version).only("code", "text")}
    for fact in CountryFact.objects.filter(country__version=version).exclude(code=""):
        texts[f"fact {fact.code}"] = fact.summary
    return texts


def _line(change: Change, new_texts: dict[str, str], old_texts: dict[str, str]) -> ChangeLine:
    texts = old_texts if change.kind == "removed" else new_texts
    is_fact = change.what.startswith("fact ")
    key = f"fact {change.code}" if is_fact else change.code
    text = texts.get(key, "")
    if change.what.startswith("country "):
        text = str(_("The market's facts and readiness data were revised."))
    return ChangeLine(change.kind, change.code, text, is_requirement=change.what.startswith("question "))


def organisation_edition_update(organisation: Organisation) -> OrganisationEditionUpdate | None:
    """None when the latest assessment already uses the current edition (or there is none)."""
    latest = (
        organisation.assessments.select_related("framework_version").order_by("-created_at").first()
        if not organisation.is_consultancy
        else None
    )
    if latest is None:
        return None
    update = edition_update(latest.framework_version, list(latest.target_markets))
    if update is None:
        return None
    new_texts, old_texts = _texts(update.new), _texts(update.old)
    names = {c.code: c.name for c in Country.objects.filter(version=update.new)}
    markets = []
    for code, changes in update.by_market.items():
        lines = sorted(
            (_line(c, new_texts, old_texts) for c in changes),
            key=lambda line: (not line.is_requirement, KIND_ORDER.index(line.kind), line.code),
        )
        markets.append(MarketChanges(code=code, name=names.get(code, code), lines=lines))
    kinds = [c.kind for c in update.questionnaire]
    return OrganisationEditionUpdate(
        assessment=latest,
        update=update,
        markets=markets,
        questions_added=kinds.count("added"),
        questions_removed=kinds.count("removed"),
        questions_changed=len(kinds) - kinds.count("added") - kinds.count("removed"),
    )
