"""Uploads are judged by decoding them, never by their names: every refusal names the file, says why, and
costs the officer nothing else they entered."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from govcases import uploads
from govcases.models import CaseAttachment, CaseImage
from govcases.services import (
    Refused,
    case_attachment_add,
    case_image_add,
    case_image_move,
    case_image_remove,
    case_submit,
)
from tests import factories

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims another size (a decompression bomb's calling card)."""
    data = bytearray(factories.png_bytes(1, 1))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def jpeg_with_gps(width=60, height=40, orientation=None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 17.0)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def read_stored(field_file) -> bytes:
    with field_file.open("rb") as opened:
        return opened.read()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (what, file, the words of the refusal in English)
REFUSED_IMAGES = [
    (
        "text named .png",
        upload("办事大厅照片.png", "这不是图片".encode()),
        "is not a picture this site accepts",
    ),
    (
        "truncated PNG",
        upload("cut.png", factories.png_bytes(400, 300)[:-200]),
        "could not be read as an image",
    ),
    ("decompression bomb", upload("bomb.png", png_declaring(30000, 30000)), "has too many pixels"),
    ("over the pixel limit", upload("big.png", png_declaring(8000, 6000)), "has too many pixels"),
    ("SVG with a script", upload("logo.svg", SVG, "image/svg+xml"), "is not a picture this site accepts"),
    ("SVG named .png", upload("logo.png", SVG), "is not a picture this site accepts"),
    ("HTML named .jpg", upload("photo.jpg", HTML, "image/jpeg"), "is not a picture this site accepts"),
    (
        "GIF",
        upload("anim.gif", factories.png_bytes(fmt="GIF"), "image/gif"),
        "is not a picture this site accepts",
    ),
]


@pytest.fixture
def draft(round_, officer):
    return factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, images=0)


@pytest.mark.parametrize("what, file, words", REFUSED_IMAGES, ids=[what for what, *_ in REFUSED_IMAGES])
def test_refused_images_name_the_file_and_say_why(settings, what, file, words):
    with pytest.raises(ValidationError) as refused:
        uploads.image_clean(file)
    message = refused.value.messages[0]
    assert file.name in message
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        file.seek(0)
        uploads.image_clean(file)
    assert words in refused.value.messages[0]


def test_an_oversized_image_is_refused_before_decoding(settings):
    settings.GOVCASES_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        uploads.image_clean(upload("huge.png", factories.png_bytes(300, 300) + b"\0" * 2000))
    assert refused.value.code == "too_large" and "huge.png" in refused.value.messages[0]


@pytest.mark.parametrize(
    "what, file",
    [
        ("a picture named .pdf", upload("report.pdf", factories.png_bytes(), "application/pdf")),
        ("no end marker", upload("cut.pdf", PDF[:-7], "application/pdf")),
        ("HTML named .pdf", upload("page.pdf", HTML, "application/pdf")),
    ],
)
def test_a_pdf_that_is_not_a_pdf_is_refused(what, file):
    with pytest.raises(ValidationError) as refused:
        uploads.pdf_clean(file)
    assert refused.value.code == "not_a_pdf" and file.name in refused.value.messages[0]


def test_an_oversized_pdf_is_refused(settings):
    settings.GOVCASES_PDF_MAX_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        uploads.pdf_clean(upload("big.pdf", PDF + b"%" * 200 + b"\n%%EOF", "application/pdf"))
    assert refused.value.code == "too_large"


@pytest.mark.parametrize(
    "given, shown",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\报告.pdf", "报告.pdf"),
        ("evil\x00name\r\n.pdf", "evilname.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("notes", "notes.pdf"),
    ],
)
def test_pdf_names_are_kept_only_as_safe_display_names(draft, officer, given, shown):
    attachment = case_attachment_add(case=draft, by=officer, upload=upload(given, PDF, "application/pdf"))
    assert attachment.name == shown
    assert attachment.file.name.startswith("cases/attachments/") and attachment.file.name.endswith(".pdf")
    assert ".." not in attachment.file.name and shown not in attachment.file.name
    assert read_stored(attachment.file) == PDF and attachment.size == len(PDF)


