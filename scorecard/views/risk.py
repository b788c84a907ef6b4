"""Risk impact assessments of AI systems: start one, answer it, submit it, read it (docs/risk-method.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frameworks.models import RiskQuestion

from ..models import AffectedGroup, DataCategory, Role, SystemRiskAssessment
from ..permissions import AuthedRequest, role_allows
from ..reports.system_risk import involvement_label, risk_result_view
from ..risk_forms import POSTED_MARKER, RiskAnswersForm
from ..selectors import ai_system_get_for, risk_assessment_get_for
from ..services import risk as services
from ..services.errors import ServiceError
from .refusals import refuse

# Inventory entries worth recalling beside the questions they bear on (component C.2's vulnerable groups).
VULNERABLE_GROUPS = {AffectedGroup.VULNERABLE, AffectedGroup.STUDENTS, AffectedGroup.PATIENTS}
SENSITIVE_DATA = {DataCategory.SENSITIVE, DataCategory.BIOMETRIC, DataCategory.CHILDREN}


def _role(obj: Any) -> str:
    """The caller's role, as the selector found it; passed to services, which check it again."""
    return str(obj.access_role)


def _inventory_hints(risk: SystemRiskAssessment) -> dict[str, str]:
    """What the inventory already says about a question, shown beside it (the answer stays the person's)."""
    system = risk.ai_system
    groups = [str(AffectedGroup(g).label) for g in system.affected_groups if g in AffectedGroup.values]
    hints = {}
    if groups:
        hints["HI-01"] = _("The inventory lists the people affected as: %(groups)s.") % {"groups": ", ".join(groups)}
    if VULNERABLE_GROUPS & set(system.affected_groups) or SENSITIVE_DATA & set(system.data_categories):
        hints["HI-04"] = _("The inventory lists vulnerable people or sensitive data for this system.")
    if system.human_involvement:
        hints["HI-06"] = _("The inventory records %(level)s.") % {"level": involvement_label(system.human_involvement)}
    return hints


def _sections(form: RiskAnswersForm, hints: dict[str, str]) -> list[dict[str, Any]]:
    """The questions grouped by the five sections of Annex A, in the method's order."""
    items = form.items()
    return [
        {
            "key": key,
            "title": label,
            "items": [(item, hints.get(item.question.code, "")) for item in items if item.question.section == key],
        }
        for key, label in RiskQuestion.Section.choices
    ]


def _page(request: AuthedRequest, risk: SystemRiskAssessment, form: RiskAnswersForm | None = None) -> HttpResponse:
    can_edit = role_allows(_role(risk), Role.EDITOR) and not risk.is_locked
    questions = list(risk.method.questions.order_by("order", "code"))
    form = form or RiskAnswersForm(method=risk.method, questions=questions, answers=risk.answers)
    answered = sum(1 for q in questions if risk.answers.get(q.code))
    return render(
        request,
        "risk/assessment.html",
        {
            "risk": risk,
            "system": risk.ai_system,
            "organisation": risk.ai_system.organisation,
            "method": risk.method,
            "form": form,
            "sections": _sections(form, _inventory_hints(risk)),
            "can_edit": can_edit,
            "can_edit_system": role_allows(_role(risk), Role.EDITOR),
            "answered": answered,
            "total": len(questions),
            "missing": services.missing_risk_answers(risk) if not risk.is_locked else [],
            "view": risk_result_view(risk),
            "posted_marker": POSTED_MARKER,
        },
    )


def _save(request: AuthedRequest, risk: SystemRiskAssessment) -> RiskAnswersForm | None:
    """Save the posted answers. Returns the form when it has errors to show, None when saved."""
    questions = list(risk.method.questions.order_by("order", "code"))
    form = RiskAnswersForm(request.POST, method=risk.method, questions=questions, answers=risk.answers)
    if not form.is_valid():
        return form
    try:
        services.risk_assessment_save(risk=risk, by=request.user, role=_role(risk), answers=form.answers())
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return form
    return None


@login_required
@require_POST
def risk_assessment_start(request: AuthedRequest, pk: UUID) -> HttpResponse:
    system = ai_system_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    try:
        risk, created = services.risk_assessment_start(system=system, by=request.user, role=_role(system))
    except ServiceError as exc:
        refuse(request, exc)
        return redirect("system_detail", pk=system.pk)
    if created:
        messages.success(request, _("Risk impact assessment started. Save your answers as you go."))
    else:
        messages.info(request, _("A risk impact assessment of this system is already in progress; here it is."))
    return redirect("risk_assessment", pk=risk.pk)


@login_required
@require_http_methods(["GET", "POST"])
def risk_assessment(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The questionnaire (editors, while in progress) or the answers and result, read-only."""
    risk = risk_assessment_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        if not role_allows(_role(risk), Role.EDITOR):
            raise PermissionDenied(_("You can view this risk assessment but not change it."))
        if risk.is_locked:
            messages.error(request, _("This risk assessment is submitted and locked."))
            return redirect("risk_assessment", pk=risk.pk)
        try:
            form = _save(request, risk)
        except ServiceError as exc:  # submitted meanwhile, in another window
            refuse(request, exc)
            return redirect("risk_assessment", pk=risk.pk)
        if form is not None:
            messages.error(request, _("Some answers need attention; nothing was saved."))
            return _page(request, risk, form)
        messages.success(request, _("Answers saved."))
        return redirect("risk_assessment", pk=risk.pk)
    return _page(request, risk)


@login_required
@require_POST
def risk_assessment_submit(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """Save the answers posted with it (the questionnaire's "Save and submit"), then submit."""
    risk = risk_assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    saved = False
    try:
        if POSTED_MARKER in request.POST and not risk.is_locked:
            form = _save(request, risk)
            if form is not None:
                messages.error(request, _("Some answers need attention; nothing was saved or submitted."))
                return _page(request, risk, form)
            saved = True
        services.risk_assessment_submit(risk=risk, by=request.user, role=_role(risk))
    except ServiceError as exc:
        if saved:
            messages.info(request, _("Your answers were saved, but the risk assessment was not submitted."))
        refuse(request, exc)
        return redirect("risk_assessment", pk=risk.pk)
    messages.success(request, _("Submitted. The risk level is stored with the system and will not change."))
    return redirect("risk_assessment", pk=risk.pk)
