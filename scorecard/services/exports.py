"""Bulk PDF exports for consultants: start one, render its reports in parallel, bundle them, expire the zip.

An export is split into one task per report (`render_export_item`), so every task worker takes a share; the
worker that finishes the last report bundles the zip from the report cache. Zips and cached PDFs live in the
"reports" storage (the file system, or a bucket shared by several nodes: docs/deploy.md), never in database rows.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..languages import current_language, supported_language
from ..models import Assessment, BulkExport, RenderedReport
from ..reports.pdf import ReportRenderError, report_pdf_for, reports_storage
from ..selectors import assessment_get_for, assessments_for
from .audit import audit_record
from .errors import ServiceError

logger = logging.getLogger(__name__)


def _valid_ids(raw_ids: Iterable[str]) -> list[str]:
    ids: list[str] = []
    for raw in raw_ids:
        try:
            ids.append(str(UUID(str(raw))))
        except ValueError:
            raise ServiceError(_("One of the assessments is not available to you.")) from None
    return list(dict.fromkeys(ids))  # a report picked twice is rendered once


@transaction.atomic
def bulk_export_start(*, user: User, assessment_ids: Iterable[str], language: str = "") -> BulkExport:
    """Check the choice (at least one, at most BULK_EXPORT_MAX_REPORTS, all reachable by `user`) and queue one
    rendering task per report. Access is checked in one query whatever the number of reports. Every report is in
    `language` (by default the current one)."""
    language = supported_language(language) or current_language()
    ids = _valid_ids(assessment_ids)
    if not ids:
        raise ServiceError(_("Pick at least one assessment."))
    limit = settings.BULK_EXPORT_MAX_REPORTS
    if len(ids) > limit:
        raise ServiceError(
            ngettext(
                "An export holds at most %(limit)d report; you picked %(n)d. Split them into several exports.",
                "An export holds at most %(limit)d reports; you picked %(n)d. Split them into several exports.",
                limit,
            )
            % {"limit": limit, "n": len(ids)}
        )
    reachable = set(map(str, assessments_for(user).filter(pk__in=ids).values_list("pk", flat=True)))
    if reachable != set(ids):
        raise ServiceError(_("One of the assessments is not available to you."))
    export = BulkExport.objects.create(requested_by=user, assessment_ids=ids, language=language)
    audit_record(by=user, action="export.start", detail=f"{len(ids)} reports")
    from ..tasks import render_export_item  # the tasks module imports this one

    for assessment_id in ids:  # django-tasks enqueues when the transaction commits (ENQUEUE_ON_COMMIT)
        render_export_item.enqueue(str(export.pk), assessment_id)
    return export


def _fail(export_id: str, message: str) -> None:
    """Record the first failure; the other reports' tasks then stop early and the zip is never bundled."""
    BulkExport.objects.filter(pk=export_id, status__in=[BulkExport.Status.QUEUED, BulkExport.Status.RUNNING]).update(
        status=BulkExport.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def export_render_item(export_id: str, assessment_id: str) -> None:
    """Render one report of an export into the report cache; the last one to finish bundles the zip."""
    export = BulkExport.objects.filter(pk=export_id).first()
    if export is None or export.status not in {BulkExport.Status.QUEUED, BulkExport.Status.RUNNING}:
        return  # deleted, failed or already bundled: nothing to do
    BulkExport.objects.filter(pk=export_id, status=BulkExport.Status.QUEUED).update(status=BulkExport.Status.RUNNING)
    user = export.requested_by
    try:
        # Access is checked again: a client may have revoked the grant since the export was started.
        with translation.override(export.language):
            report_pdf_for(user, assessment_get_for(user=user, pk=assessment_id))
    except Http404:
        _fail(export_id, _("One of the assessments is no longer available to you."))
        return
    except ReportRenderError:
        _fail(export_id, _("A report could not be rendered."))
        return
    BulkExport.objects.filter(pk=export_id).update(done_count=F("done_count") + 1)
    # Exactly one worker wins this update (the row lock serialises them), so the zip is bundled once.
    claimed = BulkExport.objects.filter(
        pk=export_id, status=BulkExport.Status.RUNNING, done_count__gte=export.total
    ).update(status=BulkExport.Status.ZIPPING)
    if claimed:
        export_bundle(export_id)


def archive_entry_name(assessment: Assessment) -> str:
    return f"{slugify(assessment.organisation.name)}-{slugify(assessment.name)}-{str(assessment.pk)[:8]}.pdf"


def export_bundle(export_id: str) -> None:
    """Bundle the export's reports (cache hits by now) into a zip in the reports storage, written through a
    temporary file so a big export never sits in memory."""
    export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
    user = export.requested_by
    try:
        with tempfile.TemporaryFile() as spool:
            # Stored, not deflated: PDFs are compressed already, and deflating them again costs CPU for ~1%.
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as archive, translation.override(export.language):
                for assessment_id in export.assessment_ids:
                    assessment = assessment_get_for(user=user, pk=assessment_id)
                    archive.writestr(archive_entry_name(assessment), report_pdf_for(user, assessment))
            spool.seek(0)
            name = reports_storage().save(f"exports/{export.pk}.zip", File(spool))
    except (Http404, ReportRenderError) as exc:
        BulkExport.objects.filter(pk=export_id).update(
            status=BulkExport.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return
    now = timezone.now()
    BulkExport.objects.filter(pk=export_id).update(
        status=BulkExport.Status.DONE,
        archive_name=name,
        finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_ARCHIVE_DAYS),
    )


@dataclass(frozen=True)
class Cleanup:
    expired_exports: int
    deleted_reports: int


def cleanup_exports(*, now: datetime | None = None) -> Cleanup:
    """Expire zips past EXPORT_ARCHIVE_DAYS (the row stays, so the consultant sees it expired and can start it
    again) and delete cached PDFs older than REPORT_CACHE_DAYS (a later download renders again)."""
    now = now or timezone.now()
    expired = 0
    for export in BulkExport.objects.filter(status=BulkExport.Status.DONE, expires_at__lte=now).only(
        "pk", "archive_name"
    ):
        with transaction.atomic():
            if export.archive_name:
                reports_storage().delete(export.archive_name)
            BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.EXPIRED, archive_name="")
        expired += 1
    old_reports = RenderedReport.objects.filter(created_at__lt=now - timedelta(days=settings.REPORT_CACHE_DAYS))
    deleted = 0
    for report in old_reports.iterator():
        report.delete()  # one by one: the post_delete signal removes the file
        deleted += 1
    return Cleanup(expired_exports=expired, deleted_reports=deleted)


def export_is_downloadable(export: BulkExport, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        export.status == BulkExport.Status.DONE
        and bool(export.archive_name)
        and (export.expires_at is None or export.expires_at > now)
    )
