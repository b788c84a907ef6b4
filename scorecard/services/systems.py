"""Writes for the AI-system inventory (docs/inventory.md): add, change, delete and import systems.

Every write takes the organisation's row lock first, so that two people adding "Chatbot" at once cannot both get
past the check that names are unique (in any letter case, which the database constraint alone does not see).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frameworks.models import Country, FrameworkVersion

from .. import systems_io
from ..models import (
    AffectedGroup,
    AIRole,
    AISystem,
    Assessment,
    DataCategory,
    HumanInvolvement,
    Lifecycle,
    Organisation,
    Role,
)
from ..permissions import organisation_role, role_allows
from ..spreadsheets import TableError, read_table
from .audit import audit_record
from .errors import NotAllowed, ServiceError

# The fields a person sets; `risk_level` is the risk assessment's to set, never the inventory's.
EDITABLE_FIELDS = (
    "name",
    "purpose",
    "owner",
    "lifecycle",
    "ai_role",
    "uses_genai",
    "models_and_vendors",
    "data_categories",
    "affected_groups",
    "markets",
    "human_involvement",
)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: nothing at all when `errors` has anything in it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def current_markets() -> dict[str, str]:
    """ISO code -> name of the current edition's countries, in the edition's order: the markets a system serves."""
    version = FrameworkVersion.objects.current()
    if version is None:
        return {}
    return dict(Country.objects.filter(version=version).order_by("order", "code").values_list("code", "name"))


def import_rules(organisation: Organisation) -> systems_io.ImportRules:
    members = organisation.memberships.values_list("user__email", "user_id")
    return systems_io.ImportRules(
        members={email.lower(): user_id for email, user_id in members if email},
        markets=current_markets(),
    )


def _ensure_may_edit(*, by: User, organisation: Organisation, role: str | None) -> None:
    """The role floor for every write here: editors and more (consultants with an editor grant included). When the
    caller does not pass the role the selector gave it, it is looked up: this check never trusts its absence."""
    if role is None:
        role = organisation_role(by, organisation)
    if not role_allows(role, Role.EDITOR):
        raise NotAllowed(_("You can view this inventory but not change it."))


def _lock_organisation(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _validated(organisation: Organisation, values: dict[str, Any], *, system: AISystem | None = None) -> dict[str, Any]:
    """The values as stored, or ValidationError naming each field that breaks a rule (call under the lock)."""
    problems: dict[str, str] = {}
    cleaned = dict(values)
    rules = import_rules(organisation)
    cleaners = {
        "name": systems_io.clean_name,
        "lifecycle": lambda v: systems_io.clean_choice(v, Lifecycle),
        "ai_role": lambda v: systems_io.clean_choice(v, AIRole),
        "human_involvement": lambda v: systems_io.clean_choice(v or "", HumanInvolvement, blank=True),
        "data_categories": lambda v: systems_io.clean_choice_list(v, DataCategory),
        "affected_groups": lambda v: systems_io.clean_choice_list(v, AffectedGroup),
        "markets": lambda v: systems_io.clean_markets(v, rules.markets),
    }
    for name, clean in cleaners.items():
        try:
            cleaned[name] = clean(values[name])
        except systems_io.FieldProblem as problem:
            problems[name] = str(problem)
    owner = values["owner"]
    if owner is not None and owner.pk not in rules.members.values():
        problems["owner"] = _("%(email)s is not a member of the organisation.") % {"email": owner.email}
    cleaned["purpose"] = values["purpose"].strip()
    cleaned["models_and_vendors"] = values["models_and_vendors"].strip()
    cleaned["uses_genai"] = bool(values["uses_genai"])
    if "name" not in problems:
        others = AISystem.objects.filter(organisation=organisation, name__iexact=cleaned["name"])
        if system is not None:
            others = others.exclude(pk=system.pk)
        if others.exists():
            problems["name"] = _("The inventory already has a system named %(name)s.") % {"name": cleaned["name"]}
    if problems:
        raise ValidationError(problems)
    return cleaned


@transaction.atomic
def system_create(
    *,
    organisation: Organisation,
    by: User,
    role: str | None,
    name: str,
    lifecycle: str,
    ai_role: str,
    purpose: str = "",
    owner: User | None = None,
    uses_genai: bool = False,
    models_and_vendors: str = "",
    data_categories: Iterable[str] = (),
    affected_groups: Iterable[str] = (),
    markets: Iterable[str] = (),
    human_involvement: str = "",
) -> AISystem:
    """Add a system to the organisation's inventory. ValidationError (by field) when a value breaks a rule."""
    _ensure_may_edit(by=by, organisation=organisation, role=role)
    organisation = _lock_organisation(organisation)
    values = _validated(
        organisation,
        {
            "name": name,
            "purpose": purpose,
            "owner": owner,
            "lifecycle": lifecycle,
            "ai_role": ai_role,
            "uses_genai": uses_genai,
            "models_and_vendors": models_and_vendors,
            "data_categories": list(data_categories),
            "affected_groups": list(affected_groups),
            "markets": list(markets),
            "human_involvement": human_involvement,
        },
    )
    system = AISystem.objects.create(organisation=organisation, created_by=by, **values)
    audit_record(by=by, action="system.create", organisation=organisation, detail=system.name)
    return system


