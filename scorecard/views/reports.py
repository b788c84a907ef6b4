"""The report: HTML print view, PDF download, consultants' bulk export, and report branding."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..models import BulkExport
from ..permissions import AuthedRequest
from ..reports.branding import prepared_by
from ..reports.context import report_context
from ..reports.pdf import ReportRenderError, report_pdf_for
from ..selectors import assessment_get_for, organisation_access_get_for, portfolio_for
from ..services.branding import branding_set_logo
from ..services.errors import ServiceError
from ..tasks import render_bulk_export
from .refusals import refuse


@login_required
def report_print(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    return render(
        request, "reports/print.html", {**report_context(assessment), **prepared_by(request.user, assessment)}
    )


@login_required
def report_pdf(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    try:
        pdf = report_pdf_for(request.user, assessment)
    except ReportRenderError:
        return render(request, "reports/render_failed.html", {"assessment": assessment}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(assessment.name) or "assessment"}-report.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bulk_export(request: AuthedRequest) -> HttpResponse:
    clients = portfolio_for(request.user)
    if request.method == "POST":
        ids = request.POST.getlist("assessments")
        if not ids:
            messages.error(request, _("Pick at least one assessment."))
        else:
            try:
                chosen = [str(assessment_get_for(user=request.user, pk=i).pk) for i in ids]
            except (Http404, ValidationError):
                messages.error(request, _("One of the assessments is not available to you."))
            else:
                export = BulkExport.objects.create(requested_by=request.user, assessment_ids=chosen)
                render_bulk_export.enqueue(str(export.pk))
                return redirect("bulk_export_status", pk=export.pk)
    exports = BulkExport.objects.filter(requested_by=request.user).defer("archive")[:10]
    return render(request, "reports/bulk_export.html", {"clients": clients, "exports": exports})


def _export_for(request: HttpRequest, pk: UUID) -> BulkExport:
    return get_object_or_404(BulkExport.objects.defer("archive"), pk=pk, requested_by=request.user)


@login_required
def bulk_export_status(request: AuthedRequest, pk: UUID) -> HttpResponse:
    export = _export_for(request, pk)
    template = "reports/_bulk_progress.html" if request.headers.get("HX-Request") else "reports/bulk_status.html"
    return render(request, template, {"export": export})


@login_required
def bulk_export_download(request: AuthedRequest, pk: UUID) -> HttpResponse:
    export = get_object_or_404(BulkExport, pk=pk, requested_by=request.user, status=BulkExport.Status.DONE)
    for assessment_id in export.assessment_ids:  # access may have been revoked since the export ran
        assessment_get_for(user=request.user, pk=assessment_id)
    response = HttpResponse(bytes(export.archive or b""), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="reports-{export.created_at:%Y%m%d-%H%M}.zip"'
    return response


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
