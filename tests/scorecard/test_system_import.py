"""Importing and exporting the AI-system inventory as CSV and XLSX: round trips, per-row problems, odd files."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from PIL import Image

from scorecard import systems_io
from scorecard.models import AISystem, AuditEntry, Role
from scorecard.services import systems as services
from scorecard.services.errors import NotAllowed
from tests.conftest import client_for
from tests.factories import AISystemFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
FIELDS = (
    "name",
    "purpose",
    "owner_id",
    "lifecycle",
    "ai_role",
    "uses_genai",
    "models_and_vendors",
    "data_categories",
    "affected_groups",
    "markets",
    "human_involvement",
)
HEADER = ",".join(systems_io.HEADERS)


def inventory(organisation: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in AISystem.objects.filter(organisation=organisation).values_list(*FIELDS))


def upload(client: Any, organisation: Any, data: bytes, name: str) -> Any:
    return client.post(
        reverse("system_import", args=[organisation.pk]), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)  # type: ignore[union-attr]
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


@pytest.fixture
def varied_inventory(content: Any, organisation: Any, owner: Any) -> list[AISystem]:
    """Systems with every kind of value, including text a spreadsheet program would run as a formula."""
    colleague = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    return [
        AISystemFactory(
            organisation=organisation,
            name="Loan scoring",
            purpose='Scores loans, "fast";\nsecond line',
            owner=owner,
            lifecycle="deployed",
            ai_role="developer",
            uses_genai=False,
            models_and_vendors="Gradient boosting, in house",
            data_categories=["personal", "sensitive", "financial"],
            affected_groups=["customers", "vulnerable"],
            markets=["MY", "TH", "VN"],
            human_involvement="in",
        ),
        AISystemFactory(
            organisation=organisation,
            name='=HYPERLINK("http://evil.example","click")',
            purpose="+1 for the team",
            owner=colleague,
            lifecycle="pilot",
            ai_role="both",
            uses_genai=True,
            models_and_vendors="-GPT-4o via @vendor",
            data_categories=[],
            affected_groups=[],
            markets=[],
            human_involvement="",
        ),
        AISystemFactory(
            organisation=organisation,
            name="Thai OCR ระบบ",
            purpose="",
            owner=None,
            lifecycle="retired",
            ai_role="deployer",
            uses_genai=True,
            models_and_vendors="",
            data_categories=["none"],
            affected_groups=["public"],
            markets=["SG"],
            human_involvement="out",
        ),
    ]


# --- Round trips ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_again_gives_the_same_systems(
    fmt: str, varied_inventory: list[AISystem], organisation: Any, owner: Any
) -> None:
    client = client_for(owner)
    before = inventory(organisation)
    response = client.get(reverse(f"system_export_{fmt}", args=[organisation.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    exported = response.content

    # Into the same inventory: every row matches a system, and nothing changes.
    page = upload(client, organisation, exported, f"inventory.{fmt}").content.decode()
    assert "Import done: 0 added, 0 updated, 3 unchanged." in page
    assert inventory(organisation) == before

    # Into an emptied inventory: the same systems come back.
    AISystem.objects.filter(organisation=organisation).delete()
    page = upload(client, organisation, exported, f"inventory.{fmt}").content.decode()
    assert "Import done: 3 added, 0 updated, 0 unchanged." in page
    assert inventory(organisation) == before
    assert set(AISystem.objects.values_list("created_by", flat=True)) == {owner.pk}


def test_the_exports_columns_are_exactly_the_imports(varied_inventory: list[AISystem], organisation: Any) -> None:
    owner = organisation.memberships.get(role=Role.OWNER).user
    response = client_for(owner).get(reverse("system_export_csv", args=[organisation.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == systems_io.HEADERS == [column.header for column in systems_io.COLUMNS]
    loan = next(row for row in rows if row[0] == "Loan scoring")
    assert loan[2:6] == [owner.email, "deployed", "developer", "no"]
    assert loan[7:] == ["personal; sensitive; financial", "customers; vulnerable", "MY; TH; VN", "in"]


def test_formula_looking_cells_are_exported_as_text(varied_inventory: list[AISystem], organisation: Any) -> None:
    owner = organisation.memberships.get(role=Role.OWNER).user
    client = client_for(owner)
    text = client.get(reverse("system_export_csv", args=[organisation.pk])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    risky = next(row for row in rows if "HYPERLINK" in row[0])
    assert risky[0].startswith("'=HYPERLINK") and risky[1] == "'+1 for the team" and risky[6].startswith("'-GPT")
    for row in rows:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row), row

    data = client.get(reverse("system_export_xlsx", args=[organisation.pk])).content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula anywhere
    assert any(str(cell.value).startswith("'=HYPERLINK") for cell in cells)


# --- Problems: nothing written ------------------------------------------------------------------------------------


def test_three_bad_rows_give_three_messages_and_nothing_is_written(content: Any, organisation: Any, owner: Any) -> None:
    AISystemFactory(organisation=organisation, name="Existing", lifecycle="pilot", purpose="As it was")
    before, audit_before = inventory(organisation), AuditEntry.objects.count()
    data = "\n".join(
        [
            HEADER,
            "Existing,Changed purpose,,deployed,deployer,no,,,,,",  # row 2: good (would update)
            "New one,,,deployed,deployer,no,,,,TH,",  # row 3: good (would add)
            "Bad market,,,deployed,deployer,no,,,,TH;XX,",  # row 4
            "Bad stage,,,launched,deployer,no,,,,,",  # row 5
            "Stranger,,stranger@example.org,deployed,deployer,no,,,,,",  # row 6
        ]
    ).encode()
    response = upload(client_for(owner), organisation, data, "systems.csv")
    page = response.content.decode()
    problems = response.context["problems"]
    assert problems == [
        "Row 4, markets: 'XX' is not an ASEAN market.",
        "Row 5, lifecycle: 'launched' is not one of planned, development, pilot, deployed, retired.",
        "Row 6, owner_email: stranger@example.org is not a member of the organisation.",
    ]
    assert "The file has 3 problems; nothing was imported." in page
    for problem in problems:
        assert problem.replace("'", "&#x27;") in page
    assert inventory(organisation) == before
    assert AuditEntry.objects.count() == audit_before


def test_unknown_and_missing_columns_are_reported(content: Any, organisation: Any, owner: Any) -> None:
    data = b"name,colour,lifecycle,Risk score\nBot,blue,pilot,9\n"
    problems = upload(client_for(owner), organisation, data, "systems.csv").context["problems"]
    assert problems == [
        f"Unknown column 'colour'. The columns are: {', '.join(systems_io.HEADERS)}.",
        f"Unknown column 'Risk score'. The columns are: {', '.join(systems_io.HEADERS)}.",
        "The column 'ai_role' is missing.",
    ]
    assert not AISystem.objects.exists()


def test_an_empty_file_and_a_header_without_rows_say_so(content: Any, organisation: Any, owner: Any) -> None:
    client = client_for(owner)
    empty = upload(client, organisation, b"", "systems.csv").context
    assert empty["form"].errors["file"] == ["The submitted file is empty."]
    blank = upload(client, organisation, b"\n\n  \n", "systems.csv").context["problems"]
    assert blank == ["The file is empty: it needs a header row and one row per record."]
    header_only = upload(client, organisation, (HEADER + "\n").encode(), "systems.csv").context["problems"]
    assert header_only == ["The file has a header row but no AI systems below it."]
    assert not AISystem.objects.exists()


def test_a_file_that_is_not_a_table_gets_a_clear_message(content: Any, organisation: Any, owner: Any) -> None:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(image, "PNG")
    client = client_for(owner)
    as_png = upload(client, organisation, image.getvalue(), "systems.png").context
    assert as_png["form"].errors["file"] == ["Upload a .csv or .xlsx file (a spreadsheet saved as CSV or Excel)."]
    # The name is not trusted: a picture renamed .csv or .xlsx is read, and refused for what it is.
    as_csv = upload(client, organisation, image.getvalue(), "systems.csv").context["problems"]
    assert as_csv == ["The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8."]
    as_xlsx = upload(client, organisation, image.getvalue(), "systems.xlsx").context["problems"]
    assert as_xlsx == ["The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8."]
    broken_zip = upload(client, organisation, b"PK\x03\x04" + b"\x00" * 64, "systems.xlsx").context["problems"]
    assert broken_zip == ["The file is not an Excel workbook (.xlsx) that can be read."]
    assert not AISystem.objects.exists()


def rewritten(data: bytes, part: str, change: Any) -> bytes:
    """The workbook `data` with one of its zip's parts changed by `change` (bytes -> bytes, or None to drop it)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = change(content)
                if content is None:
                    continue
            target.writestr(info.filename, content)
    return out.getvalue()


