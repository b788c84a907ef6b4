"""Consultancies at scale (issue 17): the paged portfolio, bulk exports split into one task per report, archives and
cached PDFs in the "reports" storage with expiry, and downloads rendered by task workers, never by web workers."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from scorecard.models import Assessment, BulkExport, RenderedReport, Role
from scorecard.reports import pdf as pdf_module
from scorecard.services.exports import cleanup_exports, export_render_item
from scorecard.services.organisations import organisation_delete
from scorecard.tasks import render_export_item, render_report
from tests.conftest import client_for
from tests.factories import AssessmentFactory, ConsultancyFactory, GrantFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def download(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def consultant(content: Any) -> Any:
    return MembershipFactory(organisation=ConsultancyFactory(), role=Role.OWNER).user


def client_of(consultant: Any, **kwargs: Any) -> Any:
    """A client organisation of the consultant's consultancy."""
    consultancy = consultant.memberships.get().organisation
    return GrantFactory(consultancy=consultancy, client=OrganisationFactory(**kwargs)).client


def submitted(organisation: Any, score: float, level: int, **kwargs: Any) -> Assessment:
    return AssessmentFactory(
        organisation=organisation,
        status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now(),
        overall_score=score,
        overall_level=level,
        **kwargs,
    )


# The portfolio -----------------------------------------------------------------------------------------------


def test_the_portfolio_pages_its_clients(consultant: Any, settings: Any) -> None:
    settings.PORTFOLIO_PAGE_SIZE = 4
    for n in range(10):
        client_of(consultant, name=f"Client {n:02d}")
    client = client_for(consultant)
    first = client.get(reverse("portfolio")).content.decode()
    last = client.get(reverse("portfolio"), {"page": 3}).content.decode()
    assert "Client 00" in first and "Client 03" in first and "Client 04" not in first
    assert "Client 08" in last and "Client 09" in last and "Client 07" not in last
    assert 'aria-current="page">3<' in last and "9–10 of 10" in last
    for bad in ("abc", "999", "-1"):  # a bad number shows a page, never an error
        assert client.get(reverse("portfolio"), {"page": bad}).status_code == 200


def test_the_portfolio_searches_and_filters_by_status_and_market(consultant: Any) -> None:
    scored = client_of(consultant, name="Acme Bank")
    submitted(scored, 71.4, 4, target_markets=["TH"])
    drafting = client_of(consultant, name="Beta Telecom")
    AssessmentFactory(organisation=drafting, target_markets=["VN"])
    client_of(consultant, name="Gamma Retail")
    client = client_for(consultant)

    def names(**query: str) -> set[str]:
        page = client.get(reverse("portfolio"), query).content.decode()
        return {n for n in ("Acme Bank", "Beta Telecom", "Gamma Retail") if n in page}

    assert names() == {"Acme Bank", "Beta Telecom", "Gamma Retail"}
    assert names(q="beta") == {"Beta Telecom"}
    assert names(status="submitted") == {"Acme Bank"}
    assert names(status="draft") == {"Beta Telecom"}
    assert names(status="none") == {"Gamma Retail"}
    assert names(market="TH") == {"Acme Bank"}
    assert names(market="vn", status="draft") == {"Beta Telecom"}
    assert names(market="XX") == {"Acme Bank", "Beta Telecom", "Gamma Retail"}  # unknown values are dropped
    assert "No client matches these filters." in client.get(reverse("portfolio"), {"q": "zeta"}).content.decode()
    page = client.get(reverse("portfolio"), {"q": "acme"}).content.decode()
    assert "71 / 100" in page and "band-3" in page  # the latest score and level, from the columns


