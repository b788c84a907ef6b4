"""The PDF report: read back from the bytes, compared with the results page, in every ASEAN script."""

from __future__ import annotations

import gc
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from frameworks.models import Country, Question, Source
from scorecard import wording
from scorecard.models import RenderedReport, Role
from scorecard.reports import pdf as pdf_module
from scorecard.reports.pdf import StaticOnlyFetcher, font_config
from scorecard.reports.scripts import ZWSP, add_break_opportunities
from scorecard.scoring import compute_results
from scorecard.services.assessments import answer_save
from tests.conftest import client_for
from tests.factories import AssessmentFactory, ConsultancyFactory, GrantFactory, MembershipFactory
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db

SAMPLES = {
    "vi": "Chúng tôi kiểm tra thiên lệch của mô hình mỗi quý",
    "th": "เราทดสอบความลำเอียงของแบบจำลองทุกไตรมาส",
    "km": "យើងធ្វើតេស្តភាពលំអៀងនៃគំរូរៀងរាល់ត្រីមាស",
    "lo": "ພວກເຮົາທົດສອບຄວາມລຳອຽງຂອງແບບຈຳລອງທຸກໄຕມາດ",
    "my": "ကျွန်ုပ်တို့သည်မော်ဒယ်၏ဘက်လိုက်မှုကိုသုံးလတစ်ကြိမ်စစ်ဆေးသည်",
    "ms": "Kami menguji berat sebelah model setiap suku tahun",
    "fil": "Sinusuri namin ang pagkiling ng modelo bawat kwarter",
}


