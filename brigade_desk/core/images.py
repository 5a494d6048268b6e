"""Photos: a small JPEG thumbnail and the capture time from EXIF, never failing on a bad file.

Pillow decodes untrusted files from cameras, phones and scanners. A file it cannot read (truncated,
corrupt, an unsupported format such as HEIC, a decompression bomb) gives no thumbnail and a warning
in Chinese; it never stops the evidence from being filed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

from brigade_desk.core.timeutil import BEIJING

log = logging.getLogger(__name__)

THUMBNAIL_PX = 256
# Formats without a reduced decode (PNG, TIFF …) are decoded whole: above this many pixels (about
# 180 MB of RGB) no thumbnail is made rather than use that much memory.
MAX_FULL_DECODE_PIXELS = 60_000_000

_EXIF_TIME = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class ImageFacts:
    thumbnail_jpeg: bytes | None = None
    captured_at: datetime | None = None  # aware, UTC
    width: int = 0
    height: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _offset(text: object) -> timezone | None:
    """An EXIF OffsetTime value such as "+08:00"."""
    if not isinstance(text, str) or len(text.strip()) != 6 or text.strip()[3] != ":":
        return None
    value = text.strip()
    try:
        sign = -1 if value[0] == "-" else 1
        hours, minutes = int(value[1:3]), int(value[4:6])
    except ValueError:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_exif_time(value: object, offset: object = None) -> datetime | None:
    """EXIF "2025:09:23 10:15:00" as an aware UTC time. Cameras write local time without a zone;
    with no OffsetTimeOriginal it is taken as Beijing time (the device is set to local time)."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    text = value.strip().rstrip("\x00").strip()
    try:
        local = datetime.strptime(text[:19], _EXIF_TIME)
    except ValueError:
        return None
    zone = _offset(offset) or BEIJING
    return local.replace(tzinfo=zone).astimezone(UTC)


def _capture_time(image: Image.Image) -> tuple[datetime | None, str]:
    try:
        exif = image.getexif()
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        raw = sub.get(ExifTags.Base.DateTimeOriginal)
        if raw is None:
            return None, ""
        when = parse_exif_time(raw, sub.get(ExifTags.Base.OffsetTimeOriginal))
        return when, "" if when else f"照片的拍摄时间无法识别（EXIF：{raw!s:.40}）"
    except Exception as exc:  # a malformed EXIF block must not lose the picture
        log.info("EXIF unreadable: %s", exc)
        return None, "照片的 EXIF 信息无法读取，未取得拍摄时间"


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def inspect_image(path: Path, max_px: int = THUMBNAIL_PX) -> ImageFacts:
    """Thumbnail (JPEG, longest side ≤ `max_px`, turned upright by the EXIF orientation) and capture
    time of a picture file. JPEGs are decoded at a reduced scale (`Image.draft`), so a 50-megapixel
    photo costs a few megabytes."""
    warnings: list[str] = []
    captured_at: datetime | None = None
    width = height = 0
    try:
        with Image.open(path) as image:
            width, height = image.size
            captured_at, problem = _capture_time(image)
            if problem:
                warnings.append(problem)
            if image.format != "JPEG" and width * height > MAX_FULL_DECODE_PIXELS:
                warnings.append(f"图片过大（{width}×{height}），未生成缩略图")
                return ImageFacts(None, captured_at, width, height, tuple(warnings))
            image.draft("RGB", (max_px, max_px))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((max_px, max_px))
            small = _to_rgb(upright)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=82)
            return ImageFacts(out.getvalue(), captured_at, width, height, tuple(warnings))
    except Exception as exc:  # Pillow raises many types on bad input (OSError, SyntaxError, ValueError …)
        log.info("no thumbnail for %s: %s: %s", path.name, type(exc).__name__, exc)
        warnings.append("图片无法解码（文件可能已损坏或格式不受支持），未生成缩略图")
        return ImageFacts(None, captured_at, width, height, tuple(warnings))
