"""Starting, answering, submitting, re-assessing, exporting and importing assessments."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TypedDict
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frameworks.models import Country, FrameworkVersion

from ..answer_forms import AnswerForm, answer_fields
from ..forms import AssessmentProfileForm
from ..history import history_page
from ..models import AISystem, Assessment, Organisation, Role, person_label
from ..permissions import AuthedRequest
from ..questionnaire import Section, progress, question_in_section, sections_for
from ..reports.evidence import evidence_by_question
from ..selectors import ai_system_get_for, assessment_get_for, organisation_get_for
from ..services import assessments as services
from ..services.errors import ServiceError
from ..transfer import ImportRefused, assessment_export, assessment_import, too_large_message, unchecked_message
from .refusals import refuse


def _markets(version: FrameworkVersion | None) -> list[tuple[str, str]]:
    return list(Country.objects.filter(version=version).values_list("code", "name")) if version else []


def _profile_kwargs(form: AssessmentProfileForm) -> services.Profile:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "sector": data["sector"],
        "size": data["size"],
        "ai_role": data["ai_role"],
        "uses_genai": data["uses_genai"],
        "target_markets": list(data["target_markets"]),
    }


def _role(obj: Assessment | Organisation | AISystem) -> str:
    """The caller's role, as the selector found it; passed to services, which check it again."""
    return obj.access_role  # type: ignore[union-attr]


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    version = FrameworkVersion.objects.current()
    initial = {"sector": organisation.sector, "size": organisation.size, "ai_role": "deployer"}
    form = AssessmentProfileForm(request.POST or None, initial=initial, markets=_markets(version))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                organisation=organisation, by=request.user, role=_role(organisation), **_profile_kwargs(form)
            )
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("Assessment started. Your answers save as you go."))
            return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "scorecard/form_page.html",
        {
            "form": form,
            "title": _("Start an assessment for %(org)s") % {"org": organisation.name},
            "intro": _("Describe the organisation as it is today. The profile decides which questions apply."),
        },
    )


