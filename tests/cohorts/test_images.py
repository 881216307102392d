"""Check-in proof images: every piece of metadata is gone from the stored copy, whatever the upload carried."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from cohorts.images import checkin_image_prepare

SECRET = "Home: 12 Secret Lane"  # what a phone or an editor may write into a file's metadata
XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>'.encode()
# Keys Pillow reads back that describe the format itself (JFIF header, PNG gamma), not the picture or its taker.
FORMAT_ONLY = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression", "gamma"}


def _icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _upload(image: Image.Image, fmt: str, name: str, **params: object) -> SimpleUploadedFile:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return SimpleUploadedFile(name, buf.getvalue())


def _jpeg() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # camera model
    exif[0x8825] = {1: "N", 2: (31.0, 13.0, 0.0)}  # GPS IFD: latitude
    image = Image.new("RGB", (40, 30), (200, 80, 40))
    return _upload(
        image, "JPEG", "photo.jpg", exif=exif, comment=SECRET, xmp=XMP, icc_profile=_icc_profile(), dpi=(300, 300)
    )


def _png_with_alpha() -> SimpleUploadedFile:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRET)
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    image = Image.new("RGBA", (40, 30), (200, 80, 40, 128))
    return _upload(image, "PNG", "shot.png", pnginfo=text, icc_profile=_icc_profile())


def _gif() -> SimpleUploadedFile:
    return _upload(Image.new("P", (40, 30)), "GIF", "anim.gif", comment=SECRET)


def _webp() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x0110] = "Phone X"
    return _upload(
        Image.new("RGB", (40, 30), (1, 2, 3)), "WEBP", "x.webp", exif=exif, xmp=XMP, icc_profile=_icc_profile()
    )


@pytest.mark.parametrize("upload", [_jpeg, _png_with_alpha, _gif, _webp], ids=["jpeg", "png", "gif", "webp"])
def test_the_stored_image_keeps_no_metadata(upload):
    prepared = checkin_image_prepare(upload=upload()).read()

    assert SECRET.encode() not in prepared and b"Phone X" not in prepared
    with Image.open(io.BytesIO(prepared)) as stored:
        stored.load()
        assert set(stored.info) <= FORMAT_ONLY, stored.info
        assert not stored.getexif()
        assert stored.format in ("JPEG", "PNG")


def test_the_pixels_and_the_orientation_survive():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: the camera's orientation is applied to the pixels, then dropped
    prepared = checkin_image_prepare(
        upload=_upload(Image.new("RGB", (40, 30), (200, 80, 40)), "JPEG", "p.jpg", exif=exif)
    )
    with Image.open(prepared) as stored:
        assert stored.size == (30, 40)
        red, green, blue = stored.getpixel((15, 20))
        assert abs(red - 200) < 8 and abs(green - 80) < 8 and abs(blue - 40) < 8


def test_an_unreadable_colour_profile_is_dropped_not_refused():
    upload = _upload(Image.new("RGB", (40, 30), (200, 80, 40)), "JPEG", "p.jpg", icc_profile=b"not a profile")
    with Image.open(checkin_image_prepare(upload=upload)) as stored:
        assert "icc_profile" not in stored.info
