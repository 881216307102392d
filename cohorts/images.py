"""Check-in proof images: validated, size-limited, resized and stripped of metadata (location included)."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from stagewise.errors import Invalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1600
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


def _pixels_only(image: Image.Image, *, icc_profile: bytes | None) -> Image.Image:
    """``image`` with no metadata left for an encoder to write: Pillow's encoders copy some of it from ``info``
    (a JPEG's or GIF's comment into the JPEG comment field, the ICC profile into the PNG). Colours described by an
    ICC profile are converted to sRGB first, which is what a browser assumes of an image without one."""
    if icc_profile:
        try:
            converted = ImageCms.profileToProfile(
                image, io.BytesIO(icc_profile), ImageCms.createProfile("sRGB"), outputMode=image.mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a profile we can't read: keep the pixels as they are
        if converted is not None:
            image = converted
    image.info = {}
    return image


def checkin_image_prepare(*, upload: UploadedFile) -> ContentFile:
    """A re-encoded copy of ``upload``: at most 1600 px on its long side, JPEG or PNG, with no metadata at all
    (EXIF, GPS, XMP, comments, text chunks, ICC profile)."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise Invalid(
            _("The image is too large (at most 10 MB)."), code="image_too_large", extra={"max_bytes": MAX_UPLOAD_BYTES}
        )
    upload.seek(0)  # it may have been read once already (a retried save)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise Invalid(_("Upload a JPEG, PNG, WebP or GIF image."), code="image_format")
            if probe.width * probe.height > MAX_PIXELS:
                raise Invalid(_("The image has too many pixels."), code="image_too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            # Apply the camera's orientation, then keep nothing but the pixels (see _pixels_only).
            image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            pixels = _pixels_only(
                image.convert("RGBA" if has_alpha else "RGB"), icc_profile=opened.info.get("icc_profile")
            )
            out = io.BytesIO()
            if has_alpha:
                pixels.save(out, format="PNG", optimize=True)
                ext = "png"
            else:
                pixels.save(out, format="JPEG", quality=85, optimize=True)
                ext = "jpg"
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid(_("This file is not an image we can read."), code="image_invalid") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")
