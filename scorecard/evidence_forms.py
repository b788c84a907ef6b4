"""Forms of the evidence library: upload a file, link library files to an answer, take one off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .evidence_types import accepted_types_sentence
from .models import EvidenceFile
from .services.evidence import DESCRIPTION_MAX, megabytes

# What the file picker offers first; the content decides in the end (scorecard/evidence_types.py).
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.txt,.csv"


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose a file to upload.")},
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text=_("What the file shows, for example “Signed AI policy, version 3”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Worked out per form: the limit is a setting, and the sentence is in the reader's language.
        self.fields["file"].help_text = " ".join(
            [
                accepted_types_sentence(),
                str(_("At most %(mb)s MB.") % {"mb": megabytes(settings.EVIDENCE_MAX_BYTES)}),
            ]
        )

    @property
    def shows_file_help(self) -> bool:
        """The accepted types under the field, unless the error beside it says them already."""
        sentence = accepted_types_sentence()
        return not any(sentence in str(error) for error in self.errors.get("file", []))


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: EvidenceFile) -> str:
        return obj.name


class EvidenceLinkForm(forms.Form):
    evidence = EvidenceChoiceField(
        label=_("Files from the library"),
        queryset=EvidenceFile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one file."),
            "invalid_choice": _(
                "One of these files is not in this organisation's library, or already supports this answer."
            ),
            "invalid_pk_value": _("One of these files is not in this organisation's library."),
        },
    )

    def __init__(self, *args: Any, library: QuerySet[EvidenceFile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        assert isinstance(field, EvidenceChoiceField)
        field.queryset = library


class EvidenceUnlinkForm(forms.Form):
    evidence = forms.UUIDField(widget=forms.HiddenInput)
