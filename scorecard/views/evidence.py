"""The evidence library (docs/evidence.md): upload, download, delete, and the files behind one answer."""

from __future__ import annotations

import logging
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from ..evidence_forms import EvidenceLinkForm, EvidenceUnlinkForm, EvidenceUploadForm
from ..evidence_types import download_name, type_label
from ..models import Action, Answer, Assessment, EvidenceFile, Role
from ..permissions import AuthedRequest, role_allows
from ..selectors import assessment_get_for, evidence_get_for, evidence_of, organisation_get_for
from ..services import evidence as services
from ..services.errors import ServiceError
from .refusals import refuse

logger = logging.getLogger(__name__)

# A download is opened by the person's own programs, never shown by the browser as a page of this site: even a
# file that slipped through as something a browser renders would run no script in the site's origin.
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def _role(obj: object) -> str:
    """The caller's role, as the selector found it; passed to services, which check it again."""
    return obj.access_role  # type: ignore[attr-defined]


def _minimum(request: AuthedRequest) -> Role:
    return Role.EDITOR if request.method == "POST" else Role.VIEWER


@login_required
@require_http_methods(["GET", "POST"])
def evidence_library(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """GET: the organisation's files and what each supports. POST (editors): upload one."""
    organisation = organisation_get_for(user=request.user, pk=pk, minimum=_minimum(request))
    form = EvidenceUploadForm(request.POST, request.FILES) if request.method == "POST" else EvidenceUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_upload(
                organisation=organisation,
                by=request.user,
                role=_role(organisation),
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("“%(name)s” was added to the evidence library.") % {"name": evidence.name})
            return redirect("evidence_library", pk=organisation.pk)
    files = evidence_of(organisation).prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("question", "assessment").order_by(
                "assessment__created_at", "question__code"
            ),
        ),
        Prefetch("actions", queryset=Action.objects.order_by("question_code", "created_at")),
    )
    return render(
        request,
        "evidence/library.html",
        {
            "organisation": organisation,
            "files": [(evidence, type_label(evidence.content_type)) for evidence in files],
            "form": form,
            "can_edit": role_allows(_role(organisation), Role.EDITOR),
        },
    )


@login_required
@require_GET
def evidence_download(request: AuthedRequest, pk: UUID) -> HttpResponseBase:
    """The file, as an attachment with the type detected on upload, to anyone who may see the organisation."""
    evidence = evidence_get_for(user=request.user, pk=pk)
    try:
        stored = storages["evidence"].open(evidence.stored_name, "rb")
    except OSError:  # FileNotFoundError on disk; the S3 backend raises it too
        logger.warning("Evidence file %s (%s) is missing from storage", evidence.pk, evidence.stored_name)
        return render(request, "evidence/missing.html", {"evidence": evidence}, status=404)
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=download_name(evidence.name, evidence.content_type),
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@login_required
@require_http_methods(["GET", "POST"])
def evidence_delete(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """GET asks for confirmation, saying what the file supports; POST deletes it."""
    evidence = evidence_get_for(user=request.user, pk=pk, minimum=Role.EDITOR)
    if request.method == "POST":
        try:
            supported = services.evidence_delete(evidence=evidence, by=request.user, role=_role(evidence))
        except ServiceError as exc:
            refuse(request, exc)
        else:
            message = _("“%(name)s” was deleted.") % {"name": evidence.name}
            if supported:
                message += " " + _("It no longer supports: %(what)s.") % {"what": supported}
            messages.success(request, message)
        return redirect("evidence_library", pk=evidence.organisation_id)
    with_links = EvidenceFile.objects.prefetch_related("answers__question", "answers__assessment", "actions").get(
        pk=evidence.pk
    )
    return render(
        request,
        "evidence/delete.html",
        {"evidence": evidence, "supported": services.evidence_supports(with_links)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_evidence(request: AuthedRequest, pk: UUID, code: str) -> HttpResponse:
    """The files behind one answer. POST (editors, draft only): link library files, take one off, or upload."""
    assessment = assessment_get_for(user=request.user, pk=pk, minimum=_minimum(request))
    found = services.applicable_question(assessment, code)
    if found is None:
        raise Http404(_("This assessment has no such question."))
    section_key, question = found
    here = redirect("answer_evidence", pk=assessment.pk, code=code)
    linked = list(
        EvidenceFile.objects.filter(answers__assessment=assessment, answers__question_id=question.pk)
        .select_related("uploaded_by")
        .order_by("name", "pk")
    )
    available = evidence_of(assessment.organisation).exclude(pk__in=[f.pk for f in linked]).order_by("name")
    link_form = EvidenceLinkForm(library=available)
    upload_form = EvidenceUploadForm()
    if request.method == "POST":
        if assessment.is_locked:
            messages.error(
                request,
                _("This assessment is submitted and locked: its evidence can no longer change. Start a re-assessment."),
            )
            return here
        action = request.POST.get("do")
        try:
            if action == "link":
                link_form = EvidenceLinkForm(request.POST, library=available)
                if link_form.is_valid():
                    _link_chosen(request, assessment, code, link_form)
                    return here
            elif action == "unlink":
                _unlink_one(request, assessment, code)
                return here
            elif action == "upload":
                upload_form = EvidenceUploadForm(request.POST, request.FILES)
                if upload_form.is_valid() and _upload_and_link(request, assessment, code, upload_form):
                    return here
            else:
                messages.error(request, _("Choose files to link, a file to take off, or a file to upload."))
                return here
        except ServiceError as exc:
            refuse(request, exc)
            return here
    return render(
        request,
        "evidence/answer_evidence.html",
        {
            "assessment": assessment,
            "question": question,
            "section_key": section_key,
            "linked": [(evidence, type_label(evidence.content_type)) for evidence in linked],
            "link_form": link_form,
            "upload_form": upload_form,
            "has_library": available.exists(),
            "can_edit": role_allows(_role(assessment), Role.EDITOR) and not assessment.is_locked,
        },
    )


def _link_chosen(request: AuthedRequest, assessment: Assessment, code: str, form: EvidenceLinkForm) -> None:
    added = services.evidence_link_answer(
        assessment=assessment,
        question_code=code,
        evidence_ids=[evidence.pk for evidence in form.cleaned_data["evidence"]],
        by=request.user,
        role=_role(assessment),
    )
    messages.success(
        request,
        ngettext("%(n)s file now supports %(code)s.", "%(n)s files now support %(code)s.", len(added))
        % {"n": len(added), "code": code},
    )


def _unlink_one(request: AuthedRequest, assessment: Assessment, code: str) -> None:
    form = EvidenceUnlinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the file to take off this answer."))
        return
    removed = services.evidence_unlink_answer(
        assessment=assessment,
        question_code=code,
        evidence_ids=[form.cleaned_data["evidence"]],
        by=request.user,
        role=_role(assessment),
    )
    if removed:
        messages.success(
            request,
            _("“%(name)s” no longer supports %(code)s; it stays in the library.")
            % {"name": removed[0].name, "code": code},
        )


def _upload_and_link(request: AuthedRequest, assessment: Assessment, code: str, form: EvidenceUploadForm) -> bool:
    """True when the file was stored and linked; False with the reason on the form."""
    try:
        evidence = services.evidence_upload_for_answer(
            assessment=assessment,
            question_code=code,
            by=request.user,
            role=_role(assessment),
            uploaded_file=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        form.add_error("file", exc)
        return False
    messages.success(
        request,
        _("“%(name)s” was added to the library and supports %(code)s.") % {"name": evidence.name, "code": code},
    )
    return True
