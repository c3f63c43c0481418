"""What every hazard write shares: the row lock, the timeline line, the save with its history user."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import validate_image

from ..models import Hazard, HazardEvent


def _lock(hazard: Hazard) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def _need_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("请填写理由。")}, code="reason_required")
    return reason


def _event(hazard: Hazard, user: User | None, kind: str, *, before: str = "", note: str = "", **links):
    return HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        from_state=before,
        to_state=hazard.state if before else "",
        note=note,
        user=user,
        **links,
    )


def _save(hazard: Hazard, user: User | None, fields: list[str]) -> None:
    hazard._history_user = user
    hazard.save(update_fields=[*fields, "updated"])


def _photos_checked(files: Sequence[UploadedFile]) -> None:
    errors = []
    for f in files:
        try:
            # The stored name takes the format the content proved, not the one the browser claimed.
            f.name = f"photo.{validate_image(f)}"
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"photos": errors})
