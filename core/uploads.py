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


# ---------------------------------------------------------------- scanned documents: a PDF or a photo

DOCUMENT_PDF_MAX_BYTES = getattr(settings, "UPLOAD_PDF_MAX_BYTES", 20 * 1024 * 1024)
# Active content a scanned letter never needs (scripts, launch actions, embedded files).
PDF_ACTIVE_MARKERS = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


def validate_document(file: UploadedFile) -> str:
    """A scanned document (扫描件): a real PDF without active content, or a real photo (validate_image).

    Returns the true extension ("pdf", or jpg/png/webp/gif) so the stored file is named by what it is;
    raises a Chinese ValidationError naming the file otherwise.
    """
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-":
        _check_pdf(file)
        return "pdf"
    try:
        return validate_image(file)
    except ValidationError as exc:
        if exc.code in ("not_image", "bad_format"):
            raise ValidationError(
                _("“%(name)s”不是有效的 PDF 或图片文件：只能上传 PDF 或 JPG、PNG、WEBP、GIF 扫描件。")
                % {"name": file.name},
                code="bad_document",
            ) from exc
        raise


def _check_pdf(file: UploadedFile) -> None:
    name, limit = file.name, DOCUMENT_PDF_MAX_BYTES
    too_large = ValidationError(
        _("文件“%(name)s”超过 %(mb)s MB。") % {"name": name, "mb": f"{limit / 1024 / 1024:g}"},
        code="too_large",
    )
    if file.size is not None and file.size > limit:
        raise too_large
    try:
        content = file.read(limit + 1)
    finally:
        file.seek(0)
    if len(content) > limit:
        raise too_large
    if b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("“%(name)s”不是完整的 PDF 文件。") % {"name": name}, code="bad_pdf")
    if any(marker in content for marker in PDF_ACTIVE_MARKERS):
        raise ValidationError(
            _("“%(name)s”含有脚本或嵌入文件，不能上传；请另存为普通 PDF 后再上传。") % {"name": name},
            code="active_pdf",
        )
