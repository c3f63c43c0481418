"""core.uploads.validate_document: a scanned document is a real PDF without active content or a real
photo, checked by content; the answer is the true extension."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import validate_document

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_pdf_and_a_photo_pass_by_content_whatever_their_name():
    assert validate_document(upload("scan.jpg", PDF)) == "pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "JPEG")
    assert validate_document(upload("scan.pdf", buffer.getvalue())) == "jpg"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an exe", "不是有效的 PDF 或图片文件"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不是完整的 PDF 文件"),
        (PDF.replace(b"/Catalog", b"/Catalog/OpenAction<</S/JavaScript/JS(x)>>"), "含有脚本或嵌入文件"),
        (PDF.replace(b"/Catalog", b"/Catalog/Names<</EmbeddedFiles 2 0 R>>"), "含有脚本或嵌入文件"),
    ],
)
def test_anything_else_is_refused_in_chinese_naming_the_file(content, message):
    with pytest.raises(ValidationError) as exc:
        validate_document(upload("责任书.pdf", content))
    assert message in exc.value.messages[0] and "责任书.pdf" in exc.value.messages[0]


def test_an_oversized_pdf_is_refused(settings, monkeypatch):
    monkeypatch.setattr("core.uploads.DOCUMENT_PDF_MAX_BYTES", 50)
    with pytest.raises(ValidationError) as exc:
        validate_document(upload("big.pdf", PDF + b" " * 100))
    assert exc.value.code == "too_large"
