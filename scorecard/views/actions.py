"""Actions: the gaps of a submitted assessment that people own and close (docs/actions.md).

The list of an organisation's actions (filtered, with CSV and Excel exports), tracking a gap as an action, and an
action's page, where editors change it and everyone reads its history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import wording
from ..action_forms import (
    NO_OWNER,
    NOT_CLOSED,
    WHOLE_ORGANISATION,
    ActionCreateForm,
    ActionFilterForm,
    ActionUpdateForm,
)
from ..models import Action, AuditEntry, Organisation, Role, person_label
from ..permissions import AuthedRequest, role_allows
from ..reports.actions import ActionRow, action_rows
from ..scoring import framework_for
from ..selectors import action_get_for, actions_of, assessment_get_for, organisation_access_get_for
from ..services import actions as services
from ..services.errors import ServiceError
from ..spreadsheets import table_response
from .refusals import refuse

PER_PAGE = 100


def _role(obj: Any) -> str:
    """The caller's role, as the selector found it; passed to services, which check it again."""
    return str(obj.access_role)


def _filtered(actions: QuerySet[Action], filters: dict[str, Any], today: dt.date) -> QuerySet[Action]:
    status, owner, system = filters.get("status"), filters.get("owner"), filters.get("system")
    if status == NOT_CLOSED:
        actions = actions.exclude(status__in=services.CLOSED)
    elif status:
        actions = actions.filter(status=status)
    if owner == NO_OWNER:
        actions = actions.filter(owner__isnull=True)
    elif owner:
        actions = actions.filter(owner_id=owner)
    if system == WHOLE_ORGANISATION:
        actions = actions.filter(assessment__ai_system__isnull=True)
    elif system:
        actions = actions.filter(assessment__ai_system_id=system)
    if filters.get("overdue"):
        actions = actions.filter(services.overdue_q(today))
    return actions


