"""Generated pictures for the demo cases: a coloured banner with the category and a short title.

Chinese text needs a CJK font; where none is installed the banners carry shapes only, so that the demo
still builds on any machine.
"""

import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (960, 540)
# As wide as the thumbnails the upload service makes (govcases.uploads.THUMBNAIL_WIDTH).
THUMBNAIL_SIZE = (480, 270)
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]

# One palette per category code: background, accent.
PALETTES = {
    "disclosure": ((24, 78, 140), (64, 140, 210)),
    "service": ((176, 38, 44), (230, 110, 90)),
    "interaction": ((22, 120, 96), (80, 190, 150)),
    "platform": ((92, 58, 150), (150, 120, 210)),
}
DEFAULT_PALETTE = ((70, 70, 70), (140, 140, 140))


@cache
def font(size: int) -> ImageFont.FreeTypeFont | None:
    for path in FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return None


def _wrap(text: str, width: int) -> list[str]:
    return [text[start : start + width] for start in range(0, len(text), width)][:3]


def banner(*, category_code: str, category_name: str, title: str, seed: int) -> Image.Image:
    rng = random.Random(seed)
    background, accent = PALETTES.get(category_code, DEFAULT_PALETTE)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    # A few translucent-looking discs and bars so that banners of one category still differ.
    for _ in range(6):
        x, y, r = rng.randrange(0, SIZE[0]), rng.randrange(SIZE[1] * 3 // 4, SIZE[1]), rng.randrange(50, 130)
        shade = tuple(min(255, channel + rng.randrange(0, 40)) for channel in accent)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
    draw.rectangle((0, SIZE[1] - 28, SIZE[0], SIZE[1]), fill=accent)
    heading, body = font(40), font(52)
    if heading and body:
        draw.text((60, 50), category_name, font=heading, fill=(255, 255, 255))
        for line_number, line in enumerate(_wrap(title, 15)):
            draw.text((60, 130 + line_number * 70), line, font=body, fill=(255, 255, 255))
    else:
        draw.rectangle((60, 50, 60 + 40 * len(category_name), 95), fill=accent)
        for line_number in range(min(3, 1 + len(title) // 15)):
            draw.rectangle(
                (60, 135 + line_number * 70, 840 - line_number * 120, 180 + line_number * 70), fill=accent
            )
    return image


def jpeg_pair(image: Image.Image) -> tuple[bytes, bytes]:
    """The picture and its thumbnail, as JPEG bytes."""
    full, small = io.BytesIO(), io.BytesIO()
    image.save(full, "JPEG", quality=80)
    # Halving with reduce() is several times faster than a general resize and looks the same here.
    image.reduce(SIZE[0] // THUMBNAIL_SIZE[0]).save(small, "JPEG", quality=80)
    return full.getvalue(), small.getvalue()
