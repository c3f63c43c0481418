"""Every page, export and API operation of the project, found from the URL conf and the OpenAPI schema
(never a hand list), and the table that fills each URL parameter from the matrix's world.

A new route is covered without editing anything here, unless one of its parameters is new: then
`fill` fails and names the line to add to KWARG_OBJECTS.
"""

import fnmatch
import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from core.imports import importer_kinds
from reports.registry import all_metrics

API_PREFIX = "/api/v1/"
# Not part of the matrix: the admin site (its own permission system, tested by Django), the schema and
# its docs page (public descriptions, no records), and the sign-in/out pages themselves.
SKIPPED_PREFIXES = ("admin/", "api/schema/", "api/docs/")
PUBLIC_ROUTES = {"login", "logout"}
PUBLIC_API = API_PREFIX + "auth/"  # obtaining and dropping a token: the sign-in/out of the API
# DRF's format-suffix twins (`.json`) of the router's URLs answer as their plain twin.
FORMAT_SUFFIX = re.compile(r"\(\?P<format>|<drf_format_suffix:format>")

# (route pattern, URL parameter) → the key of the world object it names. A route is a page's URL name
# ("hazards:hazard_detail") or an API operation's schema path; the first matching line wins.
KWARG_OBJECTS: list[tuple[str, str, str]] = [
    ("accounts:enterprise_*", "pk", "enterprise"),
    ("accounts:notification_*", "pk", "notification"),
    ("accounts:duty_list_*", "pk", "duty_list"),
    ("accounts:duty_item_*", "pk", "duty_item"),
    ("accounts:work_list_*", "pk", "work_list"),
    ("accounts:work_item_*", "pk", "work_item"),
    ("accounts:letter_*", "pk", "letter"),
    ("/api/v1/responsibility-lists/*", "id", "duty_list"),
    ("/api/v1/work-lists/*", "id", "work_list"),
    ("/api/v1/responsibility-letters/*", "id", "letter"),
    ("core:import_job*", "pk", "import_job"),
    ("inspections:draw_*", "pk", "draw"),
    ("inspections:plan_*", "pk", "plan"),
    ("inspections:draft_*", "pk", "draft"),
    ("inspections:record_*", "pk", "record"),
    ("inspections:action_detail", "pk", "action"),
    ("inspections:planned_start", "pk", "planned_action"),
    ("inspections:photo", "pk", "record_photo"),
    ("hazards:photo", "pk", "rectification_photo"),
    ("hazards:found_photo", "pk", "hazard_photo"),
    ("hazards:accident_*", "pk", "accident"),
    ("enforcement:tip_*", "pk", "tip"),
    ("enforcement:case_from_tip", "pk", "tip"),
    ("enforcement:case_from_accident", "accident_pk", "accident"),
    ("/api/v1/accidents/*", "id", "accident"),
    ("/api/v1/accident-categories/*", "id", "accident_category"),
    ("/api/v1/tips/*", "id", "tip"),
    ("hazards:*", "pk", "hazard"),
    ("hazards:*", "check_result_pk", "check_result"),
    ("hazards:*", "extension_pk", "extension"),
    ("campaigns:activity_*", "attachment_pk", "activity_attachment"),
    ("campaigns:activity_*", "pk", "activity"),
    ("campaigns:campaign_*", "pk", "campaign"),
    ("/api/v1/enterprises/*", "id", "enterprise"),
    ("/api/v1/activities/*", "attachment_pk", "activity_attachment"),
    ("/api/v1/activities/*", "id", "activity"),
    ("/api/v1/campaigns/*", "id", "campaign"),
    ("/api/v1/campaign-kinds/*", "id", "campaign_kind"),
    ("/api/v1/activity-subtypes/*", "id", "activity_subtype"),
    ("/api/v1/quantity-units/*", "id", "quantity_unit"),
    ("/api/v1/org-units/*", "id", "org_unit"),
    ("/api/v1/sectors/*", "id", "sector"),
    ("/api/v1/check-items/*", "id", "check_item"),
    ("/api/v1/hazard-categories/*", "id", "hazard_category"),
    ("/api/v1/hazards/*", "id", "hazard"),
    ("/api/v1/hazards/*", "photo_pk", "rectification_photo"),
    ("/api/v1/hazards/*", "extension_pk", "extension"),
    ("/api/v1/inspection-actions/*", "id", "action"),
    ("/api/v1/inspection-records/*", "id", "record"),
    ("/api/v1/inspection-records/*", "photo_pk", "record_photo"),
    ("/api/v1/inspection-plans/*", "id", "plan"),
    ("/api/v1/random-draws/*", "id", "draw"),
    ("enforcement:document_*", "pk", "document"),
    ("/api/v1/documents/*", "id", "document"),
    ("/api/v1/document-kinds/*", "id", "document_kind"),
    ("enforcement:case_*", "pk", "case"),
    ("enforcement:case_*", "extension_pk", "case_extension"),
    ("/api/v1/cases/*", "extension_pk", "case_extension"),
    ("/api/v1/cases/*", "id", "case"),
    ("/api/v1/legal-articles/*", "id", "legal_article"),
    # 工作总结 (reports/urls_summaries.py, reports/api/summaries.py)
    ("reports:report_detail", "pk", "summary"),
    ("reports:report_rebuild", "pk", "summary"),
    ("reports:report_publish", "pk", "summary"),
    ("reports:report_section_narrative", "pk", "summary"),
    ("reports:report_section_narrative", "section_pk", "summary_section"),
    ("reports:version_*", "pk", "summary"),
    ("reports:report_job_start", "pk", "summary"),  # 生成PDF / 导出Word (reports/views_jobs.py)
    ("reports:report_job_*", "pk", "summary_job"),
    ("reports:template_edit", "pk", "summary_template"),
    ("/api/v1/reports/*", "section_id", "summary_section"),
    ("/api/v1/reports/*", "id", "summary"),
    ("/api/v1/report-versions/*", "id", "summary_version"),
    ("/api/v1/report-templates/*", "id", "summary_template"),
    ("reports:evaluation_notice_pdf", "pk", "evaluation_follow_up"),
    ("reports:evaluation_indicator_*", "pk", "evaluation_indicator"),
    ("reports:evaluation_*", "pk", "evaluation"),
    ("/api/v1/evaluations/*", "id", "evaluation"),
]
# Parameters that are no record: every value they take is visited.
KWARG_VALUES = {
    "kind": lambda: [kind for kind, _label in importer_kinds()],
    "step": lambda: [1, 2, 3, 4],
    # The drill-down behind each figure of the 统计 page: every metric that lists its records.
    "key": lambda: [metric.key for metric in all_metrics() if metric.records is not None],
    "number": lambda: [1],  # a published version of a 工作总结: the world's report has its first
}


