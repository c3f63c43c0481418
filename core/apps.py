from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image


class CoreConfig(AppConfig):
    """The ground floor: tools every app uses that know nothing of the domain (no org tree, no roles)."""

    name = "core"
    verbose_name = _("基础设施")

    def ready(self) -> None:
        # No image over the photo limit is decoded anywhere in the process (a PDF embedding a photo
        # included): Pillow warns above this and refuses above twice this.
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_IMAGE_MAX_PIXELS
