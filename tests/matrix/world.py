"""The small world every cell of the role matrix is visited in: township A's records (one of each kind
the URLs name) and township B's, made through the apps' services as a user would make them.

Every record of township B carries a marker (a name, title, text or number only it has, listed in
`World.b_markers`) in a field the pages, exports and API show, so a leak of B into anything township
A's user sees is found by looking for the markers.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from accounts.models import Notification, OrgUnit, Sector
from core import services as core_services
from hazards import services as hazard_services
from hazards.choices import HazardSource
from hazards.models import HazardCategory
from inspections import services as inspection_services
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, TargetData, VisitData
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
        "plan": Obj(plan_a, in_a),  # a plan is its organiser's: 住建 does not see township A's
        "draw": Obj(draw_a, in_a),
        "draft": Obj(draft, frozenset({"township_a_user"})),  # personal
        "import_job": Obj(job, frozenset({"township_a_user"})),  # personal
        "notification": Obj(note_a, frozenset({"township_a_user"})),
        # Code tables and the organisation tree: reference data every signed-in user reads.
        "org_unit": Obj(district.township_a, everyone),
        "sector": Obj(construction, everyone),
        "check_item": Obj(item, everyone),
        "hazard_category": Obj(HazardCategory.objects.order_by("pk").first(), everyone),
    }
    return w
