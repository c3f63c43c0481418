"""The OpenAPI schema's refusals: every operation documents the error answers it can give, with the
shape of their bodies, so a client (and the API fuzzing in tests/api_gate) knows them in advance.

- 400 where the caller sends something: a body (POST/PUT/PATCH) or query filters. The body is keyed
  by field, each with its Chinese messages (`non_field_errors` for the whole request).
- 401 everywhere: no token, a bad one, or none of a signed-in session (WWW-Authenticate: Token).
- 403 on writes: the caller's role may not do this.
- 404 on a record's address (not found, or outside the caller's scope: the two are not told apart),
  and on a list's page that does not exist.
- 409 on a write to a record: its state changed under the caller (code "stale_state").

A view's own @extend_schema answers for a code keep their description; only a missing body is added.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

FIELD_ERRORS = {
    "type": "object",
    "description": "按字段给出的中文说明（每个字段一组消息；non_field_errors 为整体说明）",
    "additionalProperties": {},
}
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}

REFUSALS = {
    "400": OpenApiResponse(FIELD_ERRORS, description="请求内容或筛选条件校验未通过"),
    "401": OpenApiResponse(DETAIL, description="未登录或令牌无效"),
    "403": OpenApiResponse(DETAIL, description="当前角色不能执行该操作"),
    "404": OpenApiResponse(DETAIL, description="记录不存在或不在可见范围内（或页码不存在）"),
    "409": OpenApiResponse(DETAIL, description="记录状态已被他人改变（code: stale_state），请刷新后再试"),
}


class AutoSchema(SpectacularAutoSchema):
    """REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS: drf-spectacular's, with the refusals documented."""

    def _refusal_codes(self) -> set[str]:
        codes = {"401"}
        has_path_args = "{" in self.path
        is_list = self.method == "GET" and not has_path_args and self._is_list_view()
        filters = self.method == "GET" and bool(self._get_filter_parameters())
        if self.method in WRITES or filters:
            codes.add("400")
        if self.method in WRITES:
            codes.add("403")
        if has_path_args or is_list:
            codes.add("404")
        if self.method in WRITES and has_path_args:
            codes.add("409")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._refusal_codes()):
            documented = self._get_response_for_code(REFUSALS[code], code, direction=direction)
            if code not in responses:
                responses[code] = documented
            elif "content" not in responses[code]:
                responses[code]["content"] = documented["content"]
        return responses
