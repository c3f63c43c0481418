"""The small world every cell of the role matrix is visited in: township A's records (one of each kind
the URLs name) and township B's, made through the apps' services as a user would make them.

Every record of township B carries a marker (a name, title, text or number only it has, listed in
`World.b_markers`) in a field the pages, exports and API show, so a leak of B into anything township
A's user sees is found by looking for the markers.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts import services_responsibility as responsibility_services
from accounts.choices import Role
from accounts.models import LetterKind, Notification, OrgUnit, Sector
from campaigns import services as campaign_services
from campaigns.models import ActivitySubtype, ActivityType, CampaignKind, QuantityUnit
from core import services as core_services
from enforcement import services as enforcement_services
from enforcement.models import DocumentKind, LegalArticle
from hazards import services as hazard_services
from hazards.choices import HazardSource
from hazards.models import AccidentCategory, HazardCategory
from inspections import services as inspection_services
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, TargetData, VisitData
from reports import services_evaluation as evaluation_services
from reports import services_summaries as summary_services
from reports.models import EvaluationIndicator, ReportJob, ReportKind, ReportTemplate
from reports.periods import Period
from reports.scopes import StatsScope
from tests.factories import EnterpriseFactory, UserFactory, enterprise_row, enterprise_xlsx, xlsx_upload

PERSONAS = [
    "admin_user",
    "officer",
    "department_user",
    "township_a_user",
    "leader",
    "township_b_user",
    "anonymous",
]
# Who sees what: the district roles see everything; 住建 (department_user) sees construction firms;
# township A its own subtree; township B nothing of A's.
DISTRICT_WIDE = frozenset({"admin_user", "officer", "leader"})
MATRIX_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Obj:
    """One record of the world and the personas whose scope holds it (404 for the others)."""

    value: object
    seen_by: frozenset[str]

    @property
    def pk(self):
        return self.value.pk


@dataclass
class World:
    objects: dict[str, Obj] = field(default_factory=dict)
    b_markers: list[str] = field(default_factory=list)  # strings of township B's records
    township_a: OrgUnit | None = None
    township_b: OrgUnit | None = None

    def __getitem__(self, key: str):
        return self.objects[key].value


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def build_world(*, district, personas: dict, capture_on_commit) -> World:
    """Township A's records (each kind a URL names) and township B's, through the services."""
    today = timezone.localdate()
    sectors = {s.code: s for s in Sector.objects.all()}
    construction = sectors["construction"]
    a_user, b_user, officer = personas["township_a_user"], personas["township_b_user"], personas["officer"]
    w = World(township_a=district.township_a, township_b=district.township_b)
    everyone = frozenset(p for p in PERSONAS if p != "anonymous")
    in_a = DISTRICT_WIDE | {"township_a_user"}
    in_a_construction = in_a | {"department_user"}  # 住建 supervises construction

    # Enterprises: A a construction firm in A's community (so 住建 sees it too), B one in township B.
    ent_a = EnterpriseFactory(name="东城建筑公司", jurisdiction=district.community_a, sectors=[construction])
    ent_b = EnterpriseFactory(name="西山建筑公司", jurisdiction=district.township_b, sectors=[construction])
    w.b_markers += [ent_b.name, ent_b.uscc]
    item = CheckItem.objects.create(sector=construction, code="JZ-M1", title="临边防护缺失")
    item_ok = CheckItem.objects.create(sector=construction, code="JZ-M2", title="安全通道畅通")
    supervision = InspectionKind.objects.get(code="supervision")

    def inspect(user, organizer, enterprises):
        def town(enterprise):  # what is found at B's firm carries B's marker, at A's firm A's
            return "西山" if enterprise == ent_b else "东城"

        return inspection_services.action_create(
            user=user,
            date=today,
            organizer=organizer,
            kind=supervision,
            members=[user],
            enterprises=enterprises,
            visits={
                e.pk: VisitData(
                    results=[
                        ResultData(item.pk, CheckResultValue.NONCOMPLIANT, f"{town(e)}现场问题"),
                        ResultData(item_ok.pk, CheckResultValue.COMPLIANT, ""),
                    ],
                    findings=f"{town(e)}检查发现",
                )
                for e in enterprises
            },
        )

    action_a = inspect(a_user, district.township_a, [ent_a])
    action_b = inspect(b_user, district.township_b, [ent_b])
    joint = inspect(officer, district.dept_emergency, [ent_a, ent_b])  # a record in each township
    w.b_markers += ["西山检查发现", "西山现场问题", action_b.number, action_b.records.get().number]
    w.b_markers.append(joint.records.get(enterprise=ent_b).number)
    record_a = action_a.records.get()
    record_photo = inspection_services.record_photo_create(user=a_user, record=record_a, image=png())

    def hazard(user, enterprise, text):
        data = hazard_services.HazardData(
            enterprise=enterprise,
            source=HazardSource.SELF_REPORT,
            description=text,
            found_on=today - dt.timedelta(days=3),
            deadline=today + dt.timedelta(days=20),
            responsible_unit=enterprise.township,
            photos=[png("found.png")],
        )
        return hazard_services.hazard_create(user=user, data=data)

    hazard_a = hazard(a_user, ent_a, "东城脚手架未验收")
    hazard_b = hazard(b_user, ent_b, "西山脚手架未验收")
    w.b_markers += [hazard_b.description, hazard_b.number]
    entry = hazard_services.rectification_create(
        user=a_user, hazard=hazard_a, text="已加固", done_on=today, photos_before=[png("before.png")]
    )
    extension = hazard_services.extension_request(
        user=a_user, hazard=hazard_a, new_deadline=today + dt.timedelta(days=40), reason="材料未到"
    )

    plan_a = inspection_services.plan_create(
        user=a_user,
        organizer=district.township_a,
        year=today.year,
        month=None,
        title="东城年度检查计划",
        note="",
        targets=[TargetData(10)],
    )
    plan_b = inspection_services.plan_create(
        user=b_user,
        organizer=district.township_b,
        year=today.year,
        month=None,
        title="西山年度检查计划",
        note="",
        targets=[TargetData(10)],
    )
    w.b_markers.append(plan_b.title)

    def draw(user, unit, title):
        for i in range(2):  # the unit's inspectors holding a valid 执法证
            UserFactory(
                role=Role.TOWNSHIP,
                org_unit=unit,
                enforcement_cert_no=f"执{unit.pk}-{i}",
                enforcement_cert_expiry=today + dt.timedelta(days=365),
            )
        return inspection_services.draw_create(
            user=user,
            organizer=unit,
            title=title,
            planned_date=today + dt.timedelta(days=10),
            sector_ids=[],
            township_ids=[],
            risk_grade_ids=[],
            n=1,
            m=2,
            weighted_by_grade=False,
        )

    draw_a = draw(a_user, district.township_a, "东城双随机抽查")
    draw_b = draw(b_user, district.township_b, "西山双随机抽查")
    w.b_markers.append(draw_b.title)

    draft = inspection_services.draft_start(user=a_user)
    bad_row = enterprise_row(统一社会信用代码="不是代码", 所属街道="东城街道/东城社区")
    with capture_on_commit(execute=True):  # the import runs (and fails) as it would after the request
        job = core_services.import_job_start(
            user=a_user, kind="enterprises", upload=xlsx_upload(enterprise_xlsx([bad_row]))
        )
    note_a = Notification.objects.create(
        org_unit=district.township_a, kind="test", title="东城通知", url="/hazards/", key="matrix-a"
    )
    note_b = Notification.objects.create(
        org_unit=district.township_b, kind="test", title="西山通知", url="/hazards/", key="matrix-b"
    )
    w.b_markers.append(note_b.title)

    # 安全责任: each township's duty list, work list (with a task) and a letter its firm signed (with a scan).
    def responsibility(user, unit, firm, town):
        duty = responsibility_services.duty_list_create(
            user=user,
            unit=unit,
            title=f"{town}街道主任职责清单",
            holder_name=f"{town}主任",
            items=[responsibility_services.DutyItemData(f"{town}属地安全职责")],
        )
        work = responsibility_services.work_list_create(
            user=user, unit=unit, year=today.year, title=f"{town}工作清单"
        )
        task = responsibility_services.work_item_add(user=user, work_list=work, task=f"{town}开展演练")
        letter = responsibility_services.letter_create(
            user=user,
            kind=LetterKind.objects.get(code="commitment"),
            year=today.year,
            title=f"{town}安全承诺书",
            issuer=unit,
            signer_enterprise=firm,
            signed_on=today,
            file=SimpleUploadedFile("letter.pdf", MATRIX_PDF, content_type="application/pdf"),
        )
        return duty, work, task, letter

    duty_a, work_a, task_a, letter_a = responsibility(a_user, district.township_a, ent_a, "东城")
    duty_b, work_b, _task_b, letter_b = responsibility(b_user, district.township_b, ent_b, "西山")
    w.b_markers += [duty_b.title, work_b.title, letter_b.title, "西山属地安全职责", "西山开展演练"]

    def activity(user, unit, theme):  # 活动台账: a publicity event with a quantity and a photo
        data = campaign_services.ActivityData(
            date=today - dt.timedelta(days=2),
            type=ActivityType.objects.get(code="publicity"),
            subtype=ActivitySubtype.objects.get(code="safety-month"),
            theme=theme,
            organiser=unit,
            quantities=((QuantityUnit.objects.get(code="banner"), 12),),
        )
        return campaign_services.activity_create(user=user, data=data, files=[png("activity.png")])

    activity_a = activity(a_user, district.township_a, "东城安全生产月宣传")
    activity_b = activity(b_user, district.township_b, "西山安全生产月宣传")
    w.b_markers.append(activity_b.theme)

    # 专项行动: a district-wide plan everyone reads, led by 住建 (department_user may change it).
    campaign = campaign_services.campaign_create(
        user=officer,
        data=campaign_services.CampaignData(
            kind=CampaignKind.objects.get(code="big-inspection"),
            name="全区安全生产大检查",
            start_on=today - dt.timedelta(days=30),
            end_on=today + dt.timedelta(days=30),
            lead_department=district.dept_construction,
            member_units=[district.township_a, district.township_b],
            phases=[campaign_services.PhaseData("排查整治", today - dt.timedelta(days=30), today)],
            targets=[campaign_services.TargetData("inspections", 10)],
        ),
    )

    # 执法文书: a 责令限期整改指令书 issued by the district office from each township's hazard (no case).
    rectify_order = DocumentKind.objects.get(code="rectify-order")

    def document(hazard):
        draft = enforcement_services.document_create(user=officer, kind=rectify_order, hazard=hazard)
        return enforcement_services.document_issue(user=officer, document=draft)

    document_b = document(hazard_b)
    document_a = document(hazard_a)
    w.b_markers.append(document_b.number)

    # 案件: A's handled by 住建 (department_user's unit) on A's construction firm, with a pending request
    # for more time; B's handled by the district office, carrying B's marker.
    def case(enterprise, unit, cause):
        return enforcement_services.case_open(
            user=officer,
            data=enforcement_services.CaseData(
                enterprise=enterprise,
                handling_unit=unit,
                procedure="general",
                cause=cause,
                opened_on=today - dt.timedelta(days=3),
            ),
        )

    case_a = case(ent_a, district.dept_construction, "东城脚手架未验收即投入使用")
    case_b = case(ent_b, district.district, "西山案由标记未验收")
    w.b_markers += [case_b.number, case_b.cause]
    case_extension = enforcement_services.case_extension_request(
        user=officer, case=case_a, new_deadline=case_a.deadline + dt.timedelta(days=30), reason="鉴定未完成"
    )

    # 事故 in each township (construction, so 住建 sees A's), and a 举报 about each township's firm. The
    # reporter of A's report is the district office's secret: township A must never see it either.
    def accident(township, enterprise, summary):
        return hazard_services.accident_create(
            user=officer,
            data=hazard_services.AccidentData(
                occurred_on=today - dt.timedelta(days=5),
                township=township,
                sector=construction,
                category=AccidentCategory.objects.get(code="fall"),
                summary=summary,
                deaths=1,
                enterprise=enterprise,
            ),
        )

    accident_a = accident(district.township_a, ent_a, "东城工地高处坠落")
    accident_b = accident(district.township_b, ent_b, "西山事故标记坠落")
    w.b_markers += [accident_b.number, accident_b.summary]

    def tip(enterprise, content, reporter):
        return enforcement_services.tip_create(
            user=officer,
            data=enforcement_services.TipData(
                received_on=today - dt.timedelta(days=4),
                channel="12350",
                content=content,
                enterprise=enterprise,
                reporter_name=reporter,
                reporter_phone="13900000000",
            ),
        )

    tip_a = tip(ent_a, "东城工地夜间施工", "东城举报人甲")
    tip_b = tip(ent_b, "西山举报标记内容", "西山举报人乙")
    w.b_markers += [tip_b.number, tip_b.content, tip_b.reporter_name, tip_a.reporter_name]

    # 月度评估: last month's township ranking, published (everyone reads it), with a 警示告知书 for each
    # township (A's seen by A and the district-wide roles; B's text carries B's marker).
    last_month = Period.containing("month", today).previous()
    evaluation = evaluation_services.evaluation_compute(user=officer, period=last_month, target="township")
    for unit in (district.township_a, district.township_b):
        evaluation_services.evaluation_score_enter(
            user=officer,
            evaluation=evaluation,
            indicator_code="work-done",
            unit_id=unit.pk,
            score="8",
            reason="落实",
        )
    evaluation = evaluation_services.evaluation_publish(user=officer, evaluation=evaluation)
    notice_a = evaluation_services.follow_up_create(
        user=officer, evaluation=evaluation, unit_id=district.township_a.pk, kind="warning", text="东城警示"
    )
    notice_b = evaluation_services.follow_up_create(
        user=officer,
        evaluation=evaluation,
        unit_id=district.township_b.pk,
        kind="warning",
        text="西山警示标记",
    )
    w.b_markers += [notice_b.text, notice_b.number]

    # 工作总结: each township's annual summary (A's published once, with a stub PDF; B's title carries
    # B's marker); a report is seen by whoever sees its scope's figures.
    def summary(unit):
        return summary_services.report_create(
            kind=ReportKind.ANNUAL,
            period=Period(today.year, "year"),
            stats_scope=StatsScope(unit),
            user=officer,
        )

    summary_a = summary(district.township_a)
    summary_b = summary(district.township_b)
    summary_version = summary_services.report_publish(report=summary_a, user=officer)
    summary_services.version_pdf_store(version=summary_version, pdf=MATRIX_PDF)
    w.b_markers.append(summary_b.title)
    # A finished PDF export of A's draft (生成PDF): its progress feed and its file are A's scope's.
    summary_job = ReportJob.objects.create(
        report=summary_a, fmt="pdf", requested_by=officer, state="done", progress=100, message="已完成"
    )
    summary_job.file.save(f"matrix-job-{summary_job.pk}.pdf", ContentFile(MATRIX_PDF))

    w.objects = {
        "enterprise": Obj(ent_a, in_a_construction),
        "enterprise_b": Obj(ent_b, DISTRICT_WIDE | {"department_user", "township_b_user"}),
        "action": Obj(action_a, in_a_construction),  # 住建 sees it through the construction firm's record
        "joint_action": Obj(joint, everyone),
        "planned_action": Obj(draw_a.picks.get().action, in_a_construction),
        "record": Obj(record_a, in_a_construction),
        "check_result": Obj(record_a.results.get(item=item), in_a_construction),
        "record_photo": Obj(record_photo, in_a_construction),
        "hazard": Obj(hazard_a, in_a_construction),
        "hazard_photo": Obj(hazard_a.found_photos.get(), in_a_construction),
        "rectification_photo": Obj(entry.photos.get(), in_a_construction),
        "extension": Obj(extension, in_a_construction),
        "case": Obj(case_a, in_a_construction),  # the township reads it, 住建 handles it
        "accident": Obj(accident_a, in_a_construction),  # by 所属街道, and 住建 by its sector
        "tip": Obj(tip_a, in_a_construction),
        "case_extension": Obj(case_extension, in_a_construction),
        "document": Obj(document_a, in_a_construction),  # as its hazard: 住建 sees the construction firm's
        "plan": Obj(plan_a, in_a),  # a plan is its organiser's: 住建 does not see township A's
        "draw": Obj(draw_a, in_a),
        "activity": Obj(activity_a, in_a),  # an activity is its organising unit's: 住建 does not see A's
        "activity_attachment": Obj(activity_a.attachments.get(), in_a),
        "draft": Obj(draft, frozenset({"township_a_user"})),  # personal
        "import_job": Obj(job, frozenset({"township_a_user"})),  # personal
        "notification": Obj(note_a, frozenset({"township_a_user"})),
        "duty_list": Obj(duty_a, in_a),
        "duty_item": Obj(duty_a.items.get(), in_a),
        "work_list": Obj(work_a, in_a),
        "work_item": Obj(task_a, in_a),
        "letter": Obj(letter_a, in_a_construction),  # signed by A's construction firm: 住建 sees it too
        # Code tables and the organisation tree: reference data every signed-in user reads.
        "org_unit": Obj(district.township_a, everyone),
        "sector": Obj(construction, everyone),
        "check_item": Obj(item, everyone),
        "hazard_category": Obj(HazardCategory.objects.order_by("pk").first(), everyone),
        "accident_category": Obj(AccidentCategory.objects.order_by("pk").first(), everyone),
        "document_kind": Obj(rectify_order, everyone),
        "legal_article": Obj(LegalArticle.objects.order_by("pk").first(), everyone),
        "activity_subtype": Obj(ActivitySubtype.objects.order_by("pk").first(), everyone),
        "quantity_unit": Obj(QuantityUnit.objects.order_by("pk").first(), everyone),
        "campaign": Obj(campaign, everyone),
        "campaign_kind": Obj(CampaignKind.objects.order_by("pk").first(), everyone),
        "summary": Obj(summary_a, in_a),  # township A's summary: A and the district-wide roles
        "summary_section": Obj(summary_a.sections.order_by("order").first(), in_a),
        "summary_version": Obj(summary_version, in_a),
        "summary_job": Obj(summary_job, in_a),
        "summary_template": Obj(ReportTemplate.objects.get(kind=ReportKind.ANNUAL), everyone),
        "evaluation": Obj(evaluation, everyone),  # a published ranking: every role reads it
        "evaluation_follow_up": Obj(notice_a, in_a),  # A's notice: A and the district-wide roles
        "evaluation_indicator": Obj(EvaluationIndicator.objects.order_by("pk").first(), everyone),
    }
    return w