def pdf_text(data: bytes, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    result = subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8").replace(ZWSP, "")


def fill(assessment: Any, user: Any) -> None:
    notes = list(SAMPLES.values())
    questions = Question.objects.filter(
        version=assessment.framework_version, market__isnull=True, genai_dimension__isnull=True
    ).prefetch_related("options")
    for i, question in enumerate(questions):
        options = list(question.options.all())
        if question.scale == "checklist":
            answer_save(
                assessment=assessment,
                question=question,
                by=user,
                choice="checklist",
                checked=[options[0].code],
                evidence_note=notes[i % len(notes)],
            )
        else:
            answer_save(
                assessment=assessment,
                question=question,
                by=user,
                choice=options[i % len(options)].code,
                checked=[],
                evidence_note=notes[i % len(notes)],
            )


def test_pdf_matches_the_results_page_and_renders_every_script(assessment: Any, owner: Any) -> None:
    assessment.organisation.name = "Công ty Dữ liệu <Việt>"
    assessment.organisation.save()
    fill(assessment, owner)
    client = client_for(owner)
    results = client.get(reverse("assessment_results", args=[assessment.pk])).context
    response = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    text = pdf_text(data)

    # The numbers are the results page's numbers.
    summary = pdf_text(data, 3, 6)
    overall = results["overall"]["score"]
    assert re.search(rf"\b{overall:.0f}/100", summary), summary[:400]
    for principle in results["principles"]:
        row = re.search(rf"{re.escape(principle['name'])}\s+(\d+|n/a)\s+(\d)", summary)
        assert row, principle["name"]
        assert row.group(1) == f"{principle['score']:.0f}" and row.group(2) == str(principle["level"])
    for market in results["markets"]:
        label = wording.status_label(market["status"])
        assert re.search(rf"{re.escape(market['name'])}\s+{market['score']:.0f}\s+{label}", summary)
    # Each market profile says which rule gave it its status.
    flat = " ".join(text.split())
    for market in results["markets"]:
        reason = wording.say(market["status_reason"])
        assert reason.startswith(wording.status_label(market["status"]) + ": ")
        assert reason in flat, market["code"]

    # Text typed by users in each script comes back out of the PDF, and user text is escaped, not markup.
    for language, sample in SAMPLES.items():
        assert sample in text.replace("\n", "").replace(" ", "") or sample in text, language
    assert "Công ty Dữ liệu <Việt>" in text

    # Noto fonts for the scripts are embedded and subset.
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    for family in ("Noto-Sans-Thai", "Noto-Sans-Khmer", "Noto-Sans-Lao", "Noto-Sans-Myanmar"):
        line = next((x for x in fonts.splitlines() if family.replace("-", "") in x.replace("-", "")), "")
        assert line and " yes yes " in line, (family, fonts)

    # Accessible, well-formed: title, author, language, tagged.

    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title.startswith("AI governance scorecard: Công ty")
    assert reader.metadata.author == "Công ty Dữ liệu <Việt>"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert len(reader.pages) > 12
    assert "Demo" not in pdf_text(data, 1) and "Công ty Dữ liệu <Việt>" in pdf_text(data, 1)  # the cover is page 1
    assert "Contents" in pdf_text(data, 2) and re.search(r"Executive summary[\s.]*3\b", pdf_text(data, 2))


def _overflowing_lines(text: str) -> tuple[int, int]:
    """(lines, lines wider than their 40 mm box) when `text` is laid out by WeasyPrint."""
    html = HTML(
        string=f'<p style="width:40mm;font-family:Noto Sans Khmer, Noto Sans Lao, Noto Sans Myanmar">{text}</p>'
    )
    document = html.render(font_config=font_config())
    lines = overflow = 0

    def walk(box: Any, limit: float | None) -> None:
        nonlocal lines, overflow
        if type(box).__name__ == "LineBox":
            lines += 1
            if box.width > (limit or 0) + 0.5:
                overflow += 1
        for child in getattr(box, "children", []):
            walk(child, box.width if type(box).__name__ == "BlockBox" else limit)

    walk(document.pages[0]._page_box, None)
    return lines, overflow


@pytest.mark.parametrize("script", ["km", "lo", "my"])
def test_long_khmer_lao_myanmar_text_wraps_inside_its_box(script: str) -> None:
    text = SAMPLES[script] * 4
    lines, overflow = _overflowing_lines(add_break_opportunities(text))
    assert lines > 1 and overflow == 0
    # Without the break opportunities the same text overflows: the helper is what makes it fit.
    assert _overflowing_lines(text)[1] > 0


def test_break_opportunities_leave_other_text_alone() -> None:
    assert add_break_opportunities("Plain English, Bahasa & Tiếng Việt") == "Plain English, Bahasa & Tiếng Việt"
    assert ZWSP in add_break_opportunities(SAMPLES["km"])


@pytest.mark.parametrize(
    "url", ["http://example.org/x.png", "https://127.0.0.1/a.css", "file:///etc/passwd", "ftp://example.org/x"]
)
def test_fetcher_refuses_network_and_other_files(url: str) -> None:
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_our_static_files_and_data_uris() -> None:
    static = (Path(__file__).resolve().parents[2] / "static" / "css" / "report.css").as_uri()
    assert b"@page" in StaticOnlyFetcher().fetch(static).read()
    assert StaticOnlyFetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_repeated_download_is_served_from_the_cache(assessment: Any, owner: Any, monkeypatch: Any) -> None:
    client = client_for(owner)
    first = client.get(reverse("report_pdf", args=[assessment.pk])).content
    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html: pytest.fail("rendered again"))
    monkeypatch.setattr(pdf_module, "report_context", lambda assessment: pytest.fail("scored again"))
    assert client.get(reverse("report_pdf", args=[assessment.pk])).content == first
    monkeypatch.undo()
    assert RenderedReport.objects.filter(assessment=assessment).count() == 1
    # A changed answer changes the key: the next download renders again.
    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html: b"%PDF-new")
    question = Question.objects.get(version=assessment.framework_version, code="TE-01")
    answer_save(assessment=assessment, question=question, by=owner, choice="2", checked=[])
    assert client.get(reverse("report_pdf", args=[assessment.pk])).content == b"%PDF-new"


