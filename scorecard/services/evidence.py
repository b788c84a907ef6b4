"""Writes for the evidence library (docs/evidence.md). PLACEHOLDER."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile

from ..models import EvidenceFile, Organisation


def evidence_upload(
    *, organisation: Organisation, by: User, role: str | None, uploaded_file: UploadedFile, description: str = ""
) -> EvidenceFile:
    """Check and store one uploaded file in the organisation's library. Raises ValidationError with a message for
    the user (too large, a type not accepted) and stores nothing then. PLACEHOLDER."""
    raise NotImplementedError
