"""The risk impact assessment questionnaire as a form: one answer (and a note) per question of the method.

Every field is optional here, so that a draft can be saved half-answered; the service refuses to submit while a
required question is unanswered. The template renders each field explicitly (templates/risk/_question.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from frameworks.models import RiskMethod, RiskQuestion
from frameworks.translation import ContentText, risk_level_text

from .risk import NO, YES
from .services.risk import MAX_NOTE, MAX_TEXT, rules_levels

SHOWN_FIELD = "risk-shown"
POSTED_MARKER = "risk-answers"  # present in every post of the questionnaire; a bare submit has no answers to save
YES_NO_CHOICES = [(YES, _("Yes")), (NO, _("No"))]


def value_field(code: str) -> str:
    return f"{code}-value"


def note_field(code: str) -> str:
    return f"{code}-note"


@dataclass(frozen=True)
class Choice:
    """One answer to pick. A scale step's label and description are the method's words in the reader's language
    (ContentText: marked where English stands in); yes and no are the interface's."""

    value: str
    label: str
    description: str
    id: str
    checked: bool


@dataclass(frozen=True)
class QuestionItem:
    """One question as the page shows it: the question, its fields and, for scales and yes-no, its choices."""

    question: RiskQuestion
    value: forms.BoundField
    note: forms.BoundField | None
    choices: list[Choice]
    answered: bool


class RiskAnswersForm(forms.Form):
    def __init__(
        self,
        data: Any = None,
        *,
        method: RiskMethod,
        questions: Iterable[RiskQuestion],
        answers: dict[str, Any],
    ) -> None:
        self.questions = list(questions)
        self.method = method
        initial: dict[str, Any] = {}
        for question in self.questions:
            answer = answers.get(question.code) or {}
            initial[value_field(question.code)] = "" if answer.get("value") is None else str(answer["value"])
            initial[note_field(question.code)] = answer.get("note", "")
        # What the page showed, sent back with the answers: a save then changes only the questions this person
        # changed, so two people answering different questions of one draft do not undo each other's answers.
        initial[SHOWN_FIELD] = json.dumps(
            {q.code: [initial[value_field(q.code)], initial[note_field(q.code)]] for q in self.questions}
        )
        super().__init__(data, initial=initial)
        self.fields[SHOWN_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        for question in self.questions:
            self.fields[value_field(question.code)] = self._value_field(question)
            if question.kind != RiskQuestion.Kind.TEXT:
                self.fields[note_field(question.code)] = forms.CharField(
                    label=_("Note (optional)"),
                    required=False,
                    max_length=MAX_NOTE,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def _steps(self, kind: str) -> dict[str, tuple[ContentText, ContentText]]:
        """A scale's steps by value (from the English rules), with their label and description in the reader's
        language."""
        return {
            str(step["value"]): (
                risk_level_text(self.method, kind, str(step.get("code", "")), "label"),
                risk_level_text(self.method, kind, str(step.get("code", "")), "description"),
            )
            for step in rules_levels(self.method).get(kind, [])
        }

    def _value_field(self, question: RiskQuestion) -> forms.Field:
        if question.kind in (RiskQuestion.Kind.PROBABILITY, RiskQuestion.Kind.SEVERITY):
            return forms.ChoiceField(
                label=question.text,
                required=False,
                choices=[(value, label) for value, (label, _description) in self._steps(question.kind).items()],
                widget=forms.RadioSelect,
            )
        if question.kind == RiskQuestion.Kind.YES_NO:
            return forms.ChoiceField(
                label=question.text, required=False, choices=YES_NO_CHOICES, widget=forms.RadioSelect
            )
        return forms.CharField(
            label=question.text, required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
        )

    def answers(self) -> dict[str, dict[str, Any]]:
        """The cleaned answers that differ from what the page showed, as the service takes them:
        {code: {"value": ..., "note": ...}}. Every answer when the post does not say what was shown."""
        shown = self._shown()
        answers = {}
        for q in self.questions:
            value = self.cleaned_data.get(value_field(q.code)) or ""
            note = self.cleaned_data.get(note_field(q.code), "")
            if shown is None or shown.get(q.code) != [str(value), note]:
                answers[q.code] = {"value": value or None, "note": note}
        return answers

    @property
    def shown_field(self) -> forms.BoundField:
        return self[SHOWN_FIELD]

    def _shown(self) -> dict[str, Any] | None:
        try:
            shown = json.loads(self.cleaned_data.get(SHOWN_FIELD) or "")
        except ValueError:
            return None
        return shown if isinstance(shown, dict) else None

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's ValidationError (keyed by question code) beside the fields it is about."""
        for code, messages in errors.items():
            field = value_field(code) if value_field(code) in self.fields else None
            for message in messages:
                self.add_error(field, message)

    def items(self) -> list[QuestionItem]:
        items = []
        for question in self.questions:
            value = self[value_field(question.code)]
            current = "" if value.value() is None else str(value.value())
            steps = self._steps(question.kind)
            choices = []
            if question.kind != RiskQuestion.Kind.TEXT:
                for index, (choice, label) in enumerate(value.field.choices, start=1):  # type: ignore[attr-defined]
                    words = steps.get(str(choice))
                    choices.append(
                        Choice(
                            value=str(choice),
                            label=words[0] if words else str(label),
                            description=words[1] if words else "",
                            id=f"id_{value_field(question.code)}_{index}",
                            checked=current == str(choice),
                        )
                    )
            items.append(
                QuestionItem(
                    question=question,
                    value=value,
                    note=self[note_field(question.code)] if note_field(question.code) in self.fields else None,
                    choices=choices,
                    answered=current.strip() != "",
                )
            )
        return items
