"""The audit trail: every write made through a service records who did what, and when.

Pretix's `order.log_action(...)` and Zulip's `RealmAuditLog` are the models: the service that writes also records,
inside the same transaction, so a rolled-back write leaves no entry and a committed one always has one.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from ..models import Assessment, AuditEntry, Organisation

DETAIL_MAX = 500


def audit_record(
    *,
    by: User | None,
    action: str,
    organisation: Organisation | None = None,
    assessment: Assessment | None = None,
    detail: str = "",
) -> AuditEntry:
    """Record one write. `action` is a short code ("assessment.submit"); `detail` is a short plain-text note.

    The organisation defaults to the assessment's. The e-mail is copied so the entry still names the person after
    the account is deleted (the foreign key is then cleared).
    """
    organisation_id = organisation.pk if organisation is not None else None
    if organisation_id is None and assessment is not None:
        organisation_id = assessment.organisation_id
    user = by if by is not None and by.is_authenticated else None
    return AuditEntry.objects.create(
        user=user,
        user_email=(user.email if user is not None else "")[:254],
        organisation_id=organisation_id,
        assessment_id=assessment.pk if assessment is not None else None,
        action=action[:40],
        detail=detail[:DETAIL_MAX],
    )
