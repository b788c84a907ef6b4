"""Background work (django-tasks; immediate in development): every PDF rendered outside development (a download
not yet in the cache, each report of a consultant's bulk export, the report of a just-submitted assessment ahead
of its first download), the daily clean-up of old zips and cached PDFs, and the daily reminders to action owners.

Run the worker in production with `manage.py db_worker` (see docs/deploy.md).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import translation
from django_tasks import task

from .languages import current_language, preferred_language, supported_language
from .reports.pdf import ReportRenderError, report_pdf_for
from .selectors import assessment_get_for
from .services.actions import remind_action_owners
from .services.exports import cleanup_exports, export_render_item

logger = logging.getLogger(__name__)


@task()
def prerender_report(assessment_id: str, user_id: int, language: str = "") -> None:
    """Render a submitted assessment's report for the person who submitted it, into the report cache.

    Why: a full report takes seconds to render (docs/performance.md); a submitted assessment never changes,
    so rendering it in the background right away makes that person's first download a cache hit. In `language`
    if given, else in the one their download defaults to: the organisation's report language, else their own.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # the account was deleted meanwhile
        return
    try:
        assessment = assessment_get_for(user=user, pk=assessment_id)
    except Http404:  # access removed meanwhile: nothing to prepare
        return
    language = (
        supported_language(language)
        or supported_language(assessment.organisation.language)
        or preferred_language(user)
        or current_language()
    )
    try:
        with translation.override(language):
            report_pdf_for(user, assessment)
    except ReportRenderError:  # already logged; the download itself renders again and shows a retry
        logger.warning("Pre-rendering the report of assessment %s failed", assessment_id)


@task()
def render_report(assessment_id: str, user_id: int, language: str) -> None:
    """Render the report someone asked to download, into the report cache; their page polls until it is there.

    Why here: a cold report takes seconds of CPU (docs/performance.md); in a web worker it would hold the
    worker, and the health check, that long. A failure is raised so the task's result says FAILED and the
    page offers a retry.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    try:
        assessment = assessment_get_for(user=user, pk=assessment_id)
    except Http404:
        return
    with translation.override(language):
        report_pdf_for(user, assessment)


@task()
def render_export_item(export_id: str, assessment_id: str) -> None:
    """One report of a bulk export; the last one to finish bundles the zip (scorecard/services/exports.py)."""
    export_render_item(export_id, assessment_id)


@task()
def cleanup_exports_task() -> None:
    """Expire old zips and cached PDFs; `manage.py cleanup_exports` runs the same from cron."""
    cleanup_exports()


@task()
def send_action_reminders(base_url: str = "") -> dict[str, int]:
    """E-mail each action owner their overdue actions and those due within a week, once a day at most
    (scorecard/services/actions.py); `manage.py send_action_reminders` enqueues it from cron or a systemd timer.
    `base_url`: the site's address for the links, else the configured one (`services.actions.site_url`)."""
    run = remind_action_owners(base_url=base_url)
    if run.failed:
        logger.warning("Action reminders: %s e-mail(s) could not be sent; the next run tries again", run.failed)
    return {"emails": run.emails, "actions": run.actions, "failed": run.failed}
