"""The questionnaire's shape for one assessment: its sections, their questions and progress.

Sections: one per principle, then the GenAI supplement (GenAI users only), then one per chosen market with
requirements. Everything is computed from one query for answers plus the cached framework definition.

Why it is built the way it is (the section page and every autosave build all sections, to show progress):
* which questions go in which section depends only on the framework version, the profile and the language, so
  for a published version that layout is computed once per process and profile (`section_layout`);
* answers are read as plain rows, without their questions (no join) and without building a model object for
  each: the cached framework has every question, and only the items someone looks at (`Item.answer`) become
  Answer objects. Reading 150 answers with their questions built 300 model objects per request, a quarter of
  the section page's time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

from django.db import router
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from frameworks.models import FrameworkVersion, Question

from . import engine
from .models import Answer, Assessment
from .scoring import framework_for, profile_for, published_key


class AnswerRow(NamedTuple):
    """A stored answer as read for the questionnaire: the Answer fields, without building the model object."""

    id: int
    assessment_id: Any
    question_id: int
    choice: str
    checked: list[str]
    evidence_note: str
    evidence_link: str
    na_justification: str
    updated_by_id: int
    updated_at: datetime


ROW_FIELDS = AnswerRow._fields


@dataclass(frozen=True)
class Item:
    """A question with this assessment's answer. (Question objects are cached and shared: never mutate them.)"""

    question: Question
    stored: Answer | AnswerRow | None
    is_answered: bool

    @cached_property
    def answer(self) -> Answer | None:
        """The stored answer as an Answer (built on first use: most items are only counted)."""
        stored = self.stored
        if stored is None or isinstance(stored, Answer):
            return stored
        answer = Answer(**stored._asdict())
        answer.question = self.question
        answer._state.adding = False  # as if loaded by a query: saving it updates the row
        answer._state.db = router.db_for_read(Answer)
        return answer


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


def is_answered(answer: Answer | AnswerRow | None) -> bool:
    if answer is None or not answer.choice:
        return False
    return answer.choice != engine.NOT_APPLICABLE or bool(answer.na_justification.strip())


# (key, title, questions) per section, in order: what the profile makes apply, before any answer.
Layout = tuple[tuple[str, str, tuple[Question, ...]], ...]
_layout_cache: dict[tuple[Any, ...], Layout] = {}
LAYOUTS_KEPT = 1024  # profiles differ by role, GenAI use and markets: few in practice; the cache is bounded anyway


def section_layout(version: FrameworkVersion, profile: engine.Profile) -> Layout:
    """The sections and their questions for a profile, in the current language. Computed once per published
    version, profile and language; every time for a draft version (an admin may be editing it)."""
    key = published_key(version)
    cache_key = (*key, profile, get_language()) if key else None
    if cache_key is not None and (cached := _layout_cache.get(cache_key)) is not None:
        return cached
    framework, questions = framework_for(version)  # cached too, but for a draft
    sections: dict[str, tuple[str, list[Question]]] = {}
    for p in framework.principles:
        sections[f"principle-{p.code}"] = (p.name, [])
    if profile.uses_genai:
        sections["genai"] = (_("Generative AI supplement"), [])
    for definition in framework.questions:
        if not engine.is_applicable(definition, profile):
            continue
        question = questions[definition.code]
        if definition.section == engine.MARKET:
            key_ = f"market-{definition.market}"
            if key_ not in sections:
                name = question.market.name  # type: ignore[union-attr]
                sections[key_] = (_("Market requirements: %(name)s") % {"name": name}, [])
        elif definition.section == engine.GENAI:
            key_ = "genai"
        else:
            key_ = f"principle-{definition.principle}"
        sections[key_][1].append(question)
    # A principle's name as its questions' principle reads it in the current language: the cached framework's
    # was read once, in whichever language was active then.
    layout = tuple(
        (k, items[0].principle.name if k.startswith("principle-") else title, tuple(items))
        for k, (title, items) in sections.items()
        if items
    )
    if cache_key is not None:
        if len(_layout_cache) >= LAYOUTS_KEPT:
            _layout_cache.clear()
        _layout_cache[cache_key] = layout
    return layout


def answer_rows(assessment: Assessment, questions: dict[str, Question]) -> dict[str, AnswerRow]:
    """The assessment's stored answers by question code, in one query and without model objects."""
    codes = {q.pk: code for code, q in questions.items()}
    rows = {}
    for values in Answer.objects.filter(assessment=assessment).values_list(*ROW_FIELDS):
        row = AnswerRow(*values)
        code = codes.get(row.question_id)
        if code is not None:  # an answer belongs to its assessment's version; anything else is not shown
            rows[code] = row
    return rows


def sections_for(assessment: Assessment, answers: Mapping[str, Answer | AnswerRow] | None = None) -> list[Section]:
    version = assessment.framework_version
    layout = section_layout(version, profile_for(assessment))
    if answers is None:
        answers = answer_rows(assessment, framework_for(version)[1])
    sections = []
    for key, title, questions in layout:
        items = []
        for question in questions:
            stored = answers.get(question.code)
            items.append(Item(question, stored, is_answered(stored)))
        sections.append(Section(key, title, items))
    return sections


def question_in_section(assessment: Assessment, section: str, code: str) -> Question | None:
    """The question `code` when it is in the assessment's section `section`, without reading any answer."""
    for key, _title, questions in section_layout(assessment.framework_version, profile_for(assessment)):
        if key == section:
            return next((q for q in questions if q.code == code), None)
    return None


def progress(sections: list[Section]) -> tuple[int, int]:
    return sum(s.answered for s in sections), sum(s.total for s in sections)
