"""The one upload form every ledger import uses."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, max_bytes: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes if max_bytes is not None else settings.IMPORT_MAX_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("文件过大（上限 %(mb)d MB）。") % {"mb": self.max_bytes // (1024 * 1024)}
            )
        return upload