def test_a_failed_render_gives_a_message_and_a_retry(assessment: Any, owner: Any, monkeypatch: Any) -> None:
    def boom(html: str) -> bytes:
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(pdf_module, "html_to_pdf", boom)
    response = client_for(owner).get(reverse("report_pdf", args=[assessment.pk]))
    assert response.status_code == 503
    assert "Try again" in response.content.decode() and "pango" not in response.content.decode()


def _image(fmt: str, size: tuple[int, int] = (120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_image("GIF"), "PNG or JPEG image, not GIF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a readable PNG or JPEG"),
        (_image("PNG", (5000, 10)), "between 16 and 2000 pixels"),
        (_image("PNG")[:40], "not a readable PNG or JPEG"),
    ],
)
def test_logo_uploads_are_validated(data: bytes, message: str) -> None:
    consultancy = ConsultancyFactory()
    owner = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(owner).post(
        reverse("branding_upload", args=[consultancy.pk]), {"logo": SimpleUploadedFile("logo", data)}, follow=True
    )
    assert message in response.content.decode()
    assert not hasattr(consultancy, "branding") or consultancy.branding is None


def test_consultant_report_carries_the_consultancy_logo_and_name(content: Any) -> None:
    grant = GrantFactory()
    consultant = MembershipFactory(organisation=grant.consultancy, role=Role.OWNER).user
    client = client_for(consultant)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("branding_upload", args=[grant.consultancy.pk]), {"logo": SimpleUploadedFile("logo.png", _image("PNG"))}
    )
    assessment = AssessmentFactory(organisation=grant.client, target_markets=[])
    page = client.get(reverse("report_print", args=[assessment.pk])).content.decode()
    assert grant.consultancy.name in page and 'src="data:image/png;base64,' in page


def test_cached_report_is_per_person(assessment: Any, owner: Any, organisation: Any) -> None:
    colleague = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    first = client_for(owner).get(reverse("report_pdf", args=[assessment.pk])).content
    second = client_for(colleague).get(reverse("report_pdf", args=[assessment.pk])).content
    assert owner.email in pdf_text(first, 1) and colleague.email in pdf_text(second, 1)
    assert RenderedReport.objects.filter(assessment=assessment).count() == 2


def test_market_profile_numbers_each_source_once_and_says_what_to_do(assessment: Any, owner: Any) -> None:
    version = assessment.framework_version
    requirement = Question.objects.filter(version=version, market__code="SG").order_by("order", "code").first()
    worst = min(requirement.options.all(), key=lambda o: o.points)
    answer_save(assessment=assessment, question=requirement, by=owner, choice=worst.code, checked=[])
    page = client_for(owner).get(reverse("report_print", args=[assessment.pk])).content.decode()
    section = page.split('<section id="market-SG"', 1)[1].split("</section>", 1)[0]
    assert f"What to do: {requirement.recommendation}" in section
    assert "Legal basis: " in section and "Sources for Singapore" in section

    singapore = Country.objects.get(version=version, code="SG")
    cited = {
        *Source.objects.filter(cited_by_facts__country=singapore),
        *Source.objects.filter(cited_by_requirements__market=singapore),
        *singapore.readiness_index_sources.all(),
    }
    listed = section.split("Sources for Singapore", 1)[1]
    assert listed.count("<li") == len(cited)
    for source in cited:  # each document once, however many facts cite it
        assert listed.count(f"{escape(source.publisher)}, “{escape(source.title)}”") == 1, source.code
    # Every fact points to numbers in that list.
    statements = section.split("Sources for Singapore", 1)[0]
    numbers = {int(n) for refs in re.findall(r"\[([\d, ]+)\]", statements) for n in refs.split(",")}
    assert numbers == set(range(1, len(cited) + 1))


def test_the_readiness_index_names_its_edition_and_source(assessment: Any, owner: Any) -> None:
    assert sorted(assessment.target_markets) == ["KH", "SG", "VN"]
    page = client_for(owner).get(reverse("report_print", args=[assessment.pk])).content.decode()
    singapore = page.split('<section id="market-SG"', 1)[1].split("</section>", 1)[0]
    assert "Government AI Readiness Index 2024: 84.25 [" in singapore
    index_source = Country.objects.get(version=assessment.framework_version, code="SG").readiness_index_sources.get()
    assert escape(index_source.publisher) in singapore.split("Sources for Singapore", 1)[1]


