"""The AI-system inventory: list, create, edit, delete, import and export systems, and a system's page
(docs/inventory.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import systems_io
from ..models import AffectedGroup, AISystem, DataCategory, Organisation, Role
from ..permissions import AuthedRequest, role_allows
from ..reports import actions as actions_report
from ..reports import system_risk as system_risk_report
from ..selectors import ai_system_get_for, ai_systems_of, organisation_access_get_for, organisation_get_for
from ..services import systems as services
from ..services.errors import ServiceError
from ..spreadsheets import FORMATS, table_response
from ..system_forms import SystemForm, SystemImportForm
from .refusals import refuse

# An import with more problems than this lists the first ones and says how many more there are.
PROBLEMS_SHOWN = 100


def _role(obj: Organisation | AISystem) -> str:
    """The caller's role, as the selector found it; passed to services, which check it again."""
    return obj.access_role  # type: ignore[union-attr]


def _service_kwargs(form: SystemForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "purpose": data["purpose"],
        "owner": data["owner"],
        "lifecycle": data["lifecycle"],
        "ai_role": data["ai_role"],
        "uses_genai": data["uses_genai"],
        "models_and_vendors": data["models_and_vendors"],
        "data_categories": list(data["data_categories"]),
        "affected_groups": list(data["affected_groups"]),
        "markets": list(data["markets"]),
        "human_involvement": data["human_involvement"],
    }


def _show_errors(form: SystemForm, error: ValidationError) -> None:
    """The service's problems beside the fields they are about (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


@login_required
def system_list(request: AuthedRequest, pk: UUID) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    markets = services.current_markets()
    return render(
        request,
        "systems/list.html",
        {
            "organisation": organisation,
            "systems": list(ai_systems_of(organisation)),
            "market_names": markets,
            "can_edit": access.may_edit_assessments,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def system_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    form = SystemForm(
        request.POST or None,
        organisation=organisation,
        markets=services.current_markets(),
        initial={"lifecycle": "deployed", "ai_role": "deployer"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            system = services.system_create(
                organisation=organisation, by=request.user, role=_role(organisation), **_service_kwargs(form)
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("%(name)s was added to the inventory.") % {"name": system.name})
            return redirect("system_detail", pk=system.pk)
    return render(request, "systems/form.html", {"form": form, "organisation": organisation, "system": None})


@login_required
@require_http_methods(["GET", "POST"])
def system_edit(request: AuthedRequest, pk: UUID) -> HttpResponse:
    system = ai_system_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    form = SystemForm(
        request.POST or None,
        organisation=system.organisation,
        markets=services.current_markets(),
        initial=SystemForm.initial_for(system),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.system_update(system=system, by=request.user, role=_role(system), **_service_kwargs(form))
        except ValidationError as exc:
            _show_errors(form, exc)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("Changes to %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("system_detail", pk=system.pk)
    return render(request, "systems/form.html", {"form": form, "organisation": system.organisation, "system": system})


@login_required
@require_http_methods(["GET", "POST"])
def system_delete(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """GET asks for confirmation; POST deletes the system with its risk impact assessments."""
    system = ai_system_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    if request.method == "POST":
        try:
            services.system_delete(system=system, by=request.user, role=_role(system))
        except ServiceError as exc:
            refuse(request, exc)
            return redirect("system_detail", pk=system.pk)
        messages.success(request, _("%(name)s was deleted from the inventory.") % {"name": system.name})
        return redirect("system_list", pk=system.organisation_id)
    return render(
        request,
        "systems/delete.html",
        {
            "system": system,
            "assessment_count": system.assessments.count(),
            "risk_assessment_count": system.risk_assessments.count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def system_import(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    markets = services.current_markets()
    template_format = request.GET.get("template")
    if request.method == "GET" and template_format in FORMATS:
        # A file to fill in: the columns, with two example rows to replace.
        return table_response(
            systems_io.HEADERS, _example_rows(markets), filename="ai-systems-template", fmt=template_format
        )
    form = SystemImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.systems_import(
                organisation=organisation,
                by=request.user,
                role=_role(organisation),
                data=upload.read(),
                filename=upload.name or "",
            )
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect("system_list", pk=organisation.pk)
            problems = result.errors
    return render(
        request,
        "systems/import.html",
        {
            "organisation": organisation,
            "form": form,
            "problems": problems[:PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "more_problems": max(0, len(problems) - PROBLEMS_SHOWN),
            "columns": systems_io.column_descriptions(markets),
            "example": [systems_io.HEADERS, *_example_rows(markets)],
        },
    )


def _example_rows(markets: dict[str, str]) -> list[list[str]]:
    """Two rows of an example file for the import page (in the current edition's markets)."""
    codes = [code for code in ("TH", "VN") if code in markets] or list(markets)[:2] or ["SG"]
    return [
        [
            "Loan scoring",
            "Scores consumer loan applications",
            "",
            "deployed",
            "developer",
            "no",
            "In-house gradient boosting",
            "personal; financial",
            "customers",
            "; ".join(codes),
            "in",
        ],
        [
            "Support chatbot",
            "Answers customer questions",
            "",
            "pilot",
            "deployer",
            "yes",
            "",
            "personal",
            "customers",
            codes[0],
            "over",
        ],
    ]


def _export(request: AuthedRequest, pk: UUID, fmt: str) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    members = dict(organisation.memberships.values_list("user_id", "user__email"))
    rows = [systems_io.export_row(system, members) for system in ai_systems_of(organisation)]
    return table_response(
        systems_io.HEADERS, rows, filename=f"{organisation.name} AI systems", fmt=fmt, sheet=_("AI systems")
    )


@login_required
def system_export_csv(request: AuthedRequest, pk: UUID) -> HttpResponse:
    return _export(request, pk, "csv")


@login_required
def system_export_xlsx(request: AuthedRequest, pk: UUID) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
def system_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    system = ai_system_get_for(user=request.user, pk=pk)
    markets = services.current_markets()
    # The risk impact assessment, the markets' readiness and the actions: each part fills its own keys (the page's
    # own keys come last, so that no part can replace the system the page is about).
    context: dict[str, Any] = {}
    context.update(system_risk_report.system_page_context(system))
    context.update(actions_report.system_page_context(system))
    context.update(
        {
            "system": system,
            "organisation": system.organisation,
            "can_edit": role_allows(_role(system), Role.EDITOR),
            "markets_served": [(code, markets.get(code, code)) for code in system.markets],
            "data_category_labels": _labels(system.data_categories, DataCategory),
            "affected_group_labels": _labels(system.affected_groups, AffectedGroup),
            "assessments": list(system.assessments.defer("results").order_by("-created_at")),
        }
    )
    return render(request, "systems/detail.html", context)


def _labels(codes: list[str], choices: type[models.TextChoices]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)) for code in codes]
