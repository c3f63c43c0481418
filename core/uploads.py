"""Photo uploads shared by every app: images only, checked by content, size-limited.

A renamed .exe with a .jpg name must not get in, so the file is opened with Pillow and its real
format decides; the extension alone proves nothing.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def photo_extension(filename: str) -> str:
    """The extension a stored photo's name may carry: one of ours (jpg/png/webp/gif), whatever was sent.

    Services name the file by the format validate_image found; this keeps an upload_to safe even if a
    name from elsewhere ("x.php", "a./../../b") reached it.
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in ALLOWED_IMAGE_FORMATS.values() else "jpg"


def validate_image(file: UploadedFile) -> str:
    """Raise a Chinese ValidationError unless `file` is a real image within the size limit.

    Returns the file's true extension (jpg/png/webp/gif) so callers can name the stored file by
    what it is rather than by what the browser claimed.
    """
    limit = settings.UPLOAD_IMAGE_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("照片“%(name)s”超过 %(mb)s MB，请压缩后再上传。")
            % {"name": file.name, "mb": f"{limit / 1024 / 1024:g}"},
            code="too_large",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            # Open reads the header only: refuse on the declared size before anything is decoded.
            _check_pixels(file.name, *image.size)
            image.verify()
            image_format = image.format
    except Image.DecompressionBombError as exc:
        # Over twice Image.MAX_IMAGE_PIXELS (set from the same setting) Pillow refuses in open() itself.
        raise _too_many_pixels(file.name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“%(name)s”不是有效的图片文件，只能上传 JPG、PNG、WEBP 或 GIF 照片。") % {"name": file.name},
            code="not_image",
        ) from exc
    finally:
        file.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("“%(name)s”的格式 %(fmt)s 不受支持，只能上传 JPG、PNG、WEBP 或 GIF 照片。")
            % {"name": file.name, "fmt": image_format},
            code="bad_format",
        )
    return ALLOWED_IMAGE_FORMATS[image_format]


def _check_pixels(name: str, width: int, height: int) -> None:
    """A 140 KB PNG can declare 12000×12000: 144 million pixels, over 400 MB once decoded (a PDF, a thumbnail)."""
    if width * height > settings.UPLOAD_IMAGE_MAX_PIXELS:
        raise _too_many_pixels(name)


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("照片“%(name)s”的像素过多（上限 %(mp)s 万像素），请缩小后再上传。")
        % {"name": name, "mp": f"{settings.UPLOAD_IMAGE_MAX_PIXELS / 10_000:g}"},
        code="too_many_pixels",
    )
