"""Admin for the reference content, organised for people who are not programmers.

Published versions are read-only here: to change content, select a version and run "Draft a new version
from this one", edit the draft, then "Publish" it (which runs the same validation as loading files).

Translated fields (frameworks/translation.py) show one box per language, "[en]" first, in a draft's pages
(django-modeltranslation's TranslationAdmin). The translations of a published edition are updated from its files
with `manage.py load_content`, which touches nothing else (docs/translations.md).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .content import ContentError
from .exporting import export_version
from .freshness import stale_before
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
    RiskMethod,
    RiskQuestion,
    Source,
)
from .risk_loading import risk_method_publish
from .versioning import version_clone, version_diff, version_publish


def _version_of(obj: Any) -> FrameworkVersion | None:
    version = obj if isinstance(obj, FrameworkVersion) else getattr(obj, "version", None)
    if version is None and hasattr(obj, "country"):
        version = obj.country.version
    if version is None and hasattr(obj, "question"):
        version = obj.question.version
    return version


def _editable(obj: Any) -> bool:
    version = _version_of(obj)
    return version is None or version.status == FrameworkVersion.Status.DRAFT


SOURCE_FIELDS = ("sources", "readiness_index_sources")


def _limit_sources(form: Any, version: FrameworkVersion | None) -> Any:
    """A record cites sources of its own version only (a plain, labelled list instead of an autocomplete
    that searched every version's sources and had no accessible name)."""
    for name in SOURCE_FIELDS:
        if name in form.base_fields:
            field = form.base_fields[name]
            field.queryset = Source.objects.filter(version=version) if version else Source.objects.none()
            field.widget.attrs.update({"size": 6, "aria-label": str(field.label)})
    return form


class DraftOnlyMixin:
    """Content of a published version can be viewed but not changed or deleted.

    Its change page says why and offers to draft a new version (templates/admin/frameworks/change_form.html).
    """

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        return _limit_sources(form, _version_of(obj) if obj is not None else None)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        version = _version_of(obj) if obj is not None else None
        context = {"content_version": version, "content_read_only": version is not None and not _editable(obj)}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _editable(obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _editable(obj))  # type: ignore[misc]


class LabelledInlineFormSet(BaseInlineFormSet):
    """The "delete" box of each row says which row it deletes (it has no visible label of its own)."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            row = index + 1 if index is not None else ""
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete row %(row)s") % {"row": row}


class DraftOnlyInline(admin.TabularInline):
    extra = 0
    formset = LabelledInlineFormSet
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _editable(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _editable(obj))

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        _limit_sources(formset.form, _version_of(obj) if obj is not None else None)
        return formset

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A tabular inline shows its labels only as column headings: name each input for screen readers.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name))
        return field

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and (obj is None or _editable(obj))


class FreshnessFilter(admin.SimpleListFilter):
    """The "stale facts" list: checked longer ago than CONTENT_STALE_AFTER_DAYS, or never against a document."""

    title = _("freshness")
    parameter_name = "freshness"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("stale", _("Stale (checked too long ago)")),
            ("unchecked", _("No checked-on date (first edition)")),
            ("fresh", _("Checked recently")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "stale":
            return queryset.filter(checked_on__lt=stale_before())
        if self.value() == "unchecked":
            return queryset.filter(checked_on__isnull=True)
        if self.value() == "fresh":
            return queryset.filter(checked_on__gte=stale_before())
        return queryset


class PublishForm(forms.Form):
    label = forms.CharField(
        label=_("Label people will see"), max_length=60, help_text=_("The edition's name, e.g. December 2026")
    )
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Its folder name in fixtures/, e.g. asean-2026-12")
    )
    released_on = forms.DateField(label=_("Released on"), help_text=_("YYYY-MM-DD; usually today"))


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(TranslationAdmin):
    list_display = ["code", "label", "edition_state", "schema", "released_on", "published_at", "based_on"]
    list_filter = ["status"]
    search_fields = ["code", "label", "title"]
    readonly_fields = [
        "status",
        "published_at",
        "released_on",
        "schema",
        "based_on",
        "created_at",
        "scales",
        "scale_translations",
        "sources",
    ]
    actions = ["draft_new_version", "publish", "export_files", "compare_two"]

    @admin.display(description=_("state"))
    def edition_state(self, obj: FrameworkVersion) -> str:
        if obj.status != FrameworkVersion.Status.PUBLISHED:
            return str(obj.get_status_display())
        newer = obj.superseded_by
        if newer is None:
            return str(_("Current: new assessments use it"))
        return str(_("Superseded by %(label)s") % {"label": newer.label})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.assessments.exists())

    @admin.action(description=_("Draft a new version from this one"))
    def draft_new_version(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> None:
        for source in queryset:
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            try:
                # Why not the source's label with a suffix: that compounded on every update. The label
                # people see is asked for when the draft is published.
                draft = version_clone(source=source, code=f"draft-{stamp}", label=f"Draft from {source.code}"[:60])
            except ContentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Draft %(code)s created. Edit its content, then publish it.") % {"code": draft.code},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish (asks for the label, then validates the whole version)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one draft to publish."), messages.WARNING)
            return None
        version = queryset.get()
        today = timezone.localdate()
        form = PublishForm(
            request.POST if "apply" in request.POST else None,
            initial={
                "label": today.strftime("%B %Y"),
                "code": version.code if not version.code.startswith("draft-") else f"asean-{today:%Y-%m}",
                "released_on": today,
            },
        )
        if form.is_valid():
            try:
                published = version_publish(
                    version=version,
                    label=form.cleaned_data["label"],
                    code=form.cleaned_data["code"],
                    released_on=form.cleaned_data["released_on"],
                )
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
                    _("%(label)s (%(code)s) is published and current. New assessments use it.")
                    % {"label": published.label, "code": published.code},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/frameworks/publish.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Publish %(code)s") % {"code": version.code},
                "version": version,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Export to fixture files (zip)"))
    def export_files(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> HttpResponse:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as tmp:
            for version in queryset:
                folder = Path(tmp) / version.code
                for path in export_version(version, folder):
                    # Relative to the edition's folder: translations/<language>/guide.yaml beside guide.yaml.
                    archive.write(path, f"{version.code}/{path.relative_to(folder).as_posix()}")
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
    ("sources", Source),
)


class OptionInline(DraftOnlyInline, TranslationTabularInline):
    model = Option
    fields = ["order", "code", "label", "descriptor", "points"]


@admin.register(Question)
class QuestionAdmin(DraftOnlyMixin, TranslationAdmin):
    list_display = ["code", "short_text", "principle", "scale", "weight", "key_control", "market", "version"]
    list_filter = [
        "version",
        FreshnessFilter,
        "obligation",
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
        (_("Scoring"), {"fields": ["scale", "weight", "key_control", "allow_na", "guide_section"]}),
        (
            _("Market obligation"),
            {
                "fields": [
                    "obligation",
                    "mandatory",
                    "applies_when",
                    "legal_basis",
                    "in_force_since",
                    "in_force_note",
                    "sources",
                    "checked_on",
                    "confidence",
                    "confidence_note",
                ]
            },
        ),
        (_("Who it applies to"), {"fields": ["applies_to", "requires_genai"]}),
        (_("Help and recommendation"), {"fields": ["guidance", "evidence_hint", "recommendation"]}),
    ]

    @admin.display(description=_("question"))
    def short_text(self, obj: Question) -> str:
        return obj.text[:90]

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # Offer only records of the question's own version (the model's clean() refuses others).
            for name, model in VERSION_SCOPED_CHOICES:
                if name in form.base_fields:
                    field = form.base_fields[name]
                    field.queryset = model.objects.filter(version=obj.version)
        return form


@admin.register(Principle)
class PrincipleAdmin(DraftOnlyMixin, TranslationAdmin):
    list_display = ["code", "name", "short_name", "weight", "order", "version"]
    list_filter = ["version"]
    search_fields = ["code", "name", "definition"]


@admin.register(GovernanceComponent, GenAIRisk, GenAIDimension)
class NamedContentAdmin(DraftOnlyMixin, TranslationAdmin):
    list_display = ["code", "name", "order", "version"]
    list_filter = ["version"]
    search_fields = ["code", "name", "description"]


class CountryFactInline(DraftOnlyInline):
    """A country's facts in English; each fact's own page (the list of country facts) has its translations: four
    translated fields in five languages would not fit in a row."""

    model = CountryFact
    fields = [
        "code",
        "topic",
        "order",
        "summary_en",
        "status_en",
        "year",
        "sources",
        "checked_on",
        "status_as_of_en",
        "confidence",
        "confidence_note_en",
    ]


@admin.register(CountryFact)
class CountryFactAdmin(DraftOnlyMixin, TranslationAdmin):
    """Every country fact in one list; filter on freshness for the stale ones."""

    list_display = ["code", "country", "topic", "short_summary", "checked_on", "confidence", "version_code"]
    list_filter = [FreshnessFilter, "country__version", "confidence", "topic", "country__name"]
    search_fields = ["code", "summary", "sources__title", "sources__publisher"]
    list_select_related = ["country__version"]

    @admin.display(description=_("fact"))
    def short_summary(self, obj: CountryFact) -> str:
        return obj.summary[:90]

    @admin.display(description=_("version"), ordering="country__version__code")
    def version_code(self, obj: CountryFact) -> str:
        return obj.country.version.code


@admin.register(Source)
class SourceAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "publisher", "title", "date", "url", "version"]
    list_filter = ["version"]
    search_fields = ["code", "publisher", "title"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, without the warning


class MarketWeightInline(DraftOnlyInline):
    model = MarketPrincipleWeight
    fields = ["principle", "weight"]


@admin.register(Country)
class CountryAdmin(DraftOnlyMixin, TranslationAdmin):
    list_display = ["code", "name", "readiness_index", "has_data_protection_law", "version"]
    list_filter = ["version", "has_data_protection_law"]
    search_fields = ["code", "name"]
    inlines = [CountryFactInline, MarketWeightInline]


@admin.register(RegionalInstrument)
class RegionalInstrumentAdmin(DraftOnlyMixin, TranslationAdmin):
    list_display = ["code", "name", "status", "checked_on", "confidence", "version"]
    list_filter = [FreshnessFilter, "version", "confidence"]
    search_fields = ["code", "name", "summary"]


# --- Risk impact assessment methods (docs/risk-method.md) -----------------------------------------------------------


def _risk_method_editable(obj: Any) -> bool:
    method = obj if isinstance(obj, RiskMethod) else getattr(obj, "method", None)
    return method is None or method.status == RiskMethod.Status.DRAFT


class RiskQuestionInline(TranslationTabularInline):
    """A method's questions; like a published edition's content, a published method's are read-only. Their text and
    guidance show one box per language (a published method's translations are updated from its files)."""

    model = RiskQuestion
    extra = 0
    formset = LabelledInlineFormSet
    fields = ["order", "code", "section", "kind", "annex_ref", "text", "guidance", "required"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name))
        return field

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _risk_method_editable(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and _risk_method_editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and _risk_method_editable(obj)


@admin.register(RiskMethod)
class RiskMethodAdmin(TranslationAdmin):
    """Risk methods load from fixtures/risk-methods/*.yaml. A published one never changes, because submitted risk
    assessments rest on it: copy its file under a new code to change it (or edit a draft here and publish it).
    Its title, description and levels show one box per language; the rules are read from the English levels."""

    list_display = ["code", "title", "method_state", "released_on", "published_at", "question_count"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [RiskQuestionInline]
    actions = ["publish"]

    @admin.display(description=_("state"))
    def method_state(self, obj: RiskMethod) -> str:
        if obj.status != RiskMethod.Status.PUBLISHED:
            return str(obj.get_status_display())
        current = RiskMethod.current()
        if current is not None and current.pk == obj.pk:
            return str(_("Current: new risk assessments use it"))
        return str(_("Superseded by %(code)s") % {"code": current.code if current else "?"})

    @admin.display(description=_("questions"))
    def question_count(self, obj: RiskMethod) -> int:
        return obj.questions.count()

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        obj = self.get_object(request, object_id)
        context = {"risk_method_read_only": obj is not None and not _risk_method_editable(obj)}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _risk_method_editable(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.assessments.exists())

    @admin.action(description=_("Publish (validates the whole method first)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[RiskMethod]) -> None:
        for method in queryset:
            try:
                risk_method_publish(method)
            except ContentError as exc:
                problems = "; ".join(str(p) for p in exc.problems[:20])
                self.message_user(
                    request,
                    _("%(code)s was not published: %(problems)s") % {"code": method.code, "problems": problems},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(code)s is published. New risk assessments use the newest published method.")
                    % {"code": method.code},
                    messages.SUCCESS,
                )
