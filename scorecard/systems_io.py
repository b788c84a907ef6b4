"""The AI-system inventory as a table: its columns, reading one imported row, writing one exported row.

The rules of an inventory entry live here once, for the form and the file alike (docs/inventory.md): a name on one
line, an owner who is a member, stages and roles from their lists (by code or English label, any letter case),
lists separated by ";" or ",", markets among the current edition's countries, GenAI as yes or no. Nothing here
reads or writes the database: the service gives `ImportRules` (who the members are, which markets exist) and
writes what `parse_table` returns. An export's columns are exactly the import's, so an export re-imports unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AffectedGroup, AIRole, AISystem, DataCategory, HumanInvolvement, Lifecycle
from .validators import validate_organisation_name

NAME_MAX = 200
# What spreadsheets.table_response puts before a cell that a spreadsheet program would run as a formula; an
# import takes it off again, so that such a value comes back as it was exported.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False  # the file must have this column (the model cannot do without the value)


COLUMNS = (
    Column("name", "name", required=True),
    Column("purpose", "purpose"),
    Column("owner_email", "owner"),
    Column("lifecycle", "lifecycle", required=True),
    Column("ai_role", "ai_role", required=True),
    Column("genai", "uses_genai"),
    Column("models_and_vendors", "models_and_vendors"),
    Column("data_categories", "data_categories"),
    Column("people_affected", "affected_groups"),
    Column("markets", "markets"),
    Column("human_involvement", "human_involvement"),
)
HEADERS = [column.header for column in COLUMNS]
# Other spellings people use for a column; the header is compared in lower case with spaces as underscores.
HEADER_ALIASES = {
    "owner": "owner_email",
    "uses_genai": "genai",
    "generative_ai": "genai",
    "affected_groups": "people_affected",
    "role": "ai_role",
    "lifecycle_stage": "lifecycle",
}
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n", ""}


class FieldProblem(ValueError):
    """One value that breaks a rule; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class ImportRules:
    """What the rows are checked against: the organisation's members and the current edition's markets."""

    members: Mapping[str, int]  # e-mail in lower case -> user id
    markets: Mapping[str, str]  # ISO code -> country name


@dataclass
class SystemRow:
    number: int  # the row's number in the spreadsheet, the header being row 1
    values: dict[str, Any]  # model field -> value, for the file's columns only