@transaction.atomic
def system_update(
    *,
    system: AISystem,
    by: User,
    role: str | None,
    name: str,
    lifecycle: str,
    ai_role: str,
    purpose: str = "",
    owner: User | None = None,
    uses_genai: bool = False,
    models_and_vendors: str = "",
    data_categories: Iterable[str] = (),
    affected_groups: Iterable[str] = (),
    markets: Iterable[str] = (),
    human_involvement: str = "",
) -> AISystem:
    """Change a system's entry. Its risk level stays: only a risk impact assessment sets it."""
    organisation = system.organisation
    _ensure_may_edit(by=by, organisation=organisation, role=role)
    organisation = _lock_organisation(organisation)
    current = AISystem.objects.select_for_update().filter(pk=system.pk, organisation=organisation).first()
    if current is None:
        raise ServiceError(_("This AI system was deleted in the meantime."))
    values = _validated(
        organisation,
        {
            "name": name,
            "purpose": purpose,
            "owner": owner,
            "lifecycle": lifecycle,
            "ai_role": ai_role,
            "uses_genai": uses_genai,
            "models_and_vendors": models_and_vendors,
            "data_categories": list(data_categories),
            "affected_groups": list(affected_groups),
            "markets": list(markets),
            "human_involvement": human_involvement,
        },
        system=current,
    )
    owner_value = values.pop("owner")
    changed = [key for key, value in values.items() if getattr(current, key) != value]
    if current.owner_id != (owner_value.pk if owner_value else None):
        changed.append("owner")
    for key, value in values.items():
        setattr(current, key, value)
    current.owner = owner_value
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
        detail = f"{current.name}: {', '.join(changed)}"
        audit_record(by=by, action="system.update", organisation=organisation, detail=detail)
    return current


@transaction.atomic
def system_delete(*, system: AISystem, by: User, role: str | None) -> None:
    """Delete a system with its risk impact assessments. Refused while assessments are about it: they are the
    organisation's record of how the system was governed, so the system is retired instead."""
    organisation = system.organisation
    _ensure_may_edit(by=by, organisation=organisation, role=role)
    organisation = _lock_organisation(organisation)
    current = AISystem.objects.filter(pk=system.pk, organisation=organisation).first()
    if current is None:
        return  # deleted in the meantime: what was asked is done
    assessments = Assessment.objects.filter(ai_system=current).count()
    if assessments:
        raise ServiceError(
            ngettext(
                "%(name)s has %(n)s assessment, which must keep the system it is about: it cannot be deleted. "
                "Retire it instead (set its lifecycle stage to Retired).",
                "%(name)s has %(n)s assessments, which must keep the system they are about: it cannot be "
                "deleted. Retire it instead (set its lifecycle stage to Retired).",
                assessments,
            )
            % {"name": current.name, "n": assessments}
        )
    risk_assessments = current.risk_assessments.count()
    try:
        current.delete()
    except RestrictedError as exc:  # an assessment of it started after the count
        raise ServiceError(_("%(name)s has assessments: retire it instead.") % {"name": current.name}) from exc
    audit_record(
        by=by,
        action="system.delete",
        organisation=organisation,
        detail=f"{current.name} (with {risk_assessments} risk assessments)",
    )


@transaction.atomic
def systems_import(
    *, organisation: Organisation, by: User, role: str | None, data: bytes, filename: str
) -> ImportResult:
    """Add or update systems from a CSV or XLSX file (columns: systems_io.COLUMNS).

    Every row is checked first; with any problem nothing is written and every problem is named by row and
    column. A row whose name matches a system of the inventory (any letter case) updates it; others add one.
    """
    _ensure_may_edit(by=by, organisation=organisation, role=role)
    try:
        table = read_table(data, filename)
    except TableError as exc:
        return ImportResult(errors=[str(exc)])
    organisation = _lock_organisation(organisation)
    parsed = systems_io.parse_table(table.headers, table.records, import_rules(organisation), table.row_numbers)
    if parsed.errors:
        return ImportResult(errors=parsed.errors)
    existing = {system.name.lower(): system for system in AISystem.objects.filter(organisation=organisation)}
    now = timezone.now()
    to_create: list[AISystem] = []
    to_update: list[AISystem] = []
    fields: list[str] = []
    for row in parsed.rows:
        values = {("owner_id" if key == "owner" else key): value for key, value in row.values.items()}
        fields = list(values)
        system = existing.get(row.values["name"].lower())
        if system is None:
            to_create.append(AISystem(organisation=organisation, created_by=by, **values))
        elif any(getattr(system, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(system, key, value)
            system.updated_at = now  # bulk_update does not set auto_now fields
            to_update.append(system)
    AISystem.objects.bulk_create(to_create)
    if to_update:
        AISystem.objects.bulk_update(to_update, [*fields, "updated_at"])
    result = ImportResult(
        created=len(to_create), updated=len(to_update), unchanged=len(parsed.rows) - len(to_create) - len(to_update)
    )
    audit_record(
        by=by,
        action="system.import",
        organisation=organisation,
        detail=f"{filename}: {result.created} added, {result.updated} updated, {result.unchanged} unchanged",
    )
    return result