class UnmappedParameter(LookupError):
    pass


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    route_id: str  # the page's URL name, or the API operation's schema path
    params: tuple[str, ...]
    methods: tuple[str, ...]

    def __str__(self) -> str:
        return self.route_id


@dataclass(frozen=True)
class Cell:
    """One visit: a route with its parameters filled."""

    route: Route
    method: str
    url: str
    objects: tuple[str, ...]  # the world keys its parameters name

    @property
    def multipart(self) -> bool:
        return self.route.kind == "api" and multipart_only(self.route.route_id, self.method)

    def __str__(self) -> str:
        return f"{self.method} {self.url} [{self.route.route_id}]"


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}".strip(":") if p.name else "", p


def _api_template(route: str) -> str:
    """`api/v1/^hazards/(?P<pk>[0-9]+)/$` → `/api/v1/hazards/{id}/`, as drf-spectacular writes it."""
    path = "/" + route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", path)
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def schema_operations() -> dict[str, tuple[str, ...]]:
    verbs = ("get", "post", "put", "patch", "delete")
    return {path: tuple(m.upper() for m in verbs if m in ops) for path, ops in schema()["paths"].items()}


def multipart_only(path: str, method: str) -> bool:
    """Does the operation take only multipart bodies (photo uploads)? Then the matrix sends an empty
    multipart body, not JSON, so the answer is about the caller's role, not the content type."""
    body = schema()["paths"].get(path, {}).get(method.lower(), {}).get("requestBody", {})
    types = set(body.get("content", {}))
    return bool(types) and "application/json" not in types


@cache
def discover() -> tuple[Route, ...]:
    """Every page route of the URL conf, and every API operation of the schema (plus any API URL the
    schema does not describe, visited with GET)."""
    routes: dict[str, Route] = {}
    operations = schema_operations()
    for pattern, name, _p in _walk(get_resolver().url_patterns):
        if pattern.startswith(SKIPPED_PREFIXES) or FORMAT_SUFFIX.search(pattern):
            continue
        if pattern.startswith(API_PREFIX.lstrip("/")):
            template = _api_template(pattern)
            if template.startswith(PUBLIC_API) or template in operations:
                continue  # described by the schema: visited as its operations below
            params = tuple(re.findall(r"{(\w+)}", template))
            routes.setdefault(template, Route("api", template, params, ("GET",)))
            continue
        if name in PUBLIC_ROUTES:
            continue
        assert name, f"URL {pattern!r} has no name: the matrix reaches pages by name."
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
        # Every page is visited with GET and with an empty POST (the CSRF-less test client).
        routes.setdefault(name, Route("page", name, params, ("GET", "POST")))
    for path, methods in operations.items():
        if path.startswith(PUBLIC_API):
            continue
        routes[path] = Route("api", path, tuple(re.findall(r"{(\w+)}", path)), methods)
    return tuple(routes.values())


def object_key(route: Route, param: str) -> str:
    for pattern, name, key in KWARG_OBJECTS:
        if name == param and fnmatch.fnmatchcase(route.route_id, pattern):
            return key
    raise UnmappedParameter(
        f"The role matrix cannot fill URL parameter {param!r} of {route.route_id!r}: add a line "
        f"(route pattern, {param!r}, world key) to KWARG_OBJECTS in tests/matrix/routes.py, and the "
        f"record it names to tests/matrix/world.py if the world has none of that kind yet."
    )


def cells(route: Route, world) -> list[Cell]:
    """The visits of `route`: one per method, and one per value of a parameter that is no record."""
    fillings: list[tuple[dict, tuple[str, ...]]] = [({}, ())]
    for param in route.params:
        if param in KWARG_VALUES:
            fillings = [({**kw, param: v}, keys) for kw, keys in fillings for v in KWARG_VALUES[param]()]
        else:
            key = object_key(route, param)
            pk = world.objects[key].pk
            fillings = [({**kw, param: pk}, (*keys, key)) for kw, keys in fillings]
    out = []
    for kwargs, keys in fillings:
        if route.kind == "page":
            url = reverse(route.route_id, kwargs=kwargs)
        else:
            url = route.route_id.format(**kwargs)
        out.extend(Cell(route, method, url, keys) for method in route.methods)
    return out
