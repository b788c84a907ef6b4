"""Which evidence files are accepted, decided from their content (docs/evidence.md).

The name a file was uploaded under and the content type the browser sent are whatever the uploader (or their
malware) chose: a program renamed `report.pdf`, an HTML page renamed `photo.png`. So the type is read from the
bytes: the file's signature, then a real check of its structure (Pillow opens and verifies an image; a zip's
directory must describe an office document; text must be UTF-8). The name is kept only to show the file, and a
download gets the detected type's extension added when its own does not match (`download_name`), so a file
never reaches a colleague's desktop under an extension that would make it run.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

NAME_MAX = 200  # EvidenceFile.name
HEAD_BYTES = 8192
CHUNK = 1024 * 1024
# A zip's directory declares how much its entries inflate to and how many there are. Real office documents stay far
# below these; a "zip bomb" (a few MB that inflate to many GB, or a million tiny entries) does not. Only the
# directory is read to decide: nothing is inflated except an OpenDocument's few-byte `mimetype` entry.
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_UNCOMPRESSED = 300 * 1024 * 1024
# Images: Pillow refuses more pixels than this as a decompression bomb (its own default is 89 million).
IMAGE_MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class EvidenceType:
    content_type: str  # as stored and sent with a download
    label: Promise  # what the library shows
    extensions: tuple[str, ...]  # the first is added to a download whose name has none of them


PDF = EvidenceType("application/pdf", gettext_lazy("PDF document"), ("pdf",))
PNG = EvidenceType("image/png", gettext_lazy("PNG image"), ("png",))
JPEG = EvidenceType("image/jpeg", gettext_lazy("JPEG image"), ("jpg", "jpeg", "jpe"))
GIF = EvidenceType("image/gif", gettext_lazy("GIF image"), ("gif",))
WEBP = EvidenceType("image/webp", gettext_lazy("WebP image"), ("webp",))
DOCX = EvidenceType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    gettext_lazy("Word document"),
    ("docx",),
)
XLSX = EvidenceType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", gettext_lazy("Excel workbook"), ("xlsx",)
)
PPTX = EvidenceType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    gettext_lazy("PowerPoint presentation"),
    ("pptx",),
)
ODT = EvidenceType("application/vnd.oasis.opendocument.text", gettext_lazy("OpenDocument text"), ("odt",))
ODS = EvidenceType("application/vnd.oasis.opendocument.spreadsheet", gettext_lazy("OpenDocument spreadsheet"), ("ods",))
ODP = EvidenceType(
    "application/vnd.oasis.opendocument.presentation", gettext_lazy("OpenDocument presentation"), ("odp",)
)
TEXT = EvidenceType("text/plain; charset=utf-8", gettext_lazy("Plain text"), ("txt", "text", "md", "log", "csv"))
CSV = EvidenceType("text/csv; charset=utf-8", gettext_lazy("CSV table"), ("csv", "txt", "tsv"))

ALL_TYPES = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT, CSV)
_BY_CONTENT_TYPE = {t.content_type: t for t in ALL_TYPES}

IMAGE_SIGNATURES: tuple[tuple[bytes, EvidenceType, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG, "PNG"),
    (b"\xff\xd8\xff", JPEG, "JPEG"),
    (b"GIF87a", GIF, "GIF"),
    (b"GIF89a", GIF, "GIF"),
)
# Office Open XML: the folder that holds the document's parts.
OOXML_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
ODF_TYPES = {t.content_type: t for t in (ODT, ODS, ODP)}
PROGRAM_SIGNATURES = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # macOS (Mach-O), both byte orders and word sizes
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # macOS universal binaries and Java classes
    b"#!",  # scripts
)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls, .ppt, .msg
# Markup a browser would render (and run the scripts of), if it ever came to display the file.
MARKUP_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?xml", b"<iframe", b"<body", b"<head")
# Right-to-left overrides and isolates: they make "gpj.exe" read as "exe.jpg" in a file name.
BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NAME_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class Detected:
    kind: EvidenceType
    display_name: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def accepted_types_sentence() -> str:
    return _(
        "Accepted: PDF; PNG, JPEG, GIF and WebP images; Word, Excel and PowerPoint documents (.docx, .xlsx, "
        ".pptx); OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp); plain text and CSV in UTF-8."
    )


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(f"{message} {accepted_types_sentence()}", code=code)


def type_label(content_type: str) -> str:
    """The accepted type's name, for the library and the report ("Word document")."""
    kind = _BY_CONTENT_TYPE.get(content_type)
    return str(kind.label) if kind else content_type


