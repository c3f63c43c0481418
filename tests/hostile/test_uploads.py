"""Photo uploads: judged by content, within a size and a pixel limit, stored under a name of our own."""

import io
import os
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.uploads import validate_image
from hazards.choices import HazardSource
from hazards.models import RectificationPhoto, rectification_photo_path
from hazards.services import HazardData, hazard_create
from inspections.models import photo_path

TODAY = timezone.localdate()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def big_png(width: int, height: int) -> bytes:
    """A real grey PNG of width×height, all black: 12000×12000 is 144 MP decoded and ~140 KB on disk."""
    squeeze = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte and one byte per pixel
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def png(size=(8, 8), name="p.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def refusal(upload) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_image(upload)
    return info.value


def test_a_small_png_of_144_megapixels_is_refused_by_its_pixel_count():
    content = big_png(12_000, 12_000)
    assert len(content) < 200_000

    error = refusal(SimpleUploadedFile("大图.png", content, content_type="image/png"))

    assert error.code == "too_many_pixels"
    assert error.messages == ["照片“大图.png”的像素过多（上限 5000 万像素），请缩小后再上传。"]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_photo_just_over_the_limit_is_refused_before_decoding():
    """50–100 MP: Pillow only warns, so the check of the declared size is what refuses it."""
    error = refusal(SimpleUploadedFile("p.png", big_png(8_000, 6_251), content_type="image/png"))

    assert error.code == "too_many_pixels"


def test_the_pixel_limit_is_a_setting_and_an_image_at_the_limit_passes(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100

    assert validate_image(png((10, 10))) == "png"
    assert refusal(png((11, 10))).code == "too_many_pixels"


def test_pillow_refuses_to_decode_anything_over_the_limit_anywhere_in_the_process(settings):
    """Image.MAX_IMAGE_PIXELS follows the setting, so a photo stored before the limit (or one a PDF
    embeds) is never decoded past twice the limit either."""
    assert Image.MAX_IMAGE_PIXELS == settings.UPLOAD_IMAGE_MAX_PIXELS


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_IMAGE_MAX_BYTES = 100

    noise = io.BytesIO()
    Image.frombytes("RGB", (32, 32), os.urandom(32 * 32 * 3)).save(noise, "PNG")

    error = refusal(SimpleUploadedFile("现场.png", noise.getvalue()))

    assert error.code == "too_large"
    assert "超过" in error.messages[0]


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.jpg", b"#!/bin/sh\nrm -rf / --no-preserve-root\n"),
        ("photo.jpg", b"<?php system($_GET['c']); ?>"),
        ("photo.png", b"<html><script>alert(document.cookie)</script></html>"),
        ("photo.gif", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("photo.jpg", b""),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_a_script_renamed_as_a_photo_is_refused_by_its_content(name, content):
    error = refusal(SimpleUploadedFile(name, content, content_type="image/jpeg"))

    assert error.code == "not_image"
    assert "不是有效的图片文件" in error.messages[0]


def test_an_image_format_we_do_not_take_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "BMP")

    error = refusal(SimpleUploadedFile("photo.jpg", buffer.getvalue()))

    assert error.code == "bad_format"


STORED = re.compile(r"^(hazards|inspections)/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|gif)$")


@pytest.mark.parametrize(
    "sent_name",
    [
        "../../etc/passwd",
        "shell.php",
        "a/b/c.PNG",
        "photo.png\x00.php",
        "x.\r\nSet-Cookie:a",
        "照片.jpeg",
        "",
    ],
    ids=["traversal", "php", "folders", "nul", "crlf", "chinese", "empty"],
)
def test_stored_photo_names_are_random_with_a_known_extension(sent_name):
    for upload_to in (rectification_photo_path, photo_path):
        assert STORED.match(upload_to(None, sent_name)), (upload_to, sent_name)


@pytest.mark.django_db
def test_hazard_photos_through_the_service_keep_no_part_of_the_sent_name(
    settings, tmp_path, officer, enterprise_a
):
    settings.MEDIA_ROOT = tmp_path
    evil = png(name="../../../tmp/evil\x07.php.jpg")
    data = HazardData(
        enterprise=enterprise_a,
        source=HazardSource.SELF_REPORT,
        description="配电箱未接地",
        found_on=TODAY,
        deadline=TODAY,
        responsible_unit=enterprise_a.township,
        photos=[evil],
    )

    hazard = hazard_create(user=officer, data=data)

    [photo] = hazard.found_photos.all()
    assert STORED.match(photo.image.name), photo.image.name
    assert (tmp_path / photo.image.name).is_file()


@pytest.mark.django_db
def test_a_pixel_bomb_through_the_api_is_a_chinese_400_and_nothing_is_stored(
    api, settings, tmp_path, township_a_user, officer, enterprise_a
):
    settings.MEDIA_ROOT = tmp_path
    hazard = hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source=HazardSource.SELF_REPORT,
            description="配电箱未接地",
            found_on=TODAY,
            deadline=TODAY,
            responsible_unit=enterprise_a.township,
        ),
    )
    api.force_authenticate(township_a_user)
    bomb = SimpleUploadedFile("bomb.png", big_png(12_000, 12_000), content_type="image/png")

    response = api.post(
        f"/api/v1/hazards/{hazard.pk}/rectifications/",
        {"text": "已整改", "done_on": TODAY.isoformat(), "photos_after": [bomb]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "像素过多" in response.json()["photos"][0]
    assert not RectificationPhoto.objects.exists()
    assert not any(tmp_path.rglob("*.png"))
