"""One form per question, prefixed with the question code, so a section page can hold many of them.

The form validates what a page sends. Showing the fields does not go through the form: a section page shows
up to 15 questions of five fields each, and rendering them through crispy-forms' templates took half of the
page's time. `answer_fields()` gives the template `scorecard/_answer_fields.html` what it needs instead: the
question's choices, built once per published framework version and language (published versions never change),
with this answer's values and the form's errors. The markup is the one crispy-forms' Bootstrap 5 templates
produced (ids, names, labels, aria attributes, help text and error blocks), without their whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.template import Context, Engine, Template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frameworks.models import Question

from . import engine
from .models import Answer
from .scoring import published_key
from .services.assessments import answer_problems

TEXT_FIELDS = ("na_justification", "evidence_note", "evidence_link")


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
        widgets = question_widgets(question)
        cast(forms.ChoiceField, self.fields["choice"]).choices = [(o.value, o.label) for o in widgets.choice.options]
        if widgets.checked is not None:
            cast(forms.MultipleChoiceField, self.fields["checked"]).choices = [
                (o.value, o.label) for o in widgets.checked.options
            ]
        else:
            del self.fields["checked"]
        if not question.allow_na:
            del self.fields["na_justification"]

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


@dataclass(frozen=True)
class Option:
    value: str
    label: SafeString  # escaped already: option labels carry markup (the level's name in bold)
    id: str


@dataclass(frozen=True)
class OptionGroup:
    """A question's radio buttons (`choice`) or checkboxes (`checked`), as the page shows them."""

    name: str  # the input name: "TE-01-choice"
    id: str  # the field's id: "id_TE-01-choice"; each option's id is this plus "_<index>"
    label: str
    input_type: str  # "radio" or "checkbox"
    options: tuple[Option, ...]


@dataclass(frozen=True)
class QuestionWidgets:
    """What a question shows that does not depend on the answer: its heading, guidance and choices, in one
    language. Built once per published version (see question_widgets). Shared: never mutate."""

    code: str
    intro: SafeString  # the legend, guide section, legal basis and guidance (_question_intro.html)
    choice: OptionGroup
    checked: OptionGroup | None  # checklist questions only
    texts: dict[str, tuple[str, str, str, str]]  # name, id, label and help text of each text field it has


@dataclass(frozen=True)
class GroupState:
    group: OptionGroup
    options: list[tuple[Option, bool]]  # each option, and whether it is selected
    errors: list[str]


@dataclass(frozen=True)
class TextField:
    name: str
    id: str
    label: str
    help_text: str
    value: str
    errors: list[str]

    @property
    def describedby(self) -> str:
        """The ids of the help text and error block, as Django's BoundField.aria_describedby gives them."""
        ids = [f"{self.id}_helptext"] if self.help_text else []
        return " ".join([*ids, f"{self.id}_error"] if self.errors else ids)


@dataclass(frozen=True)
class AnswerFields:
    """One question's fields with this answer's values and the form's errors, for `_answer_fields.html`."""

    widgets: QuestionWidgets
    groups: list[GroupState]  # the radio buttons, then a checklist's checkboxes
    na_justification: TextField | None
    evidence_note: TextField
    evidence_link: TextField
    non_field_errors: list[str]


INTRO_TEMPLATE = "scorecard/_question_intro.html"
_widgets_cache: dict[tuple[Any, ...], tuple[Template, dict[str, QuestionWidgets]]] = {}


def question_widgets(question: Question) -> QuestionWidgets:
    """What the question shows whatever the answer, in the current language: built once per published version
    (and per version of the intro template, which the development server reloads), every time for a draft
    version, whose questions an admin may be editing."""
    key = published_key(question.version)
    template = Engine.get_default().get_template(INTRO_TEMPLATE)  # the loader's, kept until it reloads
    if key is None:
        return _build_widgets(question, template)
    cache_key = (*key, get_language())
    cached = _widgets_cache.get(cache_key)
    if cached is None or cached[0] is not template:
        cached = _widgets_cache[cache_key] = (template, {})
    per_version = cached[1]
    widgets = per_version.get(question.code)
    if widgets is None:
        widgets = per_version[question.code] = _build_widgets(question, template)
    return widgets


def _group(code: str, name: str, input_type: str, choices: list[tuple[str, Any]]) -> OptionGroup:
    field_id = f"id_{code}-{name}"
    options = tuple(
        Option(value, label if isinstance(label, SafeString) else format_html("{}", label), f"{field_id}_{i}")
        for i, (value, label) in enumerate(choices)
    )
    return OptionGroup(f"{code}-{name}", field_id, str(AnswerForm.base_fields[name].label), input_type, options)


def _build_widgets(question: Question, intro: Template) -> QuestionWidgets:
    options = list(question.options.all())
    checked = None
    if question.scale == Question.Scale.CHECKLIST:
        choices: list[tuple[str, Any]] = [
            (engine.CHECKLIST, _("The practices ticked below are in place (tick none if none are)"))
        ]
        checked = _group(question.code, "checked", "checkbox", [(o.code, o.label) for o in options])
    else:
        choices = [
            (o.code, format_html("<strong>{}</strong>{}", o.label, f" — {o.descriptor}" if o.descriptor else ""))
            for o in options
        ]
    choices.append((engine.DONT_KNOW, _("Don't know (scores nothing)")))
    if question.allow_na:
        choices.append((engine.NOT_APPLICABLE, _("Not applicable (explain why)")))
    texts = {
        name: (f"{question.code}-{name}", f"id_{question.code}-{name}", str(field.label), str(field.help_text))
        for name, field in AnswerForm.base_fields.items()
        if name in TEXT_FIELDS and (question.allow_na or name != "na_justification")
    }
    return QuestionWidgets(
        code=question.code,
        intro=mark_safe(intro.render(Context({"question": question}))),  # a template's output, escaped there
        choice=_group(question.code, "choice", "radio", choices),
        checked=checked,
        texts=texts,
    )


def answer_fields(question: Question, *, answer: Answer | None = None, form: AnswerForm | None = None) -> AnswerFields:
    """The fields to show: what `form` was sent (with its errors) when there is one, else the saved `answer`."""
    widgets = question_widgets(question)
    errors: dict[str, list[str]] = {}
    non_field: list[str] = []
    if form is not None and form.is_bound:
        values = {name: form[name].value() for name in form.fields}
        errors = {name: [str(m) for m in e] for name, e in form.errors.items() if name != NON_FIELD_ERRORS}
        non_field = [str(m) for m in form.non_field_errors()]
    else:
        values = answer.as_dict() if answer is not None else {}
    choice = str(values.get("choice") or "")
    groups = [
        GroupState(widgets.choice, [(o, o.value == choice) for o in widgets.choice.options], errors.get("choice", []))
    ]
    if widgets.checked is not None:
        ticked = {str(v) for v in values.get("checked") or ()}
        options = [(o, o.value in ticked) for o in widgets.checked.options]
        groups.append(GroupState(widgets.checked, options, errors.get("checked", [])))

    texts = {
        name: TextField(*static, value=str(values.get(name) or ""), errors=errors.get(name, []))
        for name, static in widgets.texts.items()
    }
    return AnswerFields(
        widgets=widgets,
        groups=groups,
        na_justification=texts.get("na_justification"),
        evidence_note=texts["evidence_note"],
        evidence_link=texts["evidence_link"],
        non_field_errors=non_field,
    )