def safe_display_name(name: str | None) -> str:
    """The uploaded name to show: without folders, control characters or direction overrides, at most 200
    characters with its extension kept. Never used to decide the type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(
        " " if unicodedata.category(c) in NAME_FORBIDDEN_CATEGORIES else c for c in base if c not in BIDI_CONTROLS
    )
    base = " ".join(base.split()).strip(" .")
    if not base:
        return "evidence"
    if len(base) <= NAME_MAX:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and stem and 0 < len(extension) <= 10:
        return f"{stem[: NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
    return base[:NAME_MAX]


def download_name(display_name: str, content_type: str) -> str:
    """The name a download is saved under: the display name, plus the detected type's extension when its own
    extension is not one of that type's ("invoice.bat" that is text downloads as "invoice.bat.txt")."""
    kind = _BY_CONTENT_TYPE.get(content_type)
    if kind is None:
        return display_name
    extension = display_name.rpartition(".")[2].lower() if "." in display_name else ""
    return display_name if extension in kind.extensions else f"{display_name}.{kind.extensions[0]}"


def detect_evidence_type(file: IO[bytes], name: str | None) -> Detected:
    """The file's accepted type, read from its content, and the name to show it under. Raises ValidationError
    with a message for the person uploading (which types are accepted) for anything else. Leaves the file at its
    start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        kind = _detect(file, head)
    finally:
        file.seek(0)
    return Detected(kind, safe_display_name(name))


def _detect(file: IO[bytes], head: bytes) -> EvidenceType:
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    if head.startswith(b"%PDF-"):
        return PDF
    for signature, kind, pillow_format in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return _checked_image(file, kind, pillow_format)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _checked_image(file, WEBP, "WEBP")
    if head.startswith(b"PK\x03\x04"):
        return _office_document(file)
    if head.startswith(OLE_SIGNATURE):
        raise _refuse(
            _(
                "Older Word, Excel and PowerPoint files (.doc, .xls, .ppt) are not accepted: save it as .docx, .xlsx, "
                ".pptx or PDF first."
            ),
            "legacy_office",
        )
    if head.startswith(PROGRAM_SIGNATURES):
        raise _refuse(_("Programs and scripts are not accepted, whatever the file is called."), "program")
    return _text(file, head)


def _checked_image(file: IO[bytes], kind: EvidenceType, pillow_format: str) -> EvidenceType:
    damaged = _refuse(
        _("The file starts like a %(type)s but is not a readable one.") % {"type": kind.label}, "damaged_image"
    )
    try:
        with warnings.catch_warnings():
            # A small file may declare a huge image; Pillow warns, then refuses. Both count as a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise _refuse(
                        _("The image declares %(w)s×%(h)s pixels, far more than a photograph or a scan has.")
                        % {"w": width, "h": height},
                        "image_too_large",
                    )
                if image.format != pillow_format:
                    raise damaged
                image.verify()  # reads the whole file: truncated or corrupt data fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(_("The image declares far too many pixels to open."), "image_too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise damaged from exc
    return kind


def _office_document(file: IO[bytes]) -> EvidenceType:
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise _refuse(
                    _("The archive holds %(n)s files; an office document has far fewer.") % {"n": len(entries)},
                    "zip_bomb",
                )
            if sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED:
                raise _refuse(
                    _("The archive would unpack to more than %(mb)s MB; an office document is far smaller.")
                    % {"mb": ZIP_MAX_UNCOMPRESSED // (1024 * 1024)},
                    "zip_bomb",
                )
            names = [entry.filename for entry in entries]
            kind = _opendocument(archive, entries) or _office_open_xml(names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError) as exc:
        # RuntimeError: an encrypted entry; the others: a damaged directory or entry.
        raise _refuse(_("The file starts like a zip archive but is damaged."), "damaged_zip") from exc
    if kind is None:
        raise _refuse(
            _("Zip archives are accepted only when they are office documents, and this one is not."), "not_office"
        )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse(
            _("Documents with macros are not accepted: save it without macros (.docx, .xlsx, .pptx) or as PDF."),
            "macros",
        )
    return kind


def _opendocument(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> EvidenceType | None:
    """OpenDocument: the first entry is `mimetype`, holding the document's type (ODF 1.2, part 3, 3.3)."""
    if not entries or entries[0].filename != "mimetype" or entries[0].file_size > 100:
        return None
    with archive.open(entries[0]) as entry:
        declared = entry.read(100).decode("ascii", "replace").strip()
    return ODF_TYPES.get(declared)


def _office_open_xml(names: list[str]) -> EvidenceType | None:
    """Office Open XML: `[Content_Types].xml` and the parts of a Word, Excel or PowerPoint document."""
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in OOXML_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def _text(file: IO[bytes], head: bytes) -> EvidenceType:
    unknown = _refuse(_("This kind of file is not accepted."), "unknown")
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"<") or any(marker in head.lower() for marker in MARKUP_MARKERS):
        raise _refuse(_("Web pages, SVG drawings and other markup are not accepted."), "markup")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                raise unknown
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise unknown from exc
    return CSV if _looks_like_csv(head) else TEXT


def _looks_like_csv(head: bytes) -> bool:
    """Two or more lines with the same number (at least one) of commas, semicolons or tabs."""
    text = head.decode("utf-8", "ignore")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) == HEAD_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut short
    lines = lines[:20]
    if len(lines) < 2:
        return False
    for delimiter in (",", ";", "\t"):
        counts = {line.count(delimiter) for line in lines}
        if len(counts) == 1 and counts.pop() > 0:
            return True
    return False
