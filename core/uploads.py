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
            image.verify()
            image_format = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        # A few KB can declare a 20000×20000 image (a decompression bomb): refused like any non-image.
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
