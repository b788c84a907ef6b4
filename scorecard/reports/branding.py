"""Who a report is prepared by, and with which logo."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from ..models import Assessment, Branding
from ..selectors import consultancies_for
from ..services.branding import logo_data_uri


def prepared_by(user: User, assessment: Assessment) -> dict[str, Any]:
    """Who the report is prepared by: the user's consultancy when they reach the client through a grant."""
    consultancy = (
        consultancies_for(user)
        .filter(grants_received__client=assessment.organisation, grants_received__revoked_at__isnull=True)
        .first()
        if not assessment.organisation.memberships.filter(user=user).exists()
        else None
    )
    branding = Branding.objects.filter(organisation=consultancy).first() if consultancy else None
    name = consultancy.name if consultancy else assessment.organisation.name
    return {
        "prepared_by": name,
        "prepared_by_person": user.get_username(),
        "logo": logo_data_uri(branding) if branding else None,
        # The cover names the person and the organisation preparing it (which can be renamed), so the cache
        # key includes them as well as the logo.
        "branding_digest": ":".join(
            [str(user.pk), str(consultancy.pk) if consultancy else "", name, branding.logo_sha256 if branding else ""]
        ),
    }
