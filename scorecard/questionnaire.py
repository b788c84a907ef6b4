"""The questionnaire's shape for one assessment: its sections, their questions and progress.

Sections: one per principle, then the GenAI supplement (GenAI users only), then one per chosen market with
requirements. Everything is computed from one query for answers plus the cached framework definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from frameworks.models import Question

from . import engine
from .models import Answer, Assessment
from .scoring import framework_for, profile_for


@dataclass(frozen=True)
class Item:
    """A question with this assessment's answer. (Question objects are cached and shared: never mutate them.)"""

    question: Question
    answer: Answer | None
    is_answered: bool


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.is_answered)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def unanswered(self) -> list[str]:
        return [item.question.code for item in self.items if not item.is_answered]


def is_answered(answer: Answer | None) -> bool:
    if answer is None or not answer.choice:
        return False
    return answer.choice != engine.NOT_APPLICABLE or bool(answer.na_justification.strip())


def sections_for(assessment: Assessment, answers: dict[str, Answer] | None = None) -> list[Section]:
    framework, questions = framework_for(assessment.framework_version)
    profile = profile_for(assessment)
    if answers is None:
        answers = {a.question.code: a for a in Answer.objects.filter(assessment=assessment).select_related("question")}
    sections: dict[str, Section] = {}
    for p in framework.principles:
        sections[f"principle-{p.code}"] = Section(f"principle-{p.code}", p.name)
    if profile.uses_genai:
        sections["genai"] = Section("genai", _("Generative AI supplement"))
    for definition in framework.questions:
        if not engine.is_applicable(definition, profile):
            continue
        question = questions[definition.code]
        if definition.section == engine.MARKET:
            key = f"market-{definition.market}"
            title = _("Market requirements: %(name)s") % {"name": question.market.name}  # type: ignore[union-attr]
            sections.setdefault(key, Section(key, title))
        elif definition.section == engine.GENAI:
            key = "genai"
        else:
            key = f"principle-{definition.principle}"
        answer = answers.get(definition.code)
        sections[key].items.append(Item(question, answer, is_answered(answer)))
    return [s for s in sections.values() if s.items]


def progress(sections: list[Section]) -> tuple[int, int]:
    return sum(s.answered for s in sections), sum(s.total for s in sections)
