"""Checks and cleans the files agencies upload.

An image is trusted only after Pillow has decoded it completely; its name and declared content type are
never consulted. A clean copy is re-encoded from the pixels alone, so nothing else the file carried
(EXIF and GPS positions, comments, appended scripts of a polyglot) survives. PDF files cannot be cleaned
here; they are checked for their signature, limited in size and stored under a generated name.

Storing is all or nothing: when the disk is full or read-only, whatever was written (a truncated file
included) is removed and the upload is refused with a message, so that no file is left without its row.
"""

import io
import logging
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .models import upload_name

ALLOWED_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
THUMBNAIL_WIDTH = 480
JPEG_QUALITY = 85
logger = logging.getLogger(__name__)
PDF_TAIL = 1024  # %%EOF must appear within the last kilobyte (writers may add a newline or two after it)
DISPLAY_NAME_LENGTH = 120


@dataclass(frozen=True)
class CleanImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


@dataclass(frozen=True)
class CleanPdf:
    file: ContentFile
    name: str
    size: int


def display_name(name: str | None) -> str:
    """The user's file name made safe to show: its last path component, without control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:DISPLAY_NAME_LENGTH] or _("unnamed file")


def _read_limited(upload, limit: int, name: str) -> bytes:
    too_big = _("“%(name)s” is too large: files of this kind may be at most %(limit)s.") % {
        "name": name,
        "limit": filesizeformat(limit),
    }
    if upload.size is not None and upload.size > limit:
        raise ValidationError(too_big, code="too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(too_big, code="too_large")
    return data


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a picture this site accepts: use a JPEG, PNG or WebP image.") % {"name": name},
        code="not_an_image",
    )


def image_clean(upload) -> CleanImage:
    """Decodes an uploaded image and returns a re-encoded JPEG and its thumbnail, or raises ValidationError."""
    name = display_name(getattr(upload, "name", ""))
    data = _read_limited(upload, settings.GOVCASES_IMAGE_MAX_BYTES, name)
    max_pixels = settings.GOVCASES_IMAGE_MAX_PIXELS
    too_many_pixels = ValidationError(
        _("“%(name)s” has too many pixels: at most %(limit)s megapixels are allowed.")
        % {"name": name, "limit": max_pixels // 1_000_000},
        code="too_many_pixels",
    )
    # LOAD_TRUNCATED_IMAGES is a process-wide switch; a truncated file must fail here whatever it says.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay off: truncated uploads would pass.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Opening reads only the header: the declared size is checked before any pixel is decoded.
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_IMAGE_FORMATS:
                    raise _not_an_image(name)
                if probe.width * probe.height > max_pixels:
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(data)) as picture:
                picture.load()
                picture = ImageOps.exif_transpose(picture)
                clean = _pixels_only(picture)
        except ValidationError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise too_many_pixels from None
        except UnidentifiedImageError:
            raise _not_an_image(name) from None
        except Exception:  # noqa: BLE001 - damaged files raise all sorts (struct.error, KeyError, …): refuse them
            raise ValidationError(
                _("“%(name)s” could not be read as an image: it may be damaged or incomplete.")
                % {"name": name},
                code="unreadable",
            ) from None
    max_side = settings.GOVCASES_IMAGE_MAX_SIDE
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 3), Image.Resampling.LANCZOS)
    return CleanImage(
        image=ContentFile(_jpeg(clean), name=upload_name("cases/images", "jpg")),
        thumbnail=ContentFile(_jpeg(thumbnail), name=upload_name("cases/thumbnails", "jpg")),
        width=clean.width,
        height=clean.height,
    )


def _pixels_only(picture: Image.Image) -> Image.Image:
    """A new RGB image holding only the pixels: transparency on white, no metadata of any kind."""
    if picture.mode in {"RGBA", "LA", "PA"} or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
        return clean
    clean = Image.new("RGB", picture.size)
    clean.paste(picture.convert("RGB"))
    return clean


def _jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def pdf_clean(upload) -> CleanPdf:
    """Checks that an upload is a PDF within the size limit and returns it under a generated name."""
    name = display_name(getattr(upload, "name", ""))
    data = _read_limited(upload, settings.GOVCASES_PDF_MAX_BYTES, name)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-PDF_TAIL:]:
        raise ValidationError(
            _("“%(name)s” is not a PDF document: attachments must be PDF files.") % {"name": name},
            code="not_a_pdf",
        )
    if not name.lower().endswith(".pdf"):
        name = f"{name[: DISPLAY_NAME_LENGTH - 4]}.pdf"
    return CleanPdf(
        file=ContentFile(data, name=upload_name("cases/attachments", "pdf")), name=name, size=len(data)
    )


def files_store(files: list[ContentFile], upload_name: str) -> list[str]:
    """Writes the files to the media storage and returns their names; if any cannot be written (the disk
    is full or read-only), removes every one of them, a partly written one included, and raises
    ValidationError naming the upload."""
    stored = []
    try:
        for file in files:
            stored.append(default_storage.save(file.name, file))
    except OSError:
        logger.exception("could not store an upload")
        # Generated names are unique, so the file that failed was being written under its own name.
        files_delete([*stored, *(file.name for file in files)])
        raise ValidationError(
            _(
                "“%(name)s” could not be stored: the server cannot save files at the moment. "
                "Add it again later; if this goes on, tell the organisers."
            )
            % {"name": display_name(upload_name)},
            code="not_stored",
        ) from None
    return stored


def files_delete(names: list[str]) -> None:
    """Removes stored files, as far as the storage lets us (a read-only disk holds none of ours anyway)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not remove %s", name)