def test_render_pauses_the_garbage_collector_and_restores_it_even_when_it_fails(monkeypatch: Any) -> None:
    seen = []

    def fail(*args: Any, **kwargs: Any) -> bytes:
        seen.append(gc.isenabled())
        raise RuntimeError("layout failed")

    monkeypatch.setattr(HTML, "write_pdf", fail)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        pdf_module.html_to_pdf("<p>x</p>")
    assert seen == [False] and gc.isenabled()

    # Left off when the caller had turned it off.
    gc.disable()
    try:
        with pytest.raises(RuntimeError):
            pdf_module.html_to_pdf("<p>x</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_submitting_renders_the_report_ahead_of_the_first_download(
    assessment: Any, owner: Any, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REPORT_PRERENDER = True
    answer_everything(assessment, owner)
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_submit", args=[assessment.pk]))
    assert RenderedReport.objects.filter(assessment=assessment).count() == 1

    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html: pytest.fail("rendered again"))
    data = client.get(reverse("report_pdf", args=[assessment.pk])).content
    assert owner.email in pdf_text(data, 1) and "Submitted" in pdf_text(data, 1)


def test_a_failed_prerender_leaves_the_download_to_render_and_retry(
    assessment: Any, owner: Any, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REPORT_PRERENDER = True
    answer_everything(assessment, owner)

    def boom(html: str) -> bytes:
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(pdf_module, "html_to_pdf", boom)
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment_submit", args=[assessment.pk]), follow=True)
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and not RenderedReport.objects.exists()


def test_prerender_skips_people_who_lost_access_or_were_deleted(assessment: Any, outsider: Any, owner: Any) -> None:
    from django_tasks import TaskResultStatus

    from scorecard.tasks import prerender_report

    results = [
        prerender_report.enqueue(str(assessment.pk), outsider.pk),
        prerender_report.enqueue(str(assessment.pk), owner.pk + 10_000),
    ]
    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL] * 2  # skipped, not crashed
    assert not RenderedReport.objects.exists()
    prerender_report.enqueue(str(assessment.pk), owner.pk)
    assert RenderedReport.objects.filter(assessment=assessment).count() == 1


def test_pdf_action_numbers_match_the_page_and_the_gap_references(assessment: Any, owner: Any) -> None:
    fill(assessment, owner)
    client = client_for(owner)
    pdf = client.get(reverse("report_pdf", args=[assessment.pk])).content
    text = " ".join(pdf_text(pdf).split())
    plan = text.rsplit("Action plan", 1)[1]
    actions = compute_results(assessment)["actions"]
    assert len(actions) > 10  # several principle groups, so a restart at 1 would show
    for action in actions:  # the global rank, as on the page and in the CSV
        assert f"{action['rank']}. {action['code']} [" in plan, action["code"]
    # Each "Gap: see action N" sits beside the question whose action is N, and links to it.
    reader = PdfReader(io.BytesIO(pdf))
    targets = set(reader.named_destinations)
    assert {f"action-{a['rank']}" for a in actions} <= targets


def test_the_cover_gives_the_score_level_and_each_markets_readiness_at_a_glance(assessment: Any, owner: Any) -> None:
    fill(assessment, owner)
    pdf = client_for(owner).get(reverse("report_pdf", args=[assessment.pk])).content
    cover = " ".join(pdf_text(pdf, 1).split())
    results = compute_results(assessment)
    assert f"{round(results['overall']['score'])}/100" in cover.replace(" /100", "/100")
    assert f"Level {results['overall']['level']}: {wording.level_name(results['overall']['level'])}" in cover
    assert "Readiness per target market" in cover
    for market in results["markets"]:
        assert market["name"] in cover, market["code"]
