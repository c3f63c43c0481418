"""Forms parse and validate input; they never save. Views hand `to_data()` to a service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, OrgUnit
from .selectors import departments, jurisdictions_writable, sectors_active
from .services import EnterpriseData
from .validators import normalize_uscc


class JurisdictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        if obj.is_township or obj.parent is None:
            return obj.name
        return f"{obj.parent.name} / {obj.name}"


class EnterpriseForm(forms.ModelForm):
    jurisdiction = JurisdictionChoiceField(queryset=OrgUnit.objects.none(), label=_("属地（街道/社区）"))
    # The version the page was loaded with, sent back on save: a save over someone else's is refused.
    # A refused form keeps the loaded version, so saving again stays refused until the page is reloaded.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "sectors",
            "jurisdiction",
            "supervising_department",
            "risk_grade",
            "scale",
            "status",
            "address",
            "contact_person",
            "contact_phone",
            "longitude",
            "latitude",
            "is_fire_key_unit",
            "has_major_hazard_source",
        ]
        widgets = {"sectors": forms.CheckboxSelectMultiple}
        error_messages = {
            "uscc": {"unique": _("该统一社会信用代码已登记。")},
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only places and sectors the user may write to can be picked.
        self.fields["jurisdiction"].queryset = jurisdictions_writable(user=user).order_by("path")
        self.fields["sectors"].queryset = sectors_active()
        self.fields["supervising_department"].queryset = departments()
        self.fields["uscc"].help_text = _("18位，字母大写；系统按 GB 32100-2015 校验。")
        if self.instance.pk is None:
            del self.fields["version"]  # registering: there is nothing to overwrite yet
        else:
            self.fields["version"].initial = self.instance.version

    def clean_uscc(self) -> str:
        return normalize_uscc(self.cleaned_data["uscc"])

    def to_data(self) -> EnterpriseData:
        c = self.cleaned_data
        return EnterpriseData(
            uscc=c["uscc"],
            name=c["name"],
            jurisdiction=c["jurisdiction"],
            sectors=list(c["sectors"]),
            supervising_department=c.get("supervising_department"),
            risk_grade=c.get("risk_grade"),
            scale=c.get("scale") or "",
            status=c["status"],
            address=c.get("address") or "",
            longitude=c.get("longitude"),
            latitude=c.get("latitude"),
            contact_person=c.get("contact_person") or "",
            contact_phone=c.get("contact_phone") or "",
            is_fire_key_unit=c.get("is_fire_key_unit", False),
            has_major_hazard_source=c.get("has_major_hazard_source", False),
        )
