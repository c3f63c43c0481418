"""API fuzzing: schemathesis generates requests from the OpenAPI schema (/api/schema/) and sends them,
with a real token, to a live server on the test Postgres, as the district officer and as township A's
user. Every answer must be no server error (5xx) and must keep the schema's word: a documented status
code, content type, headers and body shape.

Each operation is fuzzed twice: with ids as generated (mostly records that do not exist: 404) and with
the ids of real records in the caller's scope (a hazard with a rectification photo and a pending
extension, an inspection record with a photo, a plan, …), so the detail routes and the workflow steps
are exercised for real.

The suite's budget is small (SAFETY_FUZZ_EXAMPLES, default 5 examples per operation and variant, with
a fixed seed so a run is repeatable); a longer run with fresh random examples:

    SAFETY_FUZZ_EXAMPLES=100 ./scripts/test tests/api_gate -k fuzz

Not fuzzed: /api/v1/auth/ (signing in counts towards the lockout, signing out ends the session under
test); their own tests cover them.
"""

import datetime as dt
import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.choices import Role
from enforcement import services as enforcement_services
from enforcement.models import DocumentKind, LegalArticle
from hazards import services as hazard_services
from hazards.models import AccidentCategory
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import (
    ResultData,
    TargetData,
    VisitData,
    action_create,
    plan_create,
    record_photo_create,
)
from tests.campaigns.campaign_world import make_campaign
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data, png

EXAMPLES = int(os.environ.get("SAFETY_FUZZ_EXAMPLES", "5"))
# The suite's run is repeatable; a longer, asked-for run explores new examples each time.
DERANDOMIZE = "SAFETY_FUZZ_EXAMPLES" not in os.environ
SKIPPED_PREFIXES = ("/api/v1/auth/",)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(media, district, officer, township_a_user, enterprise_a, enterprise_b, sectors) -> dict:
    """Real records in township A (and one in B, outside township A's scope), by the path parameter
    names of the routes that reach them."""
    team = [
        UserFactory(
            org_unit=district.dept_emergency,
            role=Role.OFFICER,
            enforcement_cert_no=f"湘执{i:04d}",
            enforcement_cert_expiry=dt.date.today() + dt.timedelta(days=365),
        )
        for i in range(2)
    ]
    item = CheckItem.objects.create(
        sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批"
    )
    action = action_create(
        user=officer,
        date=dt.date.today() - dt.timedelta(days=3),
        organizer=district.township_a,
        kind=InspectionKind.objects.get(code="special"),
        members=team,
        enterprises=[enterprise_a],
        visits={
            enterprise_a.pk: VisitData(
                results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT)], findings="有限空间未审批"
            )
        },
    )
    record = action.records.get()
    record_photo = record_photo_create(user=officer, record=record, image=png())
    hazard = hazard_services.hazard_create(user=officer, data=hazard_data(enterprise_a))
    hazard_services.rectification_create(
        user=township_a_user, hazard=hazard, text="已更换", done_on=dt.date.today(), photos_after=[png()]
    )
    extension = hazard_services.extension_request(
        user=township_a_user,
        hazard=hazard,
        new_deadline=hazard.deadline + dt.timedelta(days=10),
        reason="等配件",
    )
    hazard_services.hazard_create(user=officer, data=hazard_data(enterprise_b))
    plan = plan_create(
        user=officer,
        organizer=district.township_a,
        year=dt.date.today().year,
        month=None,
        title="年度检查计划",
        targets=[TargetData(target_visits=10, sector=sectors["industry-trade"], township=None, kind=None)],
    )
    accident = hazard_services.accident_create(
        user=officer,
        data=hazard_services.AccidentData(
            occurred_on=dt.date.today() - dt.timedelta(days=2),
            township=district.township_a,
            sector=sectors["machinery"],
            category=AccidentCategory.objects.get(code="machinery"),
            summary="冲床压伤手指",
            injuries=1,
            enterprise=enterprise_a,
        ),
    )
    tip = enforcement_services.tip_create(
        user=officer,
        data=enforcement_services.TipData(
            received_on=dt.date.today() - dt.timedelta(days=2),
            channel="12350",
            content="有限空间作业无人监护",
            enterprise=enterprise_a,
            reporter_name="举报人",
        ),
    )
    case = enforcement_services.case_open(
        user=officer,
        data=enforcement_services.CaseData(
            enterprise=enterprise_a,
            handling_unit=district.district,
            procedure="general",
            cause="有限空间作业未审批",
            opened_on=dt.date.today() - dt.timedelta(days=2),
            source_record=record,
        ),
    )
    document = enforcement_services.document_create(
        user=officer, kind=DocumentKind.objects.get(code="penalty-notice"), case=case
    )
    campaign = make_campaign(
        officer,
        district.dept_emergency,
        start=dt.date.today() - dt.timedelta(days=30),
        end=dt.date.today() + dt.timedelta(days=30),
        members=[district.township_a],
        targets=[("inspections", 5)],
        phases=[("排查整治", dt.date.today() - dt.timedelta(days=30), dt.date.today())],
    )
    by_prefix = {
        "/api/v1/campaigns/": campaign.pk,
        "/api/v1/campaign-kinds/": campaign.kind_id,
        "/api/v1/documents/": document.pk,
        "/api/v1/document-kinds/": document.kind_id,
        "/api/v1/cases/": case.pk,
        "/api/v1/legal-articles/": LegalArticle.objects.order_by("pk").first().pk,
        "/api/v1/check-items/": item.pk,
        "/api/v1/accidents/": accident.pk,
        "/api/v1/accident-categories/": accident.category_id,
        "/api/v1/tips/": tip.pk,
        "/api/v1/enterprises/": enterprise_a.pk,
        "/api/v1/hazard-categories/": hazard.category_id or 1,
        "/api/v1/hazards/": hazard.pk,
        "/api/v1/inspection-actions/": action.pk,
        "/api/v1/inspection-plans/": plan.pk,
        "/api/v1/inspection-records/": record.pk,
        "/api/v1/org-units/": district.township_a.pk,
        "/api/v1/sectors/": sectors["industry-trade"].pk,
    }
    photos = {
        "/api/v1/hazards/": hazard.rectifications.get().photos.get().pk,
        "/api/v1/inspection-records/": record_photo.pk,
    }
    return {"ids": by_prefix, "photos": photos, "extension": extension.pk}