def test_gps_and_other_exif_are_stripped_and_orientation_applied(draft, officer):
    original = jpeg_with_gps(60, 40, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's premise

    image = case_image_add(case=draft, by=officer, upload=upload("../../gps.jpg", original, "image/jpeg"))

    saved = read_stored(image.image)
    reopened = Image.open(io.BytesIO(saved))
    assert reopened.format == "JPEG"
    assert not reopened.getexif() and not reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in saved and b"Camera" not in saved
    # Orientation 6 (rotate 90°) is applied to the pixels before the tag is dropped: portrait now.
    assert (image.width, image.height) == reopened.size == (40, 60)
    assert image.image.name.startswith("cases/images/") and "gps" not in image.image.name


def test_a_polyglot_keeps_only_its_pixels(draft, officer):
    polyglot = factories.png_bytes() + b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    image = case_image_add(case=draft, by=officer, upload=upload("poly.png", polyglot))
    saved = read_stored(image.image)
    assert b"<script>" not in saved and b"<?php" not in saved
    assert Image.open(io.BytesIO(saved)).format == "JPEG"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_formats_are_re_encoded_with_a_thumbnail(settings, draft, officer, fmt):
    settings.GOVCASES_IMAGE_MAX_SIDE = 1000
    image = case_image_add(
        case=draft, by=officer, upload=upload(f"shot.{fmt.lower()}", factories.png_bytes(1600, 800, fmt=fmt))
    )
    assert (image.width, image.height) == (1000, 500)
    thumbnail = Image.open(io.BytesIO(read_stored(image.thumbnail)))
    assert thumbnail.format == "JPEG" and thumbnail.size == (480, 240)


def test_transparency_becomes_white(draft, officer):
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, "PNG")
    image = case_image_add(case=draft, by=officer, upload=upload("clear.png", buffer.getvalue()))
    corner = Image.open(io.BytesIO(read_stored(image.image))).convert("RGB").getpixel((10, 10))
    assert min(corner) > 250


def test_at_most_six_images(draft, officer):
    for number in range(6):
        case_image_add(case=draft, by=officer, upload=upload(f"{number}.png", factories.png_bytes()))
    with pytest.raises(Refused):
        case_image_add(case=draft, by=officer, upload=upload("seventh.png", factories.png_bytes()))
    assert draft.images.count() == 6


def test_images_are_moved_and_removed(draft, officer):
    first, second, third = (
        case_image_add(case=draft, by=officer, upload=upload(f"{n}.png", factories.png_bytes()))
        for n in range(3)
    )
    case_image_move(image=third, by=officer, offset=-1)
    assert list(draft.images.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    case_image_move(image=first, by=officer, offset=-1)  # already first: stays
    case_image_remove(image=third, by=officer)
    assert list(draft.images.values_list("pk", flat=True)) == [first.pk, second.pk]


def test_nobody_else_changes_images_or_attachments(draft, officer, other_officer, organiser):
    image = case_image_add(case=draft, by=officer, upload=upload("a.png", factories.png_bytes()))
    attachment = case_attachment_add(case=draft, by=officer, upload=upload("a.pdf", PDF, "application/pdf"))
    for stranger in [other_officer, organiser]:
        with pytest.raises(Refused):
            case_image_add(case=draft, by=stranger, upload=upload("b.png", factories.png_bytes()))
        with pytest.raises(Refused):
            case_image_remove(image=image, by=stranger)
        with pytest.raises(Refused):
            case_image_move(image=image, by=stranger, offset=1)
        with pytest.raises(Refused):
            case_attachment_add(case=draft, by=stranger, upload=upload("b.pdf", PDF, "application/pdf"))
    assert draft.images.count() == 1 and draft.attachments.get() == attachment


def test_a_submitted_case_takes_no_more_files(round_, officer):
    case = case_submit(
        case=factories.CaseFactory(round=round_, agency=officer.agency_membership.agency), by=officer
    )
    with pytest.raises(Refused):
        case_image_add(case=case, by=officer, upload=upload("late.png", factories.png_bytes()))
    with pytest.raises(Refused):
        case_image_remove(image=case.images.get(), by=officer)
    assert case.images.count() == 1


# Through the form: a refused file costs nothing else.


@pytest.mark.parametrize("what, file, words", REFUSED_IMAGES, ids=[what for what, *_ in REFUSED_IMAGES])
def test_a_refused_image_in_the_form_keeps_the_text_and_the_valid_files(
    client, draft, officer, what, file, words
):
    file.seek(0)
    client.force_login(officer)
    good = upload("good.png", factories.png_bytes())
    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]),
        {"title": "新的标题", "summary": "新的摘要", "images": [good, file], "action": "save"},
        **EN,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and file.name in page and words in page
    assert "新的标题" in page and "新的摘要" in page
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("新的标题", "新的摘要")
    assert draft.images.count() == 1  # the good one