def test_a_damaged_workbook_gets_a_clear_message_never_an_error_page(
    content: Any, organisation: Any, owner: Any
) -> None:
    good = xlsx([HEADER.split(","), ["Bot", "pilot", "both", "yes"]])
    sheet = "xl/worksheets/sheet1.xml"
    damaged = {
        "broken XML": rewritten(good, sheet, lambda xml: xml[: len(xml) // 2]),
        "no worksheet": rewritten(good, sheet, lambda xml: None),
        "a number that is not one": rewritten(
            good, sheet, lambda xml: xml.replace(b"</row>", b'<c r="Z1" t="n"><v>abc</v></c></row>', 1)
        ),
    }
    client = client_for(owner)
    for what, data in damaged.items():
        response = upload(client, organisation, data, "systems.xlsx")
        assert response.status_code == 200, what
        assert response.context["problems"] == ["The file is not an Excel workbook (.xlsx) that can be read."], what
    assert not AISystem.objects.exists()


def test_a_workbook_that_inflates_to_far_more_than_its_size_is_refused_unread(
    content: Any, organisation: Any, owner: Any
) -> None:
    good = xlsx([HEADER.split(","), ["Bot", "pilot", "both", "yes"]])
    bomb = rewritten(good, "docProps/app.xml", lambda xml: xml + b" " * (60 * 1024 * 1024))
    assert len(bomb) < 2 * 1024 * 1024  # within the upload limit: only its directory gives it away
    problems = upload(client_for(owner), organisation, bomb, "systems.xlsx").context["problems"]
    assert problems == ["The workbook is too large once unpacked; save it again or split it into smaller files."]
    assert not AISystem.objects.exists()


def test_control_characters_in_text_do_not_break_the_excel_export(content: Any, organisation: Any, owner: Any) -> None:
    AISystemFactory(organisation=organisation, name="Bot", purpose="Line one\x0bline two\x1b end")
    response = client_for(owner).get(reverse("system_export_xlsx", args=[organisation.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    purpose = next(str(cell.value) for cell in sheet[2] if cell.value and str(cell.value).startswith("Line one"))
    assert purpose == "Line oneline two end"


def test_a_file_over_2_mb_is_refused_before_reading(content: Any, organisation: Any, owner: Any) -> None:
    data = (HEADER + "\n").encode() + b"x" * (2 * 1024 * 1024)
    context = upload(client_for(owner), organisation, data, "systems.csv").context
    assert context["form"].errors["file"] == ["The file is larger than 2 MB. Split it into smaller files."]


# --- What a row may say ---------------------------------------------------------------------------------------------


def test_codes_english_labels_any_case_and_both_separators_are_read(
    content: Any, organisation: Any, owner: Any
) -> None:
    member = MembershipFactory(
        organisation=organisation, role=Role.VIEWER, user=UserFactory(email="Ana@Example.org")
    ).user
    rows = [
        [
            "Name",
            "Owner email",
            "Lifecycle",
            "AI role",
            "GenAI",
            "Data categories",
            "People affected",
            "Markets",
            "Human involvement",
        ],
        [
            "Bot",
            "ANA@example.org",
            "In use",
            "both developer and deployer",
            "TRUE",
            "Personal data, biometric",
            "customers; The general public",
            "vn, th, Singapore",
            "Human-over-the-loop",
        ],
        [
            "Sorter",
            "",
            "PLANNED",
            "DEPLOYER",
            "0",
            "Sensitive personal data (health, religion, ethnicity, ...); none",
            "",
            "",
            "",
        ],
    ]
    page = upload(client_for(owner), organisation, xlsx(rows), "systems.xlsx").content.decode()
    assert "Import done: 2 added, 0 updated, 0 unchanged." in page
    bot = AISystem.objects.get(name="Bot")
    assert (bot.owner, bot.lifecycle, bot.ai_role, bot.uses_genai, bot.human_involvement) == (
        member,
        "deployed",
        "both",
        True,
        "over",
    )
    assert (bot.data_categories, bot.affected_groups, bot.markets) == (
        ["personal", "biometric"],
        ["customers", "public"],
        ["SG", "TH", "VN"],
    )
    sorter = AISystem.objects.get(name="Sorter")
    assert (sorter.owner, sorter.uses_genai, sorter.data_categories) == (None, False, ["sensitive", "none"])


def test_a_row_whose_name_matches_updates_only_its_columns(content: Any, organisation: Any, owner: Any) -> None:
    system = AISystemFactory(
        organisation=organisation, name="Loan Scoring", purpose="Kept", markets=["TH"], risk_level="high"
    )
    data = b"name,lifecycle,ai_role,markets\nloan scoring,retired,deployer,SG\nChatbot,pilot,deployer,\n"
    page = upload(client_for(owner), organisation, data, "systems.csv").content.decode()
    assert "Import done: 1 added, 1 updated, 0 unchanged." in page
    system.refresh_from_db()
    # The file's spelling of the name wins; columns the file does not have keep their values, and so does the risk.
    assert (system.name, system.lifecycle, system.markets, system.purpose, system.risk_level) == (
        "loan scoring",
        "retired",
        ["SG"],
        "Kept",
        "high",
    )
    entry = AuditEntry.objects.get(organisation=organisation, action="system.import")
    assert entry.detail == "systems.csv: 1 added, 1 updated, 0 unchanged" and entry.user == owner


def test_the_same_name_twice_in_a_file_is_a_problem(content: Any, organisation: Any, owner: Any) -> None:
    data = b"name,lifecycle,ai_role,genai\nBot,pilot,both,yes\nBOT,pilot,both,perhaps\n"
    problems = upload(client_for(owner), organisation, data, "systems.csv").context["problems"]
    assert problems == [
        "Row 3, genai: 'perhaps' is not yes or no.",
        "Row 3, name: 'BOT' is already in row 2 of the file.",
    ]
    assert not AISystem.objects.exists()


def test_rows_are_numbered_as_in_the_file_when_blank_rows_are_skipped(
    content: Any, organisation: Any, owner: Any
) -> None:
    data = b"name,lifecycle,ai_role,genai\n\nBot,pilot,both,yes\n,,,\nOther,pilot,both,perhaps\n"
    problems = upload(client_for(owner), organisation, data, "systems.csv").context["problems"]
    assert problems == ["Row 5, genai: 'perhaps' is not yes or no."]
    assert not AISystem.objects.exists()


def test_required_values_are_named_per_row() -> None:
    rules = systems_io.ImportRules(members={}, markets={"TH": "Thailand"})
    parsed = systems_io.parse_table(
        ["name", "lifecycle", "ai_role"], [{"name": "", "lifecycle": "", "ai_role": "both"}], rules
    )
    assert parsed.rows == []
    assert parsed.errors == [
        "Row 2, name: A name is required.",
        "Row 2, lifecycle: Required: one of planned, development, pilot, deployed, retired.",
    ]


def test_the_import_page_describes_the_columns_and_offers_a_template(
    content: Any, organisation: Any, owner: Any
) -> None:
    client = client_for(owner)
    page = client.get(reverse("system_import", args=[organisation.pk])).content.decode()
    for header in systems_io.HEADERS:
        assert f"<code>{header}</code>" in page
    assert "VN (Viet Nam)" in page and "?template=csv" in page
    template = client.get(reverse("system_import", args=[organisation.pk]), {"template": "xlsx"})
    rows = list(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == systems_io.HEADERS and len(rows) == 3
    # The template's example rows are themselves a valid import.
    page = upload(client, organisation, template.content, "template.xlsx").content.decode()
    assert "Import done: 2 added" in page


def test_a_viewer_cannot_import(content: Any, organisation: Any) -> None:
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    data = b"name,lifecycle,ai_role\nBot,pilot,both\n"
    response = client_for(viewer).post(
        reverse("system_import", args=[organisation.pk]), {"file": SimpleUploadedFile("s.csv", data)}
    )
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        services.systems_import(organisation=organisation, by=viewer, role=None, data=data, filename="s.csv")
    assert not AISystem.objects.exists()


def test_the_example_in_the_docs_imports(content: Any, organisation: Any, owner: Any) -> None:
    """docs/inventory.md shows an example file: it must be one that the import takes as it is."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "inventory.md").read_text(encoding="utf-8")
    example = doc.split("```csv\n")[1].split("```")[0]
    MembershipFactory(organisation=organisation, role=Role.EDITOR, user=UserFactory(email="ana@example.org"))
    page = upload(client_for(owner), organisation, example.encode(), "example.csv").content.decode()
    assert "Import done: 3 added, 0 updated, 0 unchanged." in page
    chatbot = AISystem.objects.get(name="Support chatbot")
    assert chatbot.purpose == "Answers customer questions, hands over to staff"
    assert (chatbot.affected_groups, chatbot.markets, chatbot.human_involvement) == (
        ["customers", "public"],
        ["SG"],
        "over",
    )
    assert AISystem.objects.get(name="Loan scoring").owner.email == "ana@example.org"  # type: ignore[union-attr]
