"""Printable PDF documents of cases: the public booklet of a publication (优秀案例集, /results/<year>.pdf)
and, for the organisers, a panel's dossier of the cases it reviews, for an offline meeting.

Rendered by WeasyPrint from a Django template, with the Chinese font embedded (fontconfig finds the system's
CJK font: Debian's fonts-wqy-microhei or fonts-noto-cjk). A publication never changes, so its booklet is
built once per version and language and kept in the default storage, shared by every app server.
"""

import base64
import io
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext

from .enums import CaseStatus
from .models import Case, Category, Publication, Round, level_order
from .selectors import publication_groups

logger = logging.getLogger(__name__)

BOOKLET_FOLDER = "booklets"
# Enough for a picture half a page wide at print quality, small enough to keep a 50-case booklet light.
IMAGE_MAX_SIDE = 1000
IMAGE_QUALITY = 80


@dataclass
class BookletCase:
    title: str
    agency: str
    level: str
    province: str
    summary: str
    outcomes: str
    image: str  # a data: URI, or "" when the case has no image (or its file cannot be read)
    caption: str


@dataclass
class BookletSection:
    anchor: str
    name: str
    cases: list[BookletCase]


def image_data_uri(name: str) -> str:
    """The stored image, scaled down and re-encoded as JPEG, inline: WeasyPrint is given no way to fetch."""
    from PIL import Image

    try:
        with default_storage.open(name) as file, Image.open(file) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=IMAGE_QUALITY)
    except (OSError, ValueError):
        # A missing or broken file loses the picture, not the whole booklet.
        logger.warning("booklet: image %s could not be read", name)
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _weasyprint():
    """WeasyPrint, imported on first use (a slow import, paid only by the requests that print).

    Importing it switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let truncated uploads
    through govcases.uploads in the same process: it is switched back off. The booklet needs no such
    leniency, as its pictures are re-encoded by Pillow first (image_data_uri).
    """
    from PIL import ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint

    ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return weasyprint


def pdf_from_html(html: str) -> bytes:
    """The PDF of a rendered page. Only inline (data:) resources are allowed: nothing is fetched."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(
        string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols={"data"})
    ).write_pdf()


def document_pdf(*, template: str, title: str, subtitle: str, sections: list[BookletSection]) -> bytes:
    """A booklet of cases: a cover with `title` and `subtitle`, contents by section, a page per case."""
    html = render_to_string(
        template,
        {
            "title": title,
            "subtitle": subtitle,
            "sections": sections,
            "case_count": sum(len(section.cases) for section in sections),
            "printed_at": timezone.localtime(),
        },
    )
    return pdf_from_html(html)


def _published_sections(publication: Publication) -> list[BookletSection]:
    sections = []
    for group in publication_groups(publication=publication):
        category = group.category
        name = category.name_en if get_language() == "en" and category.name_en else category.name
        cases = [
            BookletCase(
                title=case.title,
                agency=case.agency_name,
                level=case.get_level_display(),
                province=case.get_province_display() if case.province else "",
                summary=case.summary,
                outcomes=case.outcomes,
                image=image_data_uri(case.images[0]["image"]) if case.images else "",
                caption=case.images[0].get("caption", "") if case.images else "",
            )
            for case in group.cases
        ]
        if cases:
            sections.append(BookletSection(anchor=f"category-{category.code}", name=name, cases=cases))
    return sections


def booklet_name(publication: Publication) -> str:
    stamp = int(publication.published_at.timestamp())
    return f"{BOOKLET_FOLDER}/{publication.round.year}-v{publication.version}-{stamp}-{get_language()}.pdf"


def booklet_build(*, publication: Publication) -> bytes:
    return document_pdf(
        template="govcases/public/booklet.html",
        title=publication.round.title,
        # Translators: the booklet's subtitle, as the report's 优秀案例集
        subtitle=gettext("Selected cases"),
        sections=_published_sections(publication),
    )


def booklet_pdf(*, publication: Publication) -> bytes:
    """The publication's booklet in the active language: from the storage, or built and stored once."""
    name = booklet_name(publication)
    if default_storage.exists(name):
        with default_storage.open(name) as stored:
            return stored.read()
    content = booklet_build(publication=publication)
    if not default_storage.exists(name):  # another server may have built it meanwhile
        default_storage.save(name, ContentFile(content))
    return content


def panel_cases(*, round: Round, category: Category) -> list[Case]:
    """The cases a category's panel reviews: those of the round in review in that category, in report order
    (level, then Hanyu Pinyin of the agency). Two queries, whatever their number."""
    return list(
        Case.objects.filter(round=round, category=category, status=CaseStatus.IN_REVIEW)
        .select_related("agency")
        .prefetch_related("images")
        .alias(level_rank=level_order("agency__level"))
        .order_by("level_rank", "agency__pinyin", "pk")
    )


def panel_dossier_pdf(*, round: Round, category: Category) -> bytes:
    """A panel's dossier: built on each request, since the cases may still change until publication."""
    cases = []
    for case in panel_cases(round=round, category=category):
        first_image = next(iter(case.images.all()), None)
        cases.append(
            BookletCase(
                title=f"{case.reference} {case.title}".strip(),
                agency=case.agency.display_name,
                level=case.agency.get_level_display(),
                province=case.agency.get_province_display() if case.agency.province else "",
                summary=case.summary,
                outcomes=case.outcomes,
                image=image_data_uri(first_image.image.name) if first_image else "",
                caption=first_image.caption if first_image else "",
            )
        )
    name = category.name_en if get_language() == "en" and category.name_en else category.name
    return document_pdf(
        template="govcases/public/booklet.html",
        title=round.title,
        # Translators: the subtitle of the dossier printed for a category's review panel
        subtitle=gettext("Review dossier: %(category)s") % {"category": name},
        sections=[BookletSection(anchor=f"category-{category.code}", name=name, cases=cases)]
        if cases
        else [],
    )
