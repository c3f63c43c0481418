"""Builders the activity tests share: an ActivityData for a unit, code-table lookups, test files."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from campaigns.models import ActivitySubtype, ActivityType, QuantityUnit
from campaigns.services import ActivityData, TalkTargetData, activity_create


def kind(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


def subtype(code: str) -> ActivitySubtype:
    return ActivitySubtype.objects.get(code=code)


def unit(code: str) -> QuantityUnit:
    return QuantityUnit.objects.get(code=code)


def data(organiser, *, on=None, kind_code="publicity", subtype_code=None, theme="安全生产月宣传", **fields):
    quantities = tuple((unit(code), amount) for code, amount in fields.pop("quantities", {}).items())
    return ActivityData(
        date=on or dt.date.today() - dt.timedelta(days=3),
        type=kind(kind_code),
        subtype=subtype(subtype_code) if subtype_code else None,
        theme=theme,
        organiser=organiser,
        quantities=quantities,
        **fields,
    )


def record(user, organiser, **kwargs):
    files = kwargs.pop("files", ())
    return activity_create(user=user, data=data(organiser, **kwargs), files=files)


def talk(user, organiser, targets, *, on=None, reason="隐患整改不力"):
    return activity_create(
        user=user,
        data=data(
            organiser,
            on=on,
            kind_code="meeting",
            subtype_code="talk",
            theme="约谈会",
            talk_targets=tuple(TalkTargetData(k, org_unit=u, enterprise=e) for k, u, e in targets),
            talk_reason=reason,
        ),
    )


def png(name: str = "现场.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "签到表.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def script_as_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
