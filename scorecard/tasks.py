"""Background work (django-tasks; immediate in development): bulk PDF exports for consultants, and the
report of a just-submitted assessment rendered ahead of its first download.

Run the worker in production with `manage.py db_worker` (see docs/deploy.md).
"""

from __future__ import annotations

import io
import logging
import zipfile

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from .models import Assessment, BulkExport
from .reports.pdf import ReportRenderError, report_pdf_for
from .selectors import assessment_get_for

logger = logging.getLogger(__name__)


@task()
def prerender_report(assessment_id: str, user_id: int) -> None:
    """Render a submitted assessment's report for the person who submitted it, into the report cache.

    Why: a full report takes seconds to render (docs/performance.md); a submitted assessment never changes,
    so rendering it in the background right away makes that person's first download a cache hit.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # the account was deleted meanwhile
        return
    try:
        assessment = assessment_get_for(user=user, pk=assessment_id)
    except Http404:  # access removed meanwhile: nothing to prepare
        return
    try:
        report_pdf_for(user, assessment)
    except ReportRenderError:  # already logged; the download itself renders again and shows a retry
        logger.warning("Pre-rendering the report of assessment %s failed", assessment_id)


@task()
def render_bulk_export(export_id: str) -> None:
    """Render each chosen report (re-checking access: a grant may be revoked meanwhile) into one zip."""
    export = BulkExport.objects.filter(pk=export_id).first()
    if export is None:  # deleted before it ran, with the organisation whose report it named
        return
    user = get_user_model().objects.get(pk=export.requested_by_id)
    BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.RUNNING)
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, assessment_id in enumerate(export.assessment_ids, start=1):
                assessment: Assessment = assessment_get_for(user=user, pk=assessment_id)
                pdf = report_pdf_for(user, assessment)
                name = (
                    f"{slugify(assessment.organisation.name)}-{slugify(assessment.name)}-{str(assessment.pk)[:8]}.pdf"
                )
                archive.writestr(name, pdf)
                BulkExport.objects.filter(pk=export.pk).update(done_count=index)
    except Exception as exc:  # recorded for the user; the status page offers a retry
        BulkExport.objects.filter(pk=export.pk).update(
            status=BulkExport.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.DONE, archive=buffer.getvalue(), finished_at=timezone.now()
    )
