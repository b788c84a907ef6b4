"""Forms of the AI-system inventory: one system, and the upload of a CSV or XLSX file (docs/inventory.md).

The rules themselves are checked again by the service (scorecard/services/systems.py), which names the field that
breaks one; these forms offer only what the rules allow: the organisation's members, the current edition's markets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .models import AffectedGroup, AIRole, AISystem, DataCategory, HumanInvolvement, Lifecycle, Organisation
from .selectors import members_of
from .systems_io import NAME_MAX

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_EXTENSIONS = (".csv", ".xlsx")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user = cast(User, obj)
        full_name = user.get_full_name()
        return f"{full_name} <{user.email}>" if full_name else user.email


class SystemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX, help_text=_("For example: Loan scoring model"))
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the system does, for whom, and which decisions it supports or makes."),
    )
    owner = MemberChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        help_text=_("The member who answers for the system."),
    )
    lifecycle = forms.ChoiceField(label=_("Lifecycle stage"), choices=Lifecycle.choices)
    ai_role = forms.ChoiceField(label=_("Your role with this system"), choices=AIRole.choices, widget=forms.RadioSelect)
    uses_genai = forms.BooleanField(label=_("It is or uses generative AI"), required=False)
    models_and_vendors = forms.CharField(
        label=_("Models and vendors used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: GPT-4o through Azure OpenAI; an in-house gradient-boosting model."),
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Categories of data"), choices=DataCategory.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    affected_groups = forms.MultipleChoiceField(
        label=_("People affected"), choices=AffectedGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    markets = forms.MultipleChoiceField(
        label=_("Markets served"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The ASEAN markets where the system is used or whose people it affects."),
    )
    human_involvement = forms.ChoiceField(
        label=_("Level of human involvement"),
        choices=[("", _("Not decided yet")), *HumanInvolvement.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The Guide (component C.2) sets it from the system's risk: its risk impact assessment recommends one."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, markets: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members_of(organisation)
        cast(forms.MultipleChoiceField, self.fields["markets"]).choices = list(markets.items())
        _bootstrap_classes(self)

    @staticmethod
    def initial_for(system: AISystem) -> dict[str, Any]:
        return {
            "name": system.name,
            "purpose": system.purpose,
            "owner": system.owner_id,
            "lifecycle": system.lifecycle,
            "ai_role": system.ai_role,
            "uses_genai": system.uses_genai,
            "models_and_vendors": system.models_and_vendors,
            "data_categories": system.data_categories,
            "affected_groups": system.affected_groups,
            "markets": system.markets,
            "human_involvement": system.human_involvement,
        }


def _bootstrap_classes(form: forms.Form) -> None:
    """Bootstrap's classes on each input, so that the template renders every field the same way."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class SystemImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("A .csv (UTF-8) or .xlsx file of at most 2 MB, with the columns described below."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv", "class": "form-control"}),
    )

    def clean_file(self) -> UploadedFile:
        uploaded = cast(UploadedFile, self.cleaned_data["file"])
        if PurePath(uploaded.name or "").suffix.lower() not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file (a spreadsheet saved as CSV or Excel)."))
        if (uploaded.size or 0) > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Split it into smaller files."))
        return uploaded
