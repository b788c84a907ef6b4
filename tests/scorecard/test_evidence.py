"""Evidence files: types decided from the content, stored whole or not at all, served only to the organisation,
linked to answers of drafts only, listed by name and date in the PDF's annex (docs/evidence.md)."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfReader, PdfWriter

from frameworks.models import Question
from scorecard.evidence_types import download_name, safe_display_name
from scorecard.models import Answer, AuditEntry, EvidenceFile, Role
from scorecard.questionnaire import is_answered, sections_for
from scorecard.reports import pdf as pdf_module
from scorecard.services import evidence as services
from scorecard.services.assessments import assessment_submit
from scorecard.services.errors import NotAllowed, ServiceError
from tests.conftest import client_for
from tests.factories import ActionFactory, AssessmentFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db

ACCEPTED_SENTENCE = "Accepted: PDF"

# --- Real small files of each kind -----------------------------------------------------------------------------


def pdf_file(text: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if text:
        writer.add_metadata({"/Title": text})
    data = io.BytesIO()
    writer.write(data)
    return data.getvalue()


def image_file(fmt: str) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(data, fmt)
    return data.getvalue()


def zipped(entries: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, content) in enumerate(entries):
            kind = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    return data.getvalue()


CONTENT_TYPES_XML = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def docx_file() -> bytes:
    return zipped(
        [
            ("[Content_Types].xml", CONTENT_TYPES_XML),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document><w:body><w:p>AI policy</w:p></w:body></w:document>"),
        ]
    )


def pptx_file() -> bytes:
    return zipped([("[Content_Types].xml", CONTENT_TYPES_XML), ("ppt/presentation.xml", b"<p:presentation/>")])


def xlsx_file() -> bytes:
    workbook = Workbook()
    workbook.active.append(["System", "Owner"])  # type: ignore[union-attr]
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def odf_file(mimetype: str) -> bytes:
    return zipped(
        [
            ("mimetype", mimetype.encode()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ],
        stored_first=True,
    )


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(django_settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()]


ACCEPTED = [
    ("policy.pdf", pdf_file(), "application/pdf"),
    ("scan.bin", image_file("PNG"), "image/png"),  # the name says nothing; the content decides
    ("photo.jpg", image_file("JPEG"), "image/jpeg"),
    ("chart.gif", image_file("GIF"), "image/gif"),
    ("screen.webp", image_file("WEBP"), "image/webp"),
    ("policy.docx", docx_file(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("register.xlsx", xlsx_file(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("deck.pptx", pptx_file(), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("minutes.odt", odf_file("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text"),
    (
        "budget.ods",
        odf_file("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("notes.txt", "Bias review, Q3: Thai and Khmer names — ทดสอบ\n".encode(), "text/plain; charset=utf-8"),
    ("models.csv", b"system,vendor,owner\nscoring,acme,risk team\nchat,beta,cx team\n", "text/csv; charset=utf-8"),
]


@pytest.mark.parametrize(("name", "data", "expected"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_is_told_from_its_content_and_stored_under_a_name_of_ours(
    name: str, data: bytes, expected: str, organisation: Any, owner: Any
) -> None:
    evidence = services.evidence_upload(
        organisation=organisation, by=owner, role=Role.OWNER, uploaded_file=upload(name, data, "text/html")
    )
    assert evidence.content_type == expected
    assert evidence.name == name and evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    # Stored under <organisation>/<random hex>: never the name the uploader chose.
    assert re.fullmatch(rf"{organisation.pk}/[0-9a-f]{{32}}", evidence.stored_name)
    with storages["evidence"].open(evidence.stored_name, "rb") as stored:
        assert stored.read() == data
    assert AuditEntry.objects.filter(action="evidence.upload", organisation=organisation).count() == 1


# --- Refusals: nothing stored ---------------------------------------------------------------------------------


def zip_bomb_by_size() -> bytes:
    """A few hundred KB that declare 301 MB of zeros once unpacked, inside an otherwise proper .docx."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(301):
                entry.write(block)
    return data.getvalue()