def test_portfolio_and_export_pages_read_a_fixed_number_of_queries_and_never_the_snapshot(consultant: Any) -> None:
    client = client_for(consultant)

    def queries(url: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    client_of(consultant)
    small = {url: len(queries(url)) for url in (reverse("portfolio"), reverse("bulk_export"))}
    for _ in range(6):
        organisation = client_of(consultant)
        submitted(organisation, 50, 3, results={"overall": {"score": 50, "level": 3}})
        AssessmentFactory(organisation=organisation)
    for url, count in small.items():
        sql = queries(url)
        assert len(sql) == count, url
        assert not any('"results"' in q for q in sql), url


def test_the_portfolio_shows_only_clients_with_an_active_grant(consultant: Any, outsider: Any) -> None:
    revoked = GrantFactory(
        consultancy=consultant.memberships.get().organisation, client=OrganisationFactory(name="Gone")
    )
    revoked.revoked_at = timezone.now()
    revoked.save()
    OrganisationFactory(name="Stranger")
    page = client_for(consultant).get(reverse("portfolio")).content.decode()
    assert "Gone" not in page and "Stranger" not in page
    assert "not a member of a consultancy" in client_for(outsider).get(reverse("portfolio")).content.decode()


def test_submitting_copies_the_overall_score_and_level_into_columns(assessment: Any, owner: Any) -> None:
    from scorecard.services.assessments import assessment_submit
    from tests.scorecard.test_questionnaire import answer_everything

    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    assessment.refresh_from_db()
    assert assessment.overall_score == assessment.results["overall"]["score"]
    assert assessment.overall_level == assessment.results["overall"]["level"]


# Bulk exports ------------------------------------------------------------------------------------------------


def test_bulk_export_renders_a_zip_in_storage_with_progress(consultant: Any) -> None:
    organisation = client_of(consultant)
    first, second = (AssessmentFactory(organisation=organisation, target_markets=["SG"]) for _ in range(2))
    client = client_for(consultant)
    response = client.post(reverse("bulk_export"), {"assessments": [first.pk, second.pk]})
    export = BulkExport.objects.get()
    assert response["Location"] == reverse("bulk_export_status", args=[export.pk])
    assert (export.status, export.done_count, export.total) == ("done", 2, 2)
    assert export.archive_name and storages["reports"].exists(export.archive_name)
    assert export.expires_at > timezone.now() + timedelta(days=6)
    assert "Download the zip" in client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    archive = zipfile.ZipFile(io.BytesIO(download(client.get(reverse("bulk_export_download", args=[export.pk])))))
    names = archive.namelist()
    assert len(names) == 2 and all(archive.read(n).startswith(b"%PDF") for n in names)


def test_a_bulk_export_is_one_task_per_report_and_the_last_one_bundles_the_zip_once(
    consultant: Any, settings: Any
) -> None:
    settings.TASKS = DUMMY_TASKS
    organisation = client_of(consultant)
    chosen = [AssessmentFactory(organisation=organisation, target_markets=[]) for _ in range(3)]
    client_for(consultant).post(reverse("bulk_export"), {"assessments": [a.pk for a in chosen]})
    export = BulkExport.objects.get()
    queued = [r for r in default_task_backend.results if r.task.func == render_export_item.func]
    assert sorted(r.args[1] for r in queued) == sorted(str(a.pk) for a in chosen)
    assert export.status == "queued"
    for result in reversed(queued):  # workers finish in any order
        export_render_item(*result.args)
        export.refresh_from_db()
        assert export.status == ("done" if result is queued[0] else "running")
    assert export.done_count == 3
    assert storages["reports"].listdir("exports")[1] == [f"{export.pk}.zip"]  # bundled exactly once
    export_render_item(*queued[0].args)  # a task delivered twice changes nothing
    export.refresh_from_db()
    assert export.status == "done" and export.done_count == 3


def test_a_bulk_export_holds_at_most_the_limit(consultant: Any, settings: Any) -> None:
    settings.BULK_EXPORT_MAX_REPORTS = 2
    organisation = client_of(consultant)
    ids = [AssessmentFactory(organisation=organisation).pk for _ in range(3)]
    response = client_for(consultant).post(reverse("bulk_export"), {"assessments": ids}, follow=True)
    assert "An export holds at most 2 reports; you picked 3." in response.content.decode()
    assert not BulkExport.objects.exists()


def test_bulk_export_refuses_assessments_of_others_and_bad_ids(consultant: Any) -> None:
    mine = AssessmentFactory(organisation=client_of(consultant))
    foreign = AssessmentFactory()
    client = client_for(consultant)
    for picked in ([mine.pk, foreign.pk], ["not-a-uuid"], []):
        page = client.post(reverse("bulk_export"), {"assessments": picked}, follow=True).content.decode()
        assert "not available to you" in page or "Pick at least one assessment." in page
    assert not BulkExport.objects.exists()


def test_the_latest_submitted_report_of_every_matching_client_in_one_export(consultant: Any, settings: Any) -> None:
    settings.TASKS = DUMMY_TASKS
    thai = client_of(consultant, name="Thai Client")
    old = submitted(thai, 40, 2, target_markets=["TH"])
    Assessment.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    newest = submitted(thai, 60, 3, target_markets=["TH"])
    AssessmentFactory(organisation=thai, target_markets=["TH"])  # a draft is never exported
    submitted(client_of(consultant, name="Vietnamese Client"), 55, 3, target_markets=["VN"])
    client = client_for(consultant)
    page = client.get(reverse("bulk_export"), {"market": "TH"}).content.decode()
    assert "Export the latest submitted report of the 1 client" in page
    client.post(reverse("bulk_export") + "?market=TH", {"scope": "matching"})
    assert BulkExport.objects.get().assessment_ids == [str(newest.pk)]
    response = client.post(reverse("bulk_export") + "?status=none", {"scope": "matching"}, follow=True)
    assert "None of these clients has a submitted assessment yet." in response.content.decode()


def test_a_bulk_export_deleted_before_it_runs_is_skipped(db: Any) -> None:
    assert render_export_item.call(str(uuid.uuid4()), str(uuid.uuid4())) is None


def test_bulk_export_download_rechecks_access(consultant: Any) -> None:
    grant = GrantFactory(consultancy=consultant.memberships.get().organisation)
    assessment = AssessmentFactory(organisation=grant.client, target_markets=[])
    client = client_for(consultant)
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    export = BulkExport.objects.get()
    grant.revoked_at = timezone.now()
    grant.save()
    assert client.get(reverse("bulk_export_download", args=[export.pk])).status_code == 404


def test_a_failed_report_fails_the_export_with_a_message(consultant: Any, monkeypatch: Any) -> None:
    def broken(html: str) -> bytes:
        raise ValueError("broken")

    monkeypatch.setattr(pdf_module, "html_to_pdf", broken)
    assessment = AssessmentFactory(organisation=client_of(consultant), target_markets=[])
    client = client_for(consultant)
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    export = BulkExport.objects.get()
    assert export.status == "failed" and not export.archive_name
    page = client.get(reverse("bulk_export_status", args=[export.pk])).content.decode()
    assert "The export failed. Nothing was lost" in page and "A report could not be rendered." in page


def test_a_queued_bulk_export_speaks_to_the_consultant(consultant: Any, settings: Any) -> None:
    settings.TASKS = DUMMY_TASKS
    assessment = AssessmentFactory(organisation=client_of(consultant), target_markets=["SG"])
    client = client_for(consultant)
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    export = BulkExport.objects.get()
    page = client.get(reverse("bulk_export_status", args=[export.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Your reports are queued and start shortly" in page and 'hx-trigger="every 2s"' in page
    assert page.index("db_worker") > page.index("<details")  # the operator's hint is folded away


def test_zips_expire_and_the_cleanup_deletes_them_and_old_cached_reports(
    consultant: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_ARCHIVE_DAYS = 7
    settings.REPORT_CACHE_DAYS = 30
    assessment = AssessmentFactory(organisation=client_of(consultant), target_markets=[])
    client = client_for(consultant)
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    export = BulkExport.objects.get()
    cached = RenderedReport.objects.get()
    storage = storages["reports"]
    assert storage.exists(export.archive_name) and storage.exists(cached.file)

    assert cleanup_exports(now=timezone.now() + timedelta(days=6)) == type(cleanup_exports())(0, 0)
    later = timezone.now() + timedelta(days=8)
    assert cleanup_exports(now=later).expired_exports == 1
    export.refresh_from_db()
    assert export.status == "expired" and not storage.exists(f"exports/{export.pk}.zip")
    response = client.get(reverse("bulk_export_download", args=[export.pk]))
    assert response.status_code == 410 and "This zip has expired" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion is committed
        assert cleanup_exports(now=timezone.now() + timedelta(days=31)).deleted_reports == 1
    assert not RenderedReport.objects.exists() and not storage.exists(cached.file)


def test_a_zip_past_its_date_is_refused_even_before_the_cleanup_runs(consultant: Any) -> None:
    assessment = AssessmentFactory(organisation=client_of(consultant), target_markets=[])
    client = client_for(consultant)
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    BulkExport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    export = BulkExport.objects.get()
    assert client.get(reverse("bulk_export_download", args=[export.pk])).status_code == 410


def test_deleting_an_organisation_deletes_its_cached_pdfs_and_zips_from_storage(
    assessment: Any, owner: Any, organisation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(owner)
    client.get(reverse("report_pdf", args=[assessment.pk]))
    client.post(reverse("bulk_export"), {"assessments": [assessment.pk]})
    files = [RenderedReport.objects.get().file, BulkExport.objects.get().archive_name]
    storage = storages["reports"]
    assert all(storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_delete(organisation=organisation, by=owner)
    assert not any(storage.exists(name) for name in files)


# Downloads are rendered by task workers ----------------------------------------------------------------------


def test_an_uncached_download_is_queued_and_the_page_shows_progress_until_it_is_ready(
    assessment: Any, owner: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.TASKS = DUMMY_TASKS
    settings.REPORT_RENDER_IN_REQUEST = False
    client = client_for(owner)
    real_html_to_pdf = pdf_module.html_to_pdf
    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html: pytest.fail("a web request rendered a PDF"))

    response = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert response.status_code == 202 and "Preparing the PDF report" in response.content.decode()
    client.get(reverse("report_pdf", args=[assessment.pk]))  # reloading does not queue it twice
    queued = [r for r in default_task_backend.results if r.task.func == render_report.func]
    assert len(queued) == 1
    state = client.get(reverse("report_pdf_status", args=[assessment.pk]), HTTP_HX_REQUEST="true")
    assert "Rendering…" in state.content.decode() and "HX-Redirect" not in state

    monkeypatch.setattr(pdf_module, "html_to_pdf", real_html_to_pdf)
    render_report.call(*queued[0].args)  # what the worker does
    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html: pytest.fail("a web request rendered a PDF"))
    state = client.get(reverse("report_pdf_status", args=[assessment.pk]), HTTP_HX_REQUEST="true")
    assert "Your report is ready." in state.content.decode()
    assert state["HX-Redirect"] == reverse("report_pdf", args=[assessment.pk])
    pdf = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_failed_background_render_offers_a_retry(
    assessment: Any, owner: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.REPORT_RENDER_IN_REQUEST = False  # immediate tasks: the render runs and fails at once

    def broken(html: str) -> bytes:
        raise ValueError("broken")

    monkeypatch.setattr(pdf_module, "html_to_pdf", broken)
    response = client_for(owner).get(reverse("report_pdf", args=[assessment.pk]))
    assert response.status_code == 503 and "Try again" in response.content.decode()
    assert not RenderedReport.objects.exists()


def test_a_cached_report_missing_from_storage_is_rendered_again(assessment: Any, owner: Any) -> None:
    client = client_for(owner)
    first = client.get(reverse("report_pdf", args=[assessment.pk]))
    storages["reports"].delete(RenderedReport.objects.get().file)  # e.g. a wiped volume
    again = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert again.status_code == 200 and again.content.startswith(b"%PDF")
    assert first.content[:8] == again.content[:8] and RenderedReport.objects.count() == 1
