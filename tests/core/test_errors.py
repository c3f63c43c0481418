"""A service's refusal shown the same way everywhere (core.errors): as API answers through DRF's
EXCEPTION_HANDLER (400 by field, 409 for a record that moved, 403), and on a bound form."""

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import STALE_STATE, api_error, form_add_errors


class ServiceView(APIView):
    """Raises whatever the test hands it, as a service called from a view would."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    raises: Exception | None = None

    def post(self, request):
        raise self.raises


class RenamingView(ServiceView):
    service_error_fields = {"enterprises": "records"}


def answer(exc: Exception, view=ServiceView):
    response = view.as_view(raises=exc)(APIRequestFactory().post("/", {}, format="json"))
    response.render()
    return response


def test_the_handler_is_the_projects_exception_handler():
    assert settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "core.errors.api_exception_handler"


def test_a_validation_error_by_field_is_a_400_with_the_field_keys():
    response = answer(ValidationError({"name": "不能为空", "sectors": ["请至少选择一个行业领域。"]}))

    assert response.status_code == 400
    assert response.data == {"name": ["不能为空"], "sectors": ["请至少选择一个行业领域。"]}


def test_a_form_wide_error_by_field_name_all_becomes_non_field_errors():
    response = answer(ValidationError({"__all__": ["日期不能晚于今天"], "name": ["太长"]}))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["日期不能晚于今天"], "name": ["太长"]}


def test_a_validation_error_list_is_a_400_of_non_field_errors():
    response = answer(ValidationError(["该隐患已关闭。", "请先填写整改措施。"]))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["该隐患已关闭。", "请先填写整改措施。"]}


def test_a_stale_state_is_a_409_naming_the_code():
    response = answer(ValidationError("该隐患已被他人验收，请刷新。", code=STALE_STATE))

    assert response.status_code == 409
    assert response.data == {"detail": "该隐患已被他人验收，请刷新。", "code": "stale_state"}


def test_a_stale_state_among_field_errors_is_still_a_400():
    # Only a plain refusal with the code means "the record moved"; field errors are for fixing input.
    response = answer(ValidationError({"status": ValidationError("已变化", code=STALE_STATE)}))

    assert response.status_code == 400
    assert response.data == {"status": ["已变化"]}


def test_django_permission_denied_is_a_403_with_its_message():
    response = answer(PermissionDenied("该单位不在您的管辖范围内。"))

    assert response.status_code == 403
    assert response.data == {"detail": "该单位不在您的管辖范围内。"}


def test_django_permission_denied_without_a_message_is_drfs_403():
    response = answer(PermissionDenied())

    assert response.status_code == 403
    assert response.data["detail"].code == "permission_denied"


def test_a_view_names_the_fields_its_client_sends():
    response = answer(ValidationError({"enterprises": ["未找到"], "name": ["太长"]}), view=RenamingView)

    assert response.data == {"records": ["未找到"], "name": ["太长"]}


def test_api_error_keeps_every_message_when_two_service_fields_map_to_one():
    exc = api_error(ValidationError({"a": ["甲"], "b": ["乙"]}), rename={"a": "x", "b": "x"})

    assert exc.detail == {"x": ["甲", "乙"]}


def test_other_errors_are_left_to_drf():
    with pytest.raises(ZeroDivisionError):
        answer(ZeroDivisionError())


# ---------------------------------------------------------------- on a form


class NameForm(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)


def bound_form() -> NameForm:
    form = NameForm({"name": "甲"})
    assert form.is_valid()
    return form


def test_form_add_errors_puts_a_known_field_on_the_field_and_an_unknown_one_on_the_form():
    form = bound_form()

    form_add_errors(form, ValidationError({"name": ["已登记"], "jurisdiction": ["不在管辖范围内"]}))

    assert form.errors["name"] == ["已登记"]
    assert form.non_field_errors() == ["不在管辖范围内"]
    assert "jurisdiction" not in form.errors


def test_form_add_errors_puts_a_list_on_the_form():
    form = bound_form()

    form_add_errors(form, ValidationError(["该隐患已关闭。", "请刷新。"]))

    assert form.non_field_errors() == ["该隐患已关闭。", "请刷新。"]
    assert "name" not in form.errors


def test_form_add_errors_keeps_the_form_wide_errors_of_a_dict():
    form = bound_form()

    form_add_errors(form, ValidationError({"__all__": ["开始日期不能晚于结束日期"]}))

    assert form.non_field_errors() == ["开始日期不能晚于结束日期"]
