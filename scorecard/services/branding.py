"""Consultancy branding for report covers: a logo, validated before it is stored."""

from __future__ import annotations

import base64
import hashlib
import io
import warnings

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from ..models import Branding, Organisation
from ..permissions import organisation_access
from .audit import audit_record
from .errors import NotAllowed, ServiceError

ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_SIDE = 2000
MIN_SIDE = 16


def validate_logo(data: bytes) -> str:
    """The logo's MIME type; ValidationError when it is not a PNG or JPEG of sensible size and dimensions."""
    if len(data) > settings.REPORT_MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is larger than %(kb)s KB.") % {"kb": settings.REPORT_MAX_LOGO_BYTES // 1024})
    try:
        # The size is read from the header before any pixel is decoded: a small file may declare a huge image
        # (a decompression bomb), which Pillow refuses with an error or a warning that counts as one here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                _check_dimensions(fmt, width, height)
                image.verify()  # detects truncated or corrupt files
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The logo declares an image far too large to open. Use one of at most %(max)s pixels on each side.")
            % {"max": MAX_SIDE}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The logo is not a readable PNG or JPEG image.")) from exc
    return ALLOWED_FORMATS[str(fmt)]


def _check_dimensions(fmt: str | None, width: int, height: int) -> None:
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("The logo must be a PNG or JPEG image, not %(fmt)s.") % {"fmt": fmt})
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationError(
            _("The logo must be between %(min)s and %(max)s pixels on each side; it is %(w)s×%(h)s.")
            % {"min": MIN_SIDE, "max": MAX_SIDE, "w": width, "h": height}
        )


@transaction.atomic
def branding_set_logo(*, organisation: Organisation, data: bytes, by: User) -> Branding:
    """Set a consultancy's report logo: for its own owners. ValidationError when the file is not a usable logo."""
    if not organisation.is_consultancy:
        raise ServiceError(_("Report branding is for consultancies."))
    if not organisation_access(by, organisation).may_brand:
        raise NotAllowed(_("Only the consultancy's owners can change its report branding."))
    content_type = validate_logo(data)
    branding, _created = Branding.objects.update_or_create(
        organisation=organisation,
        defaults={"logo": data, "logo_type": content_type, "logo_sha256": hashlib.sha256(data).hexdigest()},
    )
    audit_record(by=by, action="branding.logo", organisation=organisation)
    return branding


def logo_data_uri(branding: Branding) -> str:
    return f"data:{branding.logo_type};base64,{base64.b64encode(bytes(branding.logo)).decode()}"
