"""The report: HTML print view, PDF download, consultants' bulk export, and report branding."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskException

from ..languages import current_language, report_language, supported_language
from ..models import Assessment, BulkExport
from ..permissions import AuthedRequest
from ..reports.branding import prepared_by
from ..reports.context import report_context
from ..reports.pdf import ReportRenderError, cached_report_for, report_pdf_for, reports_storage
from ..selectors import assessment_get_for, latest_submitted_ids, organisation_access_get_for, portfolio_page
from ..services.branding import branding_set_logo
from ..services.errors import ServiceError
from ..services.exports import bulk_export_start, export_is_downloadable
from ..tasks import render_report
from .refusals import refuse


@login_required
def report_print(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    return render(
        request, "reports/print.html", {**report_context(assessment), **prepared_by(request.user, assessment)}
    )


def _pdf_response(pdf: bytes, assessment: Assessment) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(assessment.name) or "assessment"}-report.pdf"'
    return response


def _report_language(request: HttpRequest, assessment: Assessment) -> tuple[str, str]:
    """The report's language (`?lang=`, else the organisation's report language, else the reader's), and the query
    string that keeps an explicit choice on the links of the pages that follow (preparing, retry, status)."""
    requested = supported_language(request.GET.get("lang"))
    language = report_language(requested, assessment.organisation)
    return language, (f"?{urlencode({'lang': requested})}" if requested else "")


def _render_task_key(assessment: Assessment, language: str) -> str:
    return f"report-task:{assessment.pk}:{language}"


def _render_status(request: AuthedRequest, assessment: Assessment, language: str) -> str | None:
    """The status of this person's last background render of `assessment`, if the backend still knows it."""
    result_id = request.session.get(_render_task_key(assessment, language))
    if not result_id:
        return None
    try:
        return str(render_report.get_result(result_id).status)
    except (TaskException, NotImplementedError):  # gone, or a backend that keeps no results (immediate)
        return None


def _queued_render(request: AuthedRequest, assessment: Assessment, language: str) -> str:
    """The state of this person's background render of `assessment`: "queued" (started now or earlier) or
    "failed". The task's id is kept in the session, so reloading the page never queues a second render."""
    status = _render_status(request, assessment, language)
    if status == TaskResultStatus.FAILED:
        return "failed"
    if status in {TaskResultStatus.READY, TaskResultStatus.RUNNING}:
        return "queued"
    result = render_report.enqueue(str(assessment.pk), request.user.pk, language)
    request.session[_render_task_key(assessment, language)] = result.id
    return "failed" if result.status == TaskResultStatus.FAILED else "queued"


@login_required
def report_pdf(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """The PDF from the cache; otherwise rendered by a task worker while a page shows progress (or, in
    development, rendered right here: REPORT_RENDER_IN_REQUEST). In the language of `?lang=` (one of LANGUAGES),
    else the organisation's report language, else the reader's; the pages around it stay in the reader's."""
    assessment = assessment_get_for(user=request.user, pk=pk)
    language, query = _report_language(request, assessment)
    context = {"assessment": assessment, "report_query": query}
    with translation.override(language):
        pdf = cached_report_for(request.user, assessment)
    if pdf is None and settings.REPORT_RENDER_IN_REQUEST:
        try:
            with translation.override(language):
                pdf = report_pdf_for(request.user, assessment)
        except ReportRenderError:
            return render(request, "reports/render_failed.html", context, status=503)
    if pdf is None:
        state = _queued_render(request, assessment, language)
        with translation.override(language):
            pdf = cached_report_for(request.user, assessment)  # an immediate task backend has rendered it already
        if pdf is None:
            if state == "failed":
                request.session.pop(_render_task_key(assessment, language), None)  # the retry queues a new render
                return render(request, "reports/render_failed.html", context, status=503)
            return render(request, "reports/preparing.html", context, status=202)
    return _pdf_response(pdf, assessment)


@login_required
def report_pdf_status(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """What the "preparing your report" page polls: ready (with the download link), still queued, or failed."""
    assessment = assessment_get_for(user=request.user, pk=pk)
    language, query = _report_language(request, assessment)
    with translation.override(language):
        cached = cached_report_for(request.user, assessment) is not None
    if cached:
        state = "ready"
    elif _render_status(request, assessment, language) == TaskResultStatus.FAILED:
        state = "failed"
        request.session.pop(_render_task_key(assessment, language), None)  # the retry queues a new render
    else:
        state = "queued"
    response = render(
        request,
        "reports/_preparing_state.html",
        {"assessment": assessment, "state": state, "report_query": query},
    )
    if state == "ready" and request.headers.get("HX-Request"):
        # Starts the download by itself.
        response["HX-Redirect"] = reverse("report_pdf", args=[assessment.pk]) + query
    return response


def _export_page_context(request: AuthedRequest) -> dict[str, Any]:
    return {
        "portfolio": portfolio_page(request.user, request.GET),
        "exports": BulkExport.objects.filter(requested_by=request.user)[:10],
        "max_reports": settings.BULK_EXPORT_MAX_REPORTS,
        "archive_days": settings.EXPORT_ARCHIVE_DAYS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def bulk_export(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("scope") == "matching":
            ids = latest_submitted_ids(request.user, request.GET)
            if not ids:
                messages.error(request, _("None of these clients has a submitted assessment yet."))
                return redirect(request.get_full_path())
        else:
            ids = request.POST.getlist("assessments")
        language = supported_language(request.POST.get("language")) or current_language()
        try:
            export = bulk_export_start(user=request.user, assessment_ids=ids, language=language)
        except ServiceError as exc:
            refuse(request, exc)
            return redirect(request.get_full_path())
        return redirect("bulk_export_status", pk=export.pk)
    return render(request, "reports/bulk_export.html", _export_page_context(request))


def _export_for(request: HttpRequest, pk: UUID) -> BulkExport:
    return get_object_or_404(BulkExport, pk=pk, requested_by=request.user)


@login_required
def bulk_export_status(request: AuthedRequest, pk: UUID) -> HttpResponse:
    export = _export_for(request, pk)
    template = "reports/_bulk_progress.html" if request.headers.get("HX-Request") else "reports/bulk_status.html"
    return render(request, template, {"export": export, "downloadable": export_is_downloadable(export)})


@login_required
def bulk_export_download(request: AuthedRequest, pk: UUID) -> HttpResponseBase:
    export = _export_for(request, pk)
    if not export_is_downloadable(export):
        return render(request, "reports/bulk_status.html", {"export": export, "downloadable": False}, status=410)
    for assessment_id in export.assessment_ids:  # access may have been revoked since the export ran
        assessment_get_for(user=request.user, pk=assessment_id)
    try:
        archive = reports_storage().open(export.archive_name, "rb")
    except OSError:
        return render(request, "reports/bulk_status.html", {"export": export, "downloadable": False}, status=410)
    return FileResponse(archive, as_attachment=True, filename=f"reports-{export.created_at:%Y%m%d-%H%M}.zip")


@login_required
@require_POST
def branding_upload(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    upload = request.FILES.get("logo")
    if upload is None:
        messages.error(request, _("Choose a PNG or JPEG file."))
        return redirect("organisation_detail", pk=organisation.pk)
    try:
        branding_set_logo(organisation=organisation, data=upload.read(), by=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Logo saved. It appears on the cover of reports you prepare."))
    return redirect("organisation_detail", pk=organisation.pk)
