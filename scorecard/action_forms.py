"""Forms for actions: tracking a gap, changing an action, and filtering an organisation's list of actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .models import Action, EvidenceFile, Organisation, person_label
from .selectors import ai_systems_of, evidence_of, members_of
from .services.actions import MAX_TEXT

NOT_CLOSED = "not_closed"  # the status filter's "open or in progress"
NO_OWNER = "none"
WHOLE_ORGANISATION = "organisation"  # the system filter's "assessments of the whole organisation"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        label = person_label(obj)
        return label if label == obj.email else f"{label} ({obj.email})"


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: EvidenceFile) -> str:
        return f"{obj.name} ({obj.uploaded_at:%Y-%m-%d})"


def _styled(form: forms.Form) -> None:
    """Bootstrap classes on every widget (the templates render each field explicitly)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class _BootstrapForm(forms.Form):
    def full_clean(self) -> None:
        """Mark the inputs in error (Bootstrap's `is-invalid`); Django adds aria-invalid and aria-describedby."""
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class _ActionFieldsForm(_BootstrapForm):
    owner = MemberChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        help_text=_("A member of the organisation. They get a reminder e-mail when the action is due."),
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is being done, by whom, and anything the next re-assessment should know."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organisation)  # type: ignore[attr-defined]


class ActionCreateForm(_ActionFieldsForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ActionUpdateForm(_ActionFieldsForm):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices, widget=forms.RadioSelect)
    justification = forms.CharField(
        label=_("Why the risk is accepted"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for “Risk accepted”: who decided, and on what grounds."),
    )
    evidence_ids = EvidenceChoiceField(
        label=_("Evidence from the library"),
        queryset=EvidenceFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    upload = forms.FileField(
        label=_("Upload a new evidence file"),
        required=False,
        help_text=_("PDF, image or office document. It joins the organisation's evidence library."),
    )

    field_order = ["status", "owner", "due_on", "notes", "justification", "evidence_ids", "upload"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["evidence_ids"].queryset = evidence_of(organisation)  # type: ignore[attr-defined]
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Action.Status.RISK_ACCEPTED and not (data.get("justification") or "").strip():
            self.add_error("justification", _("Say why the risk is accepted: who decided, and on what grounds."))
        return data


class ActionFilterForm(forms.Form):
    """What the list of actions is narrowed to. A value that is not offered is dropped, never an error."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    system = forms.ChoiceField(label=_("AI system"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            (NOT_CLOSED, _("Open or in progress")),
            *Action.Status.choices,
        ]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            (NO_OWNER, _("Nobody yet")),
            *[(str(user.pk), person_label(user)) for user in members_of(organisation)],
        ]
        self.fields["system"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            (WHOLE_ORGANISATION, _("The whole organisation")),
            *[(str(system.pk), system.name) for system in ai_systems_of(organisation)],
        ]
        _styled(self)

    def filters(self) -> dict[str, Any]:
        """The valid filters: each field's value when it is one of the choices, else no filter on it."""
        self.is_valid()  # a field in error is left out of cleaned_data
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}