def test_a_refused_pdf_in_the_new_case_form_keeps_the_text(client, round_, officer):
    client.force_login(officer)
    response = client.post(
        reverse("portal:case_new"),
        {
            "title": "带附件的案例",
            "attachments": [upload("fake.pdf", HTML, "application/pdf")],
            "action": "save",
        },
        **EN,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "fake.pdf" in page and "is not a PDF document" in page and "带附件的案例" in page
    case = response.context["case"]
    assert case.title == "带附件的案例" and not CaseAttachment.objects.exists()
    # The form now saves into the draft it created, not into a second new case.
    assert f'action="{reverse("portal:case_edit", args=[case.pk])}"' in page


def test_images_are_reordered_and_removed_through_the_form_without_losing_text(client, draft, officer):
    images = [
        case_image_add(case=draft, by=officer, upload=upload(f"{n}.png", factories.png_bytes()))
        for n in range(3)
    ]
    client.force_login(officer)
    url = reverse("portal:case_edit", args=[draft.pk])

    client.post(url, {"title": "移动时输入的标题", "image_down": images[0].pk})
    assert list(draft.images.values_list("pk", flat=True)) == [images[1].pk, images[0].pk, images[2].pk]
    client.post(url, {"title": "移动时输入的标题", "image_remove": images[2].pk})
    assert list(CaseImage.objects.filter(case=draft).values_list("pk", flat=True)) == [
        images[1].pk,
        images[0].pk,
    ]
    draft.refresh_from_db()
    assert draft.title == "移动时输入的标题"


def test_another_cases_image_cannot_be_removed_through_the_form(
    client, round_, draft, officer, other_officer
):
    theirs = factories.CaseFactory(round=round_, agency=other_officer.agency_membership.agency)
    client.force_login(officer)
    response = client.post(
        reverse("portal:case_edit", args=[draft.pk]), {"image_remove": theirs.images.get().pk}
    )
    assert response.status_code == 404
    assert theirs.images.count() == 1


# Whatever bytes arrive, the answer is a clean image or a refusal that names the file, never a server error.

SEEDS = {
    "PNG": factories.png_bytes(40, 30),
    "JPEG": jpeg_with_gps(40, 30, orientation=6),
    "WEBP": factories.png_bytes(40, 30, fmt="WEBP"),
}


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=1)),
)
def test_damaged_images_are_refused_never_crash(seed, flips, cut):
    data = bytearray(SEEDS[seed])
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    try:
        clean = uploads.image_clean(upload("损坏.img", bytes(data)))
    except ValidationError as refused:
        assert "损坏.img" in refused.messages[0]
    else:
        assert Image.open(io.BytesIO(clean.image.read())).format == "JPEG"
