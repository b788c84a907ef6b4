"""One form per question, prefixed with the question code, so a section page can hold many of them."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from frameworks.models import Question

from . import engine
from .models import Answer
from .services.assessments import answer_problems


class AnswerForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your answer"), widget=forms.RadioSelect, required=False)
    checked = forms.MultipleChoiceField(
        label=_("Practices in place"), widget=forms.CheckboxSelectMultiple, required=False
    )
    na_justification = forms.CharField(
        label=_("Why it does not apply"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_note = forms.CharField(
        label=_("Evidence note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the evidence is kept, who owns it, what it shows."),
    )
    evidence_link = forms.CharField(
        label=_("Evidence link (optional)"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def __init__(self, *args: Any, question: Question, answer: Answer | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", question.code)
        if answer is not None and "data" not in kwargs and not args:
            kwargs["initial"] = answer.as_dict()
        super().__init__(*args, **kwargs)
        self.question = question
        options = list(question.options.all())
        if question.scale == Question.Scale.CHECKLIST:
            choices: list[tuple[str, Any]] = [
                (engine.CHECKLIST, _("The practices ticked below are in place (tick none if none are)"))
            ]
            cast(forms.MultipleChoiceField, self.fields["checked"]).choices = [(o.code, o.label) for o in options]
        else:
            choices = [
                (o.code, format_html("<strong>{}</strong>{}", o.label, f" — {o.descriptor}" if o.descriptor else ""))
                for o in options
            ]
            del self.fields["checked"]
        choices.append((engine.DONT_KNOW, _("Don't know (scores nothing)")))
        if question.allow_na:
            choices.append((engine.NOT_APPLICABLE, _("Not applicable (explain why)")))
        else:
            del self.fields["na_justification"]
        cast(forms.ChoiceField, self.fields["choice"]).choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choice = cleaned.get("choice") or ""
        checked = cleaned.get("checked") or []
        if self.question.scale == Question.Scale.CHECKLIST and checked and not choice:
            choice = cleaned["choice"] = engine.CHECKLIST
        for problem in answer_problems(
            self.question,
            choice=choice,
            checked=checked,
            na_justification=cleaned.get("na_justification") or "",
            evidence_link=cleaned.get("evidence_link") or "",
            evidence_note=cleaned.get("evidence_note") or "",
        ):
            self.add_error(None, problem)
        return cleaned

    def has_anything(self) -> bool:
        """Whether the person typed or chose anything for this question (empty forms are not saved)."""
        data = self.cleaned_data
        return any(data.get(k) for k in ("choice", "checked", "na_justification", "evidence_note", "evidence_link"))