def real_parameters(path: str, world: dict) -> dict | None:
    """The path parameters naming real records for this route, or None if it has none."""
    if "{" not in path:
        return None
    prefix = next((p for p in world["ids"] if path.startswith(p)), None)
    if prefix is None:
        return None
    params = {"id": world["ids"][prefix]}
    if "{photo_pk}" in path:
        params["photo_pk"] = world["photos"][prefix]
    if "{extension_pk}" in path:
        params["extension_pk"] = world["extension"]
    return params


def examples(strategy, test):
    """`test` run on EXAMPLES cases drawn from `strategy`."""

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is printed as curl
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        test(case)

    return run


def fuzz(live_server, user, world) -> tuple[Counter, Counter, list[str]]:
    """Fuzz every operation as `user`; return the examples sent per operation, the status codes
    answered and the failures."""
    token = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers)
    sent: Counter = Counter()
    answered: Counter = Counter()
    failures: list[str] = []

    def send(case, label: str) -> None:
        sent[label] += 1
        response = case.call(base_url=live_server.url, headers=headers, timeout=30)
        answered[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SKIPPED_PREFIXES):
            continue
        label = f"{operation.method.upper()} {operation.path}"
        variants = [("generated ids", None)]
        if (params := real_parameters(operation.path, world)) is not None:
            variants.append(("real ids", params))
        for name, params in variants:
            strategy = operation.as_strategy(path_parameters=params) if params else operation.as_strategy()
            run = examples(strategy, lambda case, label=label: send(case, label))
            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, then fail once
                failures.append(f"{label} ({name}) as {user.username}: {type(exc).__name__}\n{exc}")
    return sent, answered, failures


def test_fuzz_as_the_officer_and_a_township_user(live_server, officer, township_a_user, world):
    """One live server and one set of records for both personas (a transactional test's set-up and
    flush are the slow part); the officer goes first, so township A also meets what the officer's
    examples changed (a voided hazard, a decided extension …)."""
    failures = []
    for user in (officer, township_a_user):
        sent, answered, failed = fuzz(live_server, user, world)
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(answered.items()))
        print(
            f"\nAPI fuzz as {user.username}: {len(sent)} operations, {sum(sent.values())} examples ({codes})"
        )
        assert len(sent) >= 30, sorted(sent)  # every operation of the schema but the auth ones
        failures += failed
    assert not failures, "\n\n".join(failures)