def _listed(organisation: Organisation, query: Any) -> tuple[ActionFilterForm, QuerySet[Action], dt.date]:
    """The organisation's actions narrowed by the query string, open ones first, then by due date (none last)."""
    today = timezone.localdate()
    form = ActionFilterForm(query or None, organisation=organisation)
    filters = form.filters() if query else {}
    actions = (
        _filtered(actions_of(organisation), filters, today)
        .select_related("assessment__framework_version", "assessment__ai_system")
        .defer("assessment__results")  # the ~40 KB snapshot, never needed in a list
        .prefetch_related("evidence_files")
        .annotate(
            closed=Case(When(status__in=services.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("closed", F("due_on").asc(nulls_last=True), "question_code", "pk")
    )
    return form, actions, today


@login_required
def action_list(request: AuthedRequest, pk: UUID) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    form, actions, today = _listed(organisation, request.GET)
    everything = actions_of(organisation)
    per_status = dict(everything.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/list.html",
        {
            "organisation": organisation,
            "access": access,
            "form": form,
            "rows": action_rows(page.object_list, today),
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "shown": page.paginator.count,
            "total": sum(per_status.values()),
            "status_counts": [(value, label, per_status.get(value, 0)) for value, label in Action.Status.choices],
            "overdue_count": everything.filter(services.overdue_q(today)).count(),
            "filtered": bool(form.is_bound and any(form.filters().values())),
            "export_query": query.urlencode(),
        },
    )


EXPORT_HEADERS = (
    "question",
    "action",
    "priority",
    "system",
    "assessment",
    "owner_email",
    "due_date",
    "status",
    "overdue",
    "justification",
    "notes",
    "evidence_files",
    "closed_on",
)


def _export_row(row: ActionRow) -> list[Any]:
    action = row.action
    recommendation = row.question.recommendation if row.question is not None else action.title
    return [
        action.question_code,
        recommendation or action.title,
        wording.priority_label(action.priority),
        action.assessment.ai_system.name if action.assessment.ai_system else "",
        action.assessment.name,
        action.owner.email if action.owner else "",
        action.due_on,
        action.get_status_display(),
        _("yes") if row.overdue else "",
        action.justification,
        action.notes,
        "; ".join(row.evidence_names),
        row.closed_on,
    ]


def _export(request: AuthedRequest, pk: UUID, fmt: str) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    _form, actions, today = _listed(organisation, request.GET)
    actions = actions.select_related("owner")
    return table_response(
        EXPORT_HEADERS,
        (_export_row(row) for row in action_rows(actions, today)),
        filename=f"{organisation.name}-actions",
        fmt=fmt,
        sheet="Actions",
    )


@login_required
def action_export_csv(request: AuthedRequest, pk: UUID) -> HttpResponse:
    return _export(request, pk, "csv")


@login_required
def action_export_xlsx(request: AuthedRequest, pk: UUID) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    code = (request.GET.get("question") or request.POST.get("question") or "").strip()
    if not assessment.is_locked:
        messages.error(request, _("Actions track the gaps of a submitted assessment. Submit this assessment first."))
        return redirect("assessment_detail", pk=assessment.pk)
    gap = services.gaps_of(assessment).get(code)
    if gap is None:
        messages.error(
            request,
            _("Choose a gap from the action plan: %(code)s is not one of this assessment's gaps.")
            % {"code": code[:20] or "–"},
        )
        return redirect(reverse("assessment_results", args=[assessment.pk]) + "#h-actions")
    existing = Action.objects.filter(assessment=assessment, question_code=code).first()
    if existing is not None:
        messages.info(request, _("%(code)s is already tracked as an action: here it is.") % {"code": code})
        return redirect("action_detail", pk=existing.pk)
    form = ActionCreateForm(request.POST or None, organisation=assessment.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                assessment=assessment,
                by=request.user,
                role=_role(assessment),
                question_code=code,
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("%(code)s is now tracked as an action.") % {"code": code})
            return redirect("action_detail", pk=action.pk)
    questions = framework_for(assessment.framework_version)[1]
    return render(
        request,
        "actions/create.html",
        {"assessment": assessment, "gap": gap, "question": questions.get(code), "form": form, "code": code},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    minimum = Role.EDITOR if request.method == "POST" else Role.VIEWER
    action = action_get_for(user=request.user, pk=pk, minimum=minimum)
    may_edit = role_allows(_role(action), Role.EDITOR)
    initial = {
        "status": action.status,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "notes": action.notes,
        "justification": action.justification,
        "evidence_ids": [f.pk for f in action.evidence_files.all()],
    }
    form = (
        ActionUpdateForm(request.POST or None, request.FILES or None, initial=initial, organisation=action.organisation)
        if may_edit
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.action_update(
                action=action,
                by=request.user,
                role=_role(action),
                status=data["status"],
                owner=data["owner"],
                due_on=data["due_on"],
                notes=data["notes"],
                justification=data["justification"],
                evidence_ids=[f.pk for f in data["evidence_ids"]],
                upload=data.get("upload"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            if saved.status == Action.Status.DONE and action.status != Action.Status.DONE:
                messages.success(
                    request,
                    _("Action closed. Its notes and evidence will pre-fill %(code)s in the next re-assessment.")
                    % {"code": saved.question_code},
                )
            else:
                messages.success(request, _("Action saved."))
            return redirect("action_detail", pk=saved.pk)
    row = action_rows([action])[0]
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "row": row,
            "assessment": action.assessment,
            "organisation": action.organisation,
            "gap": services.gaps_of(action.assessment).get(action.question_code),
            "form": form,
            "may_edit": may_edit,
            "history": [_history_row(entry) for entry in services.action_history(action)],
            "evidence": list(action.evidence_files.all()),
        },
    )


# --- The history, said in the reader's language -----------------------------------------------------------------

HISTORY_VERBS = {
    "action.create": gettext_lazy("Tracked as an action"),
    "action.update": gettext_lazy("Changed"),
    "action.remind": gettext_lazy("Reminder e-mailed"),
}


def _status_label(code: str) -> str:
    return str(dict(Action.Status.choices).get(code, code))


def _said_date(iso: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(iso), "j F Y")
    except ValueError:
        return iso


def _said(part: str) -> str:
    """One change of an audit detail (services/actions.py writes them) in words."""
    key, _sep, rest = part.partition(" ")
    before, arrow, after = rest.partition(" -> ")
    none = _("nobody / none")
    if key == "status" and arrow:
        return _("Status: %(before)s → %(after)s") % {"before": _status_label(before), "after": _status_label(after)}
    if key == "owner":
        if arrow:
            return _("Owner: %(before)s → %(after)s") % {
                "before": none if before == "-" else before,
                "after": none if after == "-" else after,
            }
        return _("Owner: %(owner)s") % {"owner": none if rest == "-" else rest}
    if key == "due":
        return _("Due date: %(date)s") % {"date": none if rest == "-" else _said_date(rest)}
    if key == "notes" and not rest:
        return _("Notes changed")
    if key == "justification" and not rest:
        return _("Justification changed")
    if key == "evidence" and rest[:2] in ("+ ", "- "):
        if rest.startswith("+"):
            return _("Evidence added: %(files)s") % {"files": rest[2:]}
        return _("Evidence removed: %(files)s") % {"files": rest[2:]}
    if key == "reminder" and rest.startswith("to "):
        return _("to %(email)s") % {"email": rest[3:]}
    return part


def _history_row(entry: AuditEntry) -> dict[str, Any]:
    _code, _sep, detail = entry.detail.partition(": ")
    return {
        "at": entry.created_at,
        "who": person_label(entry.user) if entry.user else (entry.user_email or _("the daily reminder")),
        "what": str(HISTORY_VERBS.get(entry.action, entry.action)),
        "changes": [_said(part) for part in detail.split("; ") if part],
    }