def zip_bomb_by_entries() -> bytes:
    return zipped([("[Content_Types].xml", CONTENT_TYPES_XML)] + [(f"word/p{i}.xml", b"") for i in range(5001)])


REFUSED = [
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "Programs"),
    ("photo.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "Web pages"),
    ("page.txt", b"  <html><body onload=alert(1)>hi</body></html>", "Web pages"),
    ("diagram.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    ("diagram.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("run.txt", b"#!/bin/sh\nrm -rf ~\n", "scripts"),
    ("archive.zip", zipped([("notes.txt", b"hello")]), "only when they are office documents"),
    ("macro.docx", zipped([("[Content_Types].xml", CONTENT_TYPES_XML), ("word/vbaProject.bin", b"x")]), "macros"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, ".doc, .xls"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "not a readable"),
    ("bomb.docx", zip_bomb_by_size(), "unpack to more than"),
    ("many.docx", zip_bomb_by_entries(), "holds 5002 files"),
    ("data.bin", b"abc\x00def", "not accepted"),
    ("latin1.txt", "café crème".encode("latin-1"), "not accepted"),
    ("empty.pdf", b"", "empty"),
]


@pytest.mark.parametrize(("name", "data", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_is_not_an_accepted_type_is_refused_with_a_reason_and_nothing_is_stored(
    name: str, data: bytes, says: str, organisation: Any, owner: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.evidence_upload(
            organisation=organisation, by=owner, role=Role.OWNER, uploaded_file=upload(name, data, "application/pdf")
        )
    message = " ".join(refused.value.messages)
    assert says in message, message
    if data:
        assert ACCEPTED_SENTENCE in message  # says which types are accepted
    assert not EvidenceFile.objects.exists()
    assert stored_files() == []
    assert not AuditEntry.objects.filter(action="evidence.upload").exists()


def test_too_large_is_refused_with_the_limit_in_mb_before_anything_is_stored(
    organisation: Any, owner: Any, settings: Any
) -> None:
    settings.EVIDENCE_MAX_BYTES = 512 * 1024
    big = pdf_file() + b"%" + b"x" * (600 * 1024)
    response = client_for(owner).post(
        reverse("evidence_library", args=[organisation.pk]), {"file": upload("big.pdf", big), "description": "Audit"}
    )
    assert response.status_code == 200
    assert "larger than 0.5 MB" in response.content.decode()
    assert not EvidenceFile.objects.exists() and stored_files() == []


def test_a_failed_database_write_leaves_no_file_behind(organisation: Any, owner: Any, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> None:
        raise IntegrityError("disk full")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(IntegrityError):
        services.evidence_upload(
            organisation=organisation, by=owner, role=Role.OWNER, uploaded_file=upload("a.pdf", pdf_file())
        )
    assert not EvidenceFile.objects.exists() and stored_files() == []


def test_the_display_name_is_cleaned_and_a_download_gets_the_detected_extension() -> None:
    assert safe_display_name("C:\\Users\\me\\Desktop\\policy.pdf") == "policy.pdf"
    assert safe_display_name("../../etc/passwd") == "passwd"
    assert safe_display_name("bad\x00name\r\n.pdf") == "bad name .pdf"
    assert safe_display_name("invoice\u202egpj.exe") == "invoicegpj.exe"  # no right-to-left override
    assert safe_display_name("  ") == "evidence"
    long = safe_display_name("x" * 300 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")
    assert download_name("invoice.bat", "text/plain; charset=utf-8") == "invoice.bat.txt"
    assert download_name("report.pdf", "application/vnd.oasis.opendocument.text") == "report.pdf.odt"
    assert download_name("Scan.JPEG", "image/jpeg") == "Scan.JPEG"


# --- The library, downloads and roles --------------------------------------------------------------------------


@pytest.fixture
def viewer(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.VIEWER).user


@pytest.fixture
def policy(organisation: Any, owner: Any) -> EvidenceFile:
    return services.evidence_upload(
        organisation=organisation,
        by=owner,
        role=Role.OWNER,
        uploaded_file=upload("AI policy “v3”.pdf", pdf_file("EVIDENCE-CONTENT-MARKER")),
        description="Signed by the board",
    )


def test_an_editor_uploads_through_the_library_page(organisation: Any, owner: Any) -> None:
    client = client_for(owner)
    url = reverse("evidence_library", args=[organisation.pk])
    response = client.post(url, {"file": upload("register.xlsx", xlsx_file()), "description": "Model register"})
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.description == "Model register" and evidence.uploaded_by == owner
    page = client.get(url).content.decode()
    assert "register.xlsx" in page and "Excel workbook" in page and "Model register" in page
    # A refused file comes back on the form, beside the field and summarised at the top.
    refused = client.post(url, {"file": upload("x.png", b"<html></html>")}).content.decode()
    assert "The file was not added." in refused and "is-invalid" in refused and "Web pages" in refused


def test_a_member_downloads_with_safe_headers_and_an_outsider_gets_404(
    policy: EvidenceFile, viewer: Any, outsider: Any
) -> None:
    url = reverse("evidence_download", args=[policy.pk])
    response = client_for(viewer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == storages["evidence"].open(policy.stored_name).read()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "policy" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(viewer).post(url).status_code == 405


def test_a_missing_stored_file_gives_a_clear_404_page(policy: EvidenceFile, owner: Any) -> None:
    storages["evidence"].delete(policy.stored_name)
    response = client_for(owner).get(reverse("evidence_download", args=[policy.pk]))
    assert response.status_code == 404
    assert "no longer in storage" in response.content.decode()


def test_a_viewer_sees_the_library_but_cannot_upload_or_delete(
    policy: EvidenceFile, viewer: Any, organisation: Any
) -> None:
    client = client_for(viewer)
    library = reverse("evidence_library", args=[organisation.pk])
    page = client.get(library)
    assert page.status_code == 200 and policy.name in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    assert client.post(library, {"file": upload("a.pdf", pdf_file())}).status_code == 403
    assert client.get(reverse("evidence_delete", args=[policy.pk])).status_code == 403
    assert client.post(reverse("evidence_delete", args=[policy.pk])).status_code == 403
    with pytest.raises(NotAllowed):
        services.evidence_delete(evidence=policy, by=viewer, role=Role.VIEWER)
    assert EvidenceFile.objects.count() == 1 and len(stored_files()) == 1


def test_deleting_says_what_the_file_supported_and_removes_it_from_storage(
    policy: EvidenceFile, assessment: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.evidence_link_answer(
        assessment=assessment, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
    )
    action = ActionFactory(assessment=assessment, question_code="AC-02", title="Keep a register")
    action.evidence_files.add(policy)
    client = client_for(owner)
    confirm = client.get(reverse("evidence_delete", args=[policy.pk])).content.decode()
    assert "TE-01" in confirm and assessment.name in confirm and "Keep a register" in confirm
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence_delete", args=[policy.pk]), follow=True)
    text = response.content.decode()
    assert "was deleted" in text and "TE-01" in text and "Keep a register" in text
    assert not EvidenceFile.objects.exists() and stored_files() == []
    assert AuditEntry.objects.filter(action="evidence.delete").exists()


def test_deleting_the_organisation_deletes_its_evidence_files(
    policy: EvidenceFile, organisation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        organisation.delete()
    assert stored_files() == []


# --- Linking to answers ----------------------------------------------------------------------------------------


def test_linking_an_unanswered_question_leaves_it_unanswered_and_shows_on_the_section_page(
    policy: EvidenceFile, assessment: Any, owner: Any
) -> None:
    client = client_for(owner)
    url = reverse("answer_evidence", args=[assessment.pk, "TE-01"])
    response = client.post(url, {"do": "link", "evidence": [str(policy.pk)]})
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=assessment, question__code="TE-01")
    assert list(answer.evidence_files.all()) == [policy]
    assert answer.choice == "" and not is_answered(answer)  # a file is not an answer
    te = next(s for s in sections_for(assessment) if s.key == "principle-TE")
    assert te.answered == 0
    assert AuditEntry.objects.filter(action="evidence.link", detail__startswith="TE-01").exists()

    section = client.get(reverse("assessment_section", args=[assessment.pk, "principle-TE"])).content.decode()
    block = re.search(r'data-testid="evidence-TE-01".*?</div>', section, re.S)
    assert block and "AI policy" in block.group(0) and url in block.group(0)
    assert reverse("evidence_download", args=[policy.pk]) in block.group(0)
    # The results page's answer table names it too.
    results = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    assert re.search(r'data-testid="answer-evidence-TE-01"[^>]*>[^<]*Evidence files: <a[^>]*>AI policy', results)

    # Taking it off keeps it in the library.
    client.post(url, {"do": "unlink", "evidence": str(policy.pk)})
    assert not answer.evidence_files.exists() and EvidenceFile.objects.filter(pk=policy.pk).exists()
    assert AuditEntry.objects.filter(action="evidence.unlink").exists()


def test_upload_from_the_answer_page_links_the_new_file(assessment: Any, owner: Any) -> None:
    client = client_for(owner)
    url = reverse("answer_evidence", args=[assessment.pk, "TE-02"])
    response = client.post(url, {"do": "upload", "file": upload("notice.png", image_file("PNG")), "description": ""})
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert list(evidence.answers.values_list("question__code", flat=True)) == ["TE-02"]
    page = client.get(url).content.decode()
    assert "notice.png" in page and "PNG image" in page


def test_files_of_another_organisation_cannot_be_linked(assessment: Any, owner: Any) -> None:
    other = OrganisationFactory(name="Someone Else")
    stranger = MembershipFactory(organisation=other, role=Role.OWNER).user
    theirs = services.evidence_upload(
        organisation=other, by=stranger, role=Role.OWNER, uploaded_file=upload("theirs.pdf", pdf_file())
    )
    with pytest.raises(ServiceError, match="not in this organisation's evidence library"):
        services.evidence_link_answer(
            assessment=assessment, question_code="TE-01", evidence_ids=[theirs.pk], by=owner, role=Role.OWNER
        )
    response = client_for(owner).post(
        reverse("answer_evidence", args=[assessment.pk, "TE-01"]), {"do": "link", "evidence": [str(theirs.pk)]}
    )
    assert response.status_code == 200 and "not in this organisation&#x27;s library" in response.content.decode()
    assert not theirs.answers.exists()
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_nothing_links_once_the_assessment_is_submitted(policy: EvidenceFile, assessment: Any, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    with pytest.raises(ServiceError, match="submitted and locked"):
        services.evidence_link_answer(
            assessment=assessment, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
        )
    client = client_for(owner)
    url = reverse("answer_evidence", args=[assessment.pk, "TE-01"])
    response = client.post(url, {"do": "link", "evidence": [str(policy.pk)]}, follow=True)
    assert "submitted and locked" in response.content.decode()
    response = client.post(url, {"do": "upload", "file": upload("late.pdf", pdf_file())}, follow=True)
    assert "submitted and locked" in response.content.decode()
    assert not policy.answers.exists() and EvidenceFile.objects.count() == 1
    page = client.get(url).content.decode()
    assert "read-only" in page and 'name="do"' not in page


def test_a_viewer_sees_the_answer_page_but_cannot_link(policy: EvidenceFile, assessment: Any, viewer: Any) -> None:
    client = client_for(viewer)
    url = reverse("answer_evidence", args=[assessment.pk, "TE-01"])
    page = client.get(url)
    assert page.status_code == 200 and 'name="do"' not in page.content.decode()
    assert client.post(url, {"do": "link", "evidence": [str(policy.pk)]}).status_code == 403
    assert not policy.answers.exists()


# --- The report's annex ------------------------------------------------------------------------------------------


def test_the_pdf_lists_the_evidence_by_name_and_date_and_never_gets_the_files(
    policy: EvidenceFile, assessment: Any, owner: Any, monkeypatch: Any
) -> None:
    editor = UserFactory(email="editor@example.org", first_name="Ana", last_name="Santos")
    MembershipFactory(organisation=assessment.organisation, user=editor, role=Role.EDITOR)
    register = services.evidence_upload(
        organisation=assessment.organisation,
        by=editor,
        role=Role.EDITOR,
        uploaded_file=upload("model-register.xlsx", xlsx_file()),
    )
    unrelated = services.evidence_upload(
        organisation=assessment.organisation,
        by=owner,
        role=Role.OWNER,
        uploaded_file=upload("unrelated.txt", b"not linked"),
    )
    services.evidence_link_answer(
        assessment=assessment, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
    )
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    action = ActionFactory(assessment=assessment, question_code="AC-02", title="Keep a model register")
    action.evidence_files.add(register)

    rendered: list[str] = []
    real = pdf_module.html_to_pdf

    def capture(html: str) -> bytes:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(pdf_module, "html_to_pdf", capture)
    response = client_for(owner).get(reverse("report_pdf", args=[assessment.pk]))
    assert response["Content-Type"] == "application/pdf"
    data = response.content

    # The renderer got names and dates, never a link to a file or its content.
    html = rendered[-1]
    for evidence in (policy, register, unrelated):
        assert reverse("evidence_download", args=[evidence.pk]) not in html
        assert evidence.stored_name not in html
    assert "EVIDENCE-CONTENT-MARKER" not in html and "not linked" not in html
    assert 'id="evidence"' in html

    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    flat = " ".join(text.decode().split())
    annex = flat[flat.rindex("Annex: evidence") :]
    assert "AI policy “v3”.pdf" in annex and "model-register.xlsx" in annex
    assert "unrelated.txt" not in annex  # only files that support this assessment
    assert policy.uploaded_at.strftime("%-d %B %Y") in annex
    assert "Ana Santos" in annex and "PDF document" in annex and "Excel workbook" in annex
    assert "TE-01" in annex and "Keep a model register" in annex
    contents = flat[flat.index("Contents Executive summary") :][:2000]
    assert "Annex: evidence" in contents
    assert len(PdfReader(io.BytesIO(data)).pages) > 5


def test_the_report_is_rendered_again_when_evidence_changes(policy: EvidenceFile, assessment: Any, owner: Any) -> None:
    from scorecard.reports.workspace import workspace_fingerprint

    before = workspace_fingerprint(assessment)
    services.evidence_link_answer(
        assessment=assessment, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
    )
    linked = workspace_fingerprint(assessment)
    assert linked != before
    other = AssessmentFactory(organisation=assessment.organisation, created_by=owner)
    services.evidence_link_answer(
        assessment=other, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
    )
    assert workspace_fingerprint(assessment) == linked  # another assessment's links change nothing here
    services.evidence_unlink_answer(
        assessment=assessment, question_code="TE-01", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
    )
    assert workspace_fingerprint(assessment) == before


def test_questions_that_do_not_apply_take_no_evidence(policy: EvidenceFile, assessment: Any, owner: Any) -> None:
    developer_only = Question.objects.get(version=assessment.framework_version, code="TE-03")
    assessment.ai_role = "deployer"
    assessment.save()
    assert developer_only.applies_to == "developer"
    with pytest.raises(ServiceError):
        services.evidence_link_answer(
            assessment=assessment, question_code="TE-03", evidence_ids=[policy.pk], by=owner, role=Role.OWNER
        )
    assert client_for(owner).get(reverse("answer_evidence", args=[assessment.pk, "TE-03"])).status_code == 404
