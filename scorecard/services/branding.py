"""Consultancy branding for report covers: a logo, validated before it is stored."""

from __future__ import annotations

import base64
import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from ..models import Branding, Organisation

ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_SIDE = 2000
MIN_SIDE = 16


def validate_logo(data: bytes) -> str:
    """The logo's MIME type; ValidationError when it is not a PNG or JPEG of sensible size and dimensions."""
    if len(data) > settings.REPORT_MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is larger than %(kb)s KB.") % {"kb": settings.REPORT_MAX_LOGO_BYTES // 1024})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # detects truncated or corrupt files
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("The logo is not a readable PNG or JPEG image.")) from exc
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("The logo must be a PNG or JPEG image, not %(fmt)s.") % {"fmt": fmt})
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationError(
            _("The logo must be between %(min)s and %(max)s pixels on each side; it is %(w)s×%(h)s.")
            % {"min": MIN_SIDE, "max": MAX_SIDE, "w": width, "h": height}
        )
    return ALLOWED_FORMATS[fmt]


@transaction.atomic
def branding_set_logo(*, organisation: Organisation, data: bytes) -> Branding:
    content_type = validate_logo(data)
    branding, _created = Branding.objects.update_or_create(
        organisation=organisation,
        defaults={"logo": data, "logo_type": content_type, "logo_sha256": hashlib.sha256(data).hexdigest()},
    )
    return branding


def logo_data_uri(branding: Branding) -> str:
    return f"data:{branding.logo_type};base64,{base64.b64encode(bytes(branding.logo)).decode()}"