@dataclass
class ParsedTable:
    rows: list[SystemRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- One value ----------------------------------------------------------------------------------------------------


def clean_name(text: str) -> str:
    name = text.strip()
    if not name:
        raise FieldProblem(_("A name is required."))
    if len(name) > NAME_MAX:
        raise FieldProblem(_("A name has at most %(max)s characters.") % {"max": NAME_MAX})
    try:
        validate_organisation_name(name)
    except ValidationError as exc:
        raise FieldProblem(" ".join(exc.messages)) from exc
    return name


def _lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code, English label and label in the active language, each in lower case -> code."""
    table: dict[str, str] = {}
    for code, label in choices.choices:
        table[str(label).strip().lower()] = code
        with translation.override("en"):
            table[str(label).strip().lower()] = code
        table[code.lower()] = code
    return table


def _codes(choices: type[models.TextChoices]) -> str:
    return ", ".join(choices.values)


def clean_choice(text: str, choices: type[models.TextChoices], *, blank: bool = False) -> str:
    value = text.strip()
    if not value:
        if blank:
            return ""
        raise FieldProblem(_("Required: one of %(codes)s.") % {"codes": _codes(choices)})
    code = _lookup(choices).get(value.lower())
    if code is None:
        raise FieldProblem(_("'%(value)s' is not one of %(codes)s.") % {"value": value, "codes": _codes(choices)})
    return code


def split_list(text: str) -> list[str]:
    """Items separated by ";" or ",". With a ";" in the cell, only ";" separates: labels may hold commas."""
    separator = ";" if ";" in text else ","
    return [item.strip() for item in text.split(separator) if item.strip()]


def clean_choice_list(items: Iterable[str], choices: type[models.TextChoices]) -> list[str]:
    """The codes, once each and in the order of the choices (so that saving twice changes nothing)."""
    lookup = _lookup(choices)
    unknown = [item for item in items if item.strip().lower() not in lookup]
    if unknown:
        raise FieldProblem(
            _("'%(value)s' is not one of %(codes)s.") % {"value": "', '".join(unknown), "codes": _codes(choices)}
        )
    chosen = {lookup[item.strip().lower()] for item in items}
    return [code for code in choices.values if code in chosen]


def clean_markets(items: Iterable[str], markets: Mapping[str, str]) -> list[str]:
    """ISO codes (or English names) of the current edition's countries, once each, in the edition's order."""
    lookup = {code.lower(): code for code in markets} | {name.lower(): code for code, name in markets.items()}
    unknown = [item for item in items if item.strip().lower() not in lookup]
    if unknown:
        raise FieldProblem(
            ngettext("'%(value)s' is not an ASEAN market.", "'%(value)s' are not ASEAN markets.", len(unknown))
            % {"value": "', '".join(unknown)}
        )
    chosen = {lookup[item.strip().lower()] for item in items}
    return [code for code in markets if code in chosen]


def clean_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise FieldProblem(_("'%(value)s' is not yes or no.") % {"value": text.strip()})


def clean_owner_email(text: str, members: Mapping[str, int]) -> int | None:
    email = text.strip().lower()
    if not email:
        return None
    if email not in members:
        raise FieldProblem(_("%(email)s is not a member of the organisation.") % {"email": text.strip()})
    return members[email]


# --- The table ----------------------------------------------------------------------------------------------------


def unescape_formula(text: str) -> str:
    """The value before spreadsheets.table_response protected it from being read as a formula."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def _header_key(header: str) -> str:
    key = "_".join(header.strip().lower().replace("-", " ").split())
    return HEADER_ALIASES.get(key, key)


def _check_headers(headers: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """{file header: column header} for the file's columns, and what is wrong with the header row."""
    errors: list[str] = []
    found: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        key = _header_key(header)
        if key not in HEADERS:
            errors.append(
                _("Unknown column '%(header)s'. The columns are: %(columns)s.")
                % {"header": header, "columns": ", ".join(HEADERS)}
            )
        elif key in found.values():
            errors.append(_("The column '%(header)s' appears twice.") % {"header": header})
        else:
            found[header] = key
    for column in COLUMNS:
        if column.required and column.header not in found.values():
            errors.append(_("The column '%(header)s' is missing.") % {"header": column.header})
    return found, errors


def parse_value(column: Column, text: str, rules: ImportRules) -> Any:
    """The model value of one cell; FieldProblem when it breaks a rule."""
    text = unescape_formula(text)
    if column.field == "name":
        return clean_name(text)
    if column.field == "owner":
        return clean_owner_email(text, rules.members)
    if column.field == "lifecycle":
        return clean_choice(text, Lifecycle)
    if column.field == "ai_role":
        return clean_choice(text, AIRole)
    if column.field == "human_involvement":
        return clean_choice(text, HumanInvolvement, blank=True)
    if column.field == "uses_genai":
        return clean_yes_no(text)
    if column.field == "data_categories":
        return clean_choice_list(split_list(text), DataCategory)
    if column.field == "affected_groups":
        return clean_choice_list(split_list(text), AffectedGroup)
    if column.field == "markets":
        return clean_markets(split_list(text), rules.markets)
    return text.strip()  # purpose, models and vendors: free text


def parse_table(
    headers: Sequence[str],
    records: Sequence[Mapping[str, str]],
    rules: ImportRules,
    row_numbers: Sequence[int] = (),
) -> ParsedTable:
    """Every row checked, and every problem named with its row and column; rows come back only without problems.
    `row_numbers`: each record's row in the file (spreadsheets.read_table); by default the records follow the
    header row without gaps."""
    found, header_errors = _check_headers(headers)
    if header_errors:
        return ParsedTable(errors=header_errors)
    if not records:
        return ParsedTable(errors=[_("The file has a header row but no AI systems below it.")])
    by_header = {column.header: column for column in COLUMNS}
    parsed = ParsedTable()
    first_row_of: dict[str, int] = {}
    for index, record in enumerate(records):
        number = row_numbers[index] if row_numbers else index + 2  # row 1 is the header
        values: dict[str, Any] = {}
        for file_header, key in found.items():
            column = by_header[key]
            try:
                values[column.field] = parse_value(column, record.get(file_header, ""), rules)
            except FieldProblem as problem:
                parsed.errors.append(
                    _("Row %(row)s, %(column)s: %(problem)s") % {"row": number, "column": key, "problem": problem}
                )
        name = values.get("name")
        if name:
            earlier = first_row_of.setdefault(name.lower(), number)
            if earlier != number:
                parsed.errors.append(
                    _("Row %(row)s, name: '%(name)s' is already in row %(earlier)s of the file.")
                    % {"row": number, "name": name, "earlier": earlier}
                )
        parsed.rows.append(SystemRow(number=number, values=values))
    if parsed.errors:
        parsed.rows = []
    return parsed


def export_row(system: AISystem, member_emails: Mapping[int, str]) -> list[str]:
    """One system as the import reads it. The owner is written only while a member: the import would refuse
    anyone else."""
    return [
        system.name,
        system.purpose,
        member_emails.get(system.owner_id, "") if system.owner_id else "",
        system.lifecycle,
        system.ai_role,
        "yes" if system.uses_genai else "no",
        system.models_and_vendors,
        "; ".join(system.data_categories),
        "; ".join(system.affected_groups),
        "; ".join(system.markets),
        system.human_involvement,
    ]


def column_descriptions(markets: Mapping[str, str]) -> list[tuple[str, bool, str]]:
    """(header, required, what it takes) for the import page and its template."""

    def listed(choices: type[models.TextChoices]) -> str:
        return "; ".join(f"{code} ({label})" for code, label in choices.choices)

    described = {
        "name": _(
            "The system's name, unique in the organisation (any letter case). A row whose name matches a "
            "system of the inventory updates it; any other row adds a system."
        ),
        "purpose": _("What the system is for."),
        "owner_email": _("The e-mail of the member who owns the system; may be left empty."),
        "lifecycle": _("One of: %(values)s.") % {"values": listed(Lifecycle)},
        "ai_role": _("One of: %(values)s.") % {"values": listed(AIRole)},
        "genai": _("yes or no (also true/false, 1/0). Empty means no."),
        "models_and_vendors": _("The models and vendors the system uses."),
        "data_categories": _("Any of, separated by ; or ,: %(values)s.") % {"values": listed(DataCategory)},
        "people_affected": _("Any of, separated by ; or ,: %(values)s.") % {"values": listed(AffectedGroup)},
        "markets": _("ISO codes of the markets served, separated by ; or ,: %(values)s.")
        % {"values": ", ".join(f"{code} ({name})" for code, name in markets.items())},
        "human_involvement": _("Empty, or one of: %(values)s.") % {"values": listed(HumanInvolvement)},
    }
    return [(column.header, column.required, described[column.header]) for column in COLUMNS]