@login_required
def assessment_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    sections = sections_for(assessment)
    answered, total = progress(sections)
    resume = next((s for s in sections if s.key == assessment.last_section), None) or next(
        (s for s in sections if not s.complete), sections[0] if sections else None
    )
    return render(
        request,
        "scorecard/assessment_detail.html",
        {
            "assessment": assessment,
            "sections": sections,
            "answered": answered,
            "total": total,
            "resume": resume,
            "can_edit": assessment.access_role != Role.VIEWER,  # type: ignore[attr-defined]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_profile(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    if assessment.is_locked:
        messages.error(request, _("This assessment is submitted and locked."))
        return redirect("assessment_detail", pk=assessment.pk)
    initial = {k: getattr(assessment, k) for k in ("name", "sector", "size", "ai_role", "uses_genai", "target_markets")}
    form = AssessmentProfileForm(request.POST or None, initial=initial, markets=_markets(assessment.framework_version))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update_profile(
                assessment=assessment, by=request.user, role=_role(assessment), **_profile_kwargs(form)
            )
        except ServiceError as exc:  # submitted meanwhile, by someone else or in another window
            refuse(request, exc)
            return redirect("assessment_detail", pk=assessment.pk)
        messages.success(
            request, _("Profile saved. Answers to questions that no longer apply are kept but not scored.")
        )
        return redirect("assessment_detail", pk=assessment.pk)
    return render(request, "scorecard/form_page.html", {"form": form, "title": _("Assessment profile")})


def _section_or_404(assessment: Assessment, key: str) -> tuple[Section, list[Section]]:
    sections = sections_for(assessment)
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        raise Http404(_("This assessment has no such section."))
    return section, sections


@login_required
@require_http_methods(["GET", "POST"])
def assessment_section(request: AuthedRequest, pk: UUID, section: str) -> HttpResponse:
    """A questionnaire section. POST is the no-JavaScript path: it saves every question in the section."""
    assessment = assessment_get_for(user=request.user, pk=pk)
    current, sections = _section_or_404(assessment, section)
    can_edit = assessment.access_role != Role.VIEWER and not assessment.is_locked  # type: ignore[attr-defined]
    forms = {}
    shown: dict[str, str] = {}  # each answer's revision as the page shows it (see answer_save_from_page)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You can view this assessment but not change it."))
        errors = 0
        for item in current.items:
            code = item.question.code
            form = AnswerForm(request.POST, question=item.question)
            forms[code] = form
            if (posted := request.POST.get(f"{code}-shown")) is not None:
                shown[code] = posted
            if not form.is_valid():
                errors += 1
                continue
            if form.has_anything() or item.answer is not None:
                try:
                    saved = services.answer_save_from_page(
                        assessment=assessment,
                        question=item.question,
                        by=request.user,
                        role=_role(assessment),
                        shown=posted,
                        section=current.key,
                        **_answer_fields(form),
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                    errors += 1
                except ServiceError as exc:  # submitted meanwhile: nothing more on this page can be saved
                    refuse(request, exc)
                    return redirect("assessment_detail", pk=assessment.pk)
                else:
                    shown[code] = saved.revision
                    if saved.overlap:
                        messages.warning(request, f"{code}: {_overlap_message(saved.overlap, request.user)}")
        if not errors:
            messages.success(request, _("Section saved."))
            index = [s.key for s in sections].index(current.key)
            if "next" in request.POST and index + 1 < len(sections):
                return redirect("assessment_section", pk=assessment.pk, section=sections[index + 1].key)
            return redirect("assessment_section", pk=assessment.pk, section=current.key)
        messages.error(request, _("%(n)s answer(s) need attention; the others were saved.") % {"n": errors})
        current, sections = _section_or_404(assessment, section)
    section_url = _urls_for("assessment_section", assessment.pk)
    autosave_url = _urls_for("answer_autosave", assessment.pk, current.key)
    items = [
        (
            item,
            answer_fields(item.question, answer=item.answer, form=forms.get(item.question.code)),
            shown.get(item.question.code, services.answer_revision(item.answer)),
            autosave_url(item.question.code),
        )
        for item in current.items
    ]
    index = [s.key for s in sections].index(current.key)
    answered, total = progress(sections)
    previous_section = sections[index - 1] if index > 0 else None
    next_section = sections[index + 1] if index + 1 < len(sections) else None
    return render(
        request,
        "scorecard/section.html",
        {
            "assessment": assessment,
            "section": current,
            "sections": [(s, section_url(s.key)) for s in sections],
            "items": items,
            "can_edit": can_edit,
            "answered": answered,
            "total": total,
            "previous_section": previous_section,
            "previous_url": section_url(previous_section.key) if previous_section else "",
            "next_section": next_section,
            "next_url": section_url(next_section.key) if next_section else "",
            # The files linked to each answer (one query), listed under each question.
            "evidence_by_question": evidence_by_question(assessment),
        },
    )


def _urls_for(name: str, *args: object) -> Callable[[str], str]:
    """`reverse(name, args=[*args, last])` for many values of `last`, at the cost of one reverse: a section page
    links every section and every question's autosave (30 reverses were 5% of its time)."""
    marker = "LAST"
    pattern = reverse(name, args=[*args, marker])
    head, tail = pattern.rsplit(marker, 1)
    return lambda last: f"{head}{quote(last, safe='')}{tail}"


class AnswerFields(TypedDict):
    choice: str
    checked: list[str]
    evidence_note: str
    evidence_link: str
    na_justification: str


def _overlap_message(overlap: services.Overlap, user: object) -> str:
    """Tell the person that someone saved this answer after their page was opened, and what happened."""
    who = _("you, in another window") if overlap.changed_by == user else person_label(overlap.changed_by)
    values = {"who": who, "at": time_format(timezone.localtime(overlap.changed_at), "H:i")}
    if overlap.kept_theirs:
        return (
            _(
                "This answer was changed by %(who)s at %(at)s, after this page was opened. You had not changed it "
                "here, so the newer answer was kept; reload the page to see it."
            )
            % values
        )
    return (
        _(
            "This answer had been changed by %(who)s at %(at)s, after this page was opened. Your answer replaced "
            "it; the earlier one is in the change history."
        )
        % values
    )


def _answer_fields(form: AnswerForm) -> AnswerFields:
    data = form.cleaned_data
    return {
        "choice": data.get("choice") or "",
        "checked": list(data.get("checked") or []),
        "evidence_note": data.get("evidence_note") or "",
        "evidence_link": data.get("evidence_link") or "",
        "na_justification": data.get("na_justification") or "",
    }


@login_required
@require_POST
def answer_autosave(request: AuthedRequest, pk: UUID, section: str, code: str) -> HttpResponse:
    """htmx endpoint: save one question. Always answers with the save-state fragment; a validation error
    comes back with status 200 so htmx shows it in place, and the typed text stays in the page."""
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    question = question_in_section(assessment, section, code)
    if question is None:
        raise Http404(_("No such question in this section."))
    form = AnswerForm(request.POST, question=question)
    context: dict[str, object] = {"code": code, "assessment": assessment}
    if form.is_valid():
        try:
            saved = services.answer_save_from_page(
                assessment=assessment,
                question=question,
                by=request.user,
                role=_role(assessment),
                shown=request.POST.get(f"{code}-shown"),
                section=section,
                **_answer_fields(form),
            )
        except (ValidationError, ServiceError) as exc:  # shown in place, beside the question
            context["errors"] = exc.messages
        else:
            context["shown"] = saved.revision
            if saved.overlap:
                context["overlap"] = _overlap_message(saved.overlap, request.user)
            if not (saved.overlap and saved.overlap.kept_theirs):
                context["saved_at"] = timezone.now()
    else:
        context["errors"] = [e for errors in form.errors.values() for e in errors]
    if "saved_at" in context:  # the progress shown beside the page: the answers are read once, after the save
        current, sections = _section_or_404(assessment, section)
        context["section"] = current
        context["answered"], context["total"] = progress(sections)
    return render(request, "scorecard/_save_state.html", context)


@login_required
@require_POST
def assessment_submit(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    try:
        services.assessment_submit(assessment=assessment, by=request.user, role=_role(assessment))
    except ServiceError as exc:
        refuse(request, exc)
        return redirect("assessment_detail", pk=assessment.pk)
    messages.success(request, _("Submitted. The results are stored and will not change with later content updates."))
    return redirect("assessment_results", pk=assessment.pk)


@login_required
@require_POST
def assessment_reassess(request: AuthedRequest, pk: UUID) -> HttpResponse:
    previous = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    try:
        assessment, created = services.assessment_reassess(assessment=previous, by=request.user, role=_role(previous))
    except ServiceError as exc:
        refuse(request, exc)
        return redirect("assessment_detail", pk=previous.pk)
    if created:
        messages.success(request, _("Re-assessment started with your previous answers filled in."))
    else:
        messages.info(request, _("A re-assessment of this assessment is already in progress; here it is."))
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
def assessment_history(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    page, rows = history_page(assessment, request.GET.get("page"))
    return render(
        request,
        "scorecard/history.html",
        {
            "assessment": assessment,
            "rows": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@login_required
def assessment_export_json(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    response = HttpResponse(
        json.dumps(assessment_export(assessment), indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(assessment.name) or "assessment"}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assessment_import_view(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    problems: list[str] = []
    cut_short = ""  # when checking stopped at the first problems: what was left out
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose a JSON file exported from this tool.")]
        elif upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
            problems = [too_large_message()]  # refused before reading a byte of it
        else:
            try:
                assessment = assessment_import(
                    organisation=organisation, by=request.user, role=_role(organisation), raw=upload.read()
                )
            except ImportRefused as exc:
                problems = exc.messages
                cut_short = unchecked_message(exc.unchecked) if exc.stopped_early else ""
            except ServiceError as exc:
                refuse(request, exc)
                return redirect("organisation_detail", pk=organisation.pk)
            else:
                messages.success(request, _("Imported “%(name)s” as a new draft.") % {"name": assessment.name})
                return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "scorecard/import.html",
        {
            "organisation": organisation,
            "problems": problems,
            "cut_short": cut_short,
            "format_url": reverse("about"),
        },
        status=400 if problems else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """GET asks for confirmation; POST deletes the draft."""
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    if request.method == "POST":
        try:
            services.assessment_delete(assessment=assessment, by=request.user, role=_role(assessment))
        except ServiceError as exc:
            refuse(request, exc)
            return redirect("assessment_detail", pk=assessment.pk)
        messages.success(request, _("The draft “%(name)s” was deleted.") % {"name": assessment.name})
        return redirect("organisation_detail", pk=assessment.organisation_id)
    return render(request, "scorecard/assessment_delete.html", {"assessment": assessment})


MAX_NAME = 200  # AssessmentProfileForm's and the model's limit on an assessment's name


def system_assessment_name(system: AISystem, day: date) -> str:
    """ "<system> assessment <date>", the system's name shortened so that the whole fits the name's limit."""
    suffix = _(" assessment %(date)s") % {"date": date_format(day, "j F Y")}
    name = system.name
    if len(name) + len(suffix) > MAX_NAME:
        name = name[: MAX_NAME - len(suffix) - 1].rstrip() + "…"
    return name + suffix


@login_required
@require_http_methods(["GET", "POST"])
def system_assessment_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """An assessment of one AI system: the profile starts from the system (its role, GenAI, markets) and the
    organisation (sector, size); the person can change any of it before starting."""
    system = ai_system_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    organisation = system.organisation
    version = FrameworkVersion.objects.current()
    markets = _markets(version)
    offered = {code for code, _name in markets}
    initial = {
        "name": system_assessment_name(system, timezone.localdate()),
        "sector": organisation.sector,
        "size": organisation.size,
        "ai_role": system.ai_role,
        "uses_genai": system.uses_genai,
        "target_markets": [code for code in system.markets if code in offered],
    }
    # Bound on every POST, even an empty one, so that a post without data shows what is missing.
    form = AssessmentProfileForm(request.POST if request.method == "POST" else None, initial=initial, markets=markets)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                organisation=organisation,
                by=request.user,
                role=_role(system),
                ai_system=system,
                **_profile_kwargs(form),
            )
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(
                request, _("Assessment of %(system)s started. Your answers save as you go.") % {"system": system.name}
            )
            return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "scorecard/form_page.html",
        {
            "form": form,
            "title": _("Assess the AI system %(system)s") % {"system": system.name},
            "intro": _(
                "The profile is filled in from the AI system and from %(org)s: check it describes the system as it "
                "is today. It decides which questions apply."
            )
            % {"org": organisation.name},
        },
    )
