"""Admin for the reference content, organised for people who are not programmers.

Published versions are read-only here: to change content, select a version and run "Draft a new version
from this one", edit the draft, then "Publish" it (which runs the same validation as loading files).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .content import ContentError
from .exporting import export_version
from .models import (
    Country,
    CountryFact,
    FrameworkVersion,
    GenAIDimension,
    GenAIRisk,
    GovernanceComponent,
    MarketPrincipleWeight,
    Option,
    Principle,
    Question,
    RegionalInstrument,
)
from .versioning import version_clone, version_diff, version_publish


def _editable(obj: Any) -> bool:
    version = obj if isinstance(obj, FrameworkVersion) else getattr(obj, "version", None)
    if version is None and hasattr(obj, "country"):
        version = obj.country.version
    if version is None and hasattr(obj, "question"):
        version = obj.question.version
    return version is None or version.status == FrameworkVersion.Status.DRAFT


class DraftOnlyMixin:
    """Content of a published version can be viewed but not changed or deleted."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _editable(obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _editable(obj))  # type: ignore[misc]


class DraftOnlyInline(DraftOnlyMixin, admin.TabularInline):
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and (obj is None or _editable(obj))


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "title", "status", "published_at", "based_on"]
    list_filter = ["status"]
    search_fields = ["code", "label", "title"]
    readonly_fields = ["status", "published_at", "based_on", "created_at", "scales", "sources"]
    actions = ["draft_new_version", "publish", "export_files", "compare_two"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.assessments.exists())

    @admin.action(description=_("Draft a new version from this one"))
    def draft_new_version(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> None:
        for source in queryset:
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            try:
                draft = version_clone(
                    source=source, code=f"{source.code}-draft-{stamp}"[:60], label=f"{source.label} (draft {stamp[:8]})"
                )
            except ContentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Draft %(code)s created. Edit its content, then publish it.") % {"code": draft.code},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish (after validating the whole version)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> None:
        for version in queryset:
            try:
                version_publish(version=version)
            except ContentError as exc:
                problems = "; ".join(str(p) for p in exc.problems[:20])
                self.message_user(
                    request,
                    _("%(code)s was not published: %(problems)s") % {"code": version.code, "problems": problems},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(code)s is published. New assessments use it.") % {"code": version.code},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Export to fixture files (zip)"))
    def export_files(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> HttpResponse:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as tmp:
            for version in queryset:
                for path in export_version(version, Path(tmp) / version.code):
                    archive.write(path, f"{version.code}/{path.name}")
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="framework-content.zip"'
        return response

    @admin.action(description=_("Compare two versions (select exactly two)"))
    def compare_two(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> HttpResponse | None:
        if queryset.count() != 2:
            self.message_user(request, _("Select exactly two versions to compare."), messages.WARNING)
            return None
        old, new = sorted(queryset, key=lambda v: v.created_at)
        return TemplateResponse(
            request,
            "admin/frameworks/version_diff.html",
            {
                **self.admin_site.each_context(request),
                "old": old,
                "new": new,
                "changes": version_diff(old, new),
                "title": _("What changed from %(old)s to %(new)s") % {"old": old.code, "new": new.code},
            },
        )


VERSION_SCOPED_CHOICES = (
    ("principle", Principle),
    ("component", GovernanceComponent),
    ("genai_dimension", GenAIDimension),
    ("market", Country),
    ("risks", GenAIRisk),
)


class OptionInline(DraftOnlyInline):
    model = Option
    fields = ["order", "code", "label", "descriptor", "points"]


@admin.register(Question)
class QuestionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "short_text", "principle", "scale", "weight", "key_control", "market", "version"]
    list_filter = [
        "version",
        "principle__name",
        "scale",
        "key_control",
        "allow_na",
        "applies_to",
        "requires_genai",
        "genai_dimension__name",
        "market__name",
        "mandatory",
    ]
    search_fields = ["code", "text", "guidance", "recommendation"]
    list_select_related = ["principle", "market", "version"]
    filter_horizontal = ["risks"]
    inlines = [OptionInline]
    fieldsets = [
        (None, {"fields": ["version", "code", "order", "text"]}),
        (_("Where it belongs"), {"fields": ["principle", "component", "genai_dimension", "risks", "market"]}),
        (_("Scoring"), {"fields": ["scale", "weight", "key_control", "allow_na", "mandatory", "legal_basis"]}),
        (_("Who it applies to"), {"fields": ["applies_to", "requires_genai"]}),
        (_("Help and recommendation"), {"fields": ["guidance", "evidence_hint", "recommendation"]}),
    ]

    @admin.display(description=_("question"))
    def short_text(self, obj: Question) -> str:
        return obj.text[:90]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            # Offer only records of the question's own version (the model's clean() refuses others).
            for name, model in VERSION_SCOPED_CHOICES:
                if name in form.base_fields:
                    field = form.base_fields[name]
                    field.queryset = model.objects.filter(version=obj.version)  # type: ignore[attr-defined]
        return form


@admin.register(Principle)
class PrincipleAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "weight", "order", "version"]
    list_filter = ["version"]
    search_fields = ["code", "name", "definition"]


@admin.register(GovernanceComponent, GenAIRisk, GenAIDimension)
class NamedContentAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "order", "version"]
    list_filter = ["version"]
    search_fields = ["code", "name", "description"]


class CountryFactInline(DraftOnlyInline):
    model = CountryFact
    fields = ["topic", "order", "summary", "status", "year", "source", "as_of", "confidence"]


class MarketWeightInline(DraftOnlyInline):
    model = MarketPrincipleWeight
    fields = ["principle", "weight"]


@admin.register(Country)
class CountryAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "tier", "readiness_index", "has_data_protection_law", "version"]
    list_filter = ["version", "tier", "has_data_protection_law"]
    search_fields = ["code", "name"]
    inlines = [CountryFactInline, MarketWeightInline]


@admin.register(RegionalInstrument)
class RegionalInstrumentAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "status", "as_of", "confidence", "version"]
    list_filter = ["version", "confidence"]
    search_fields = ["code", "name", "summary"]
