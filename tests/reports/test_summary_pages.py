"""工作总结 in the browser: the list and report pages are scoped, leaders only read, a rebuild keeps what
was written, publishing freezes what the version page shows, every figure links to its records, and
the template editor refuses a bad sentence whole (issue 14)."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from hazards import services as hazard_services
from reports.models import Report, ReportKind, ReportSection, ReportState, ReportTemplate, TemplateSection
from reports.periods import Period
from reports.scopes import StatsScope
from reports.services_summaries import report_create
from tests.campaigns.campaign_world import make_campaign
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def hazards(user, enterprise, n: int) -> None:
    today = timezone.localdate()
    for _ in range(n):
        hazard_services.hazard_create(
            user=user, data=hazard_data(enterprise, found_on=today, deadline=today + dt.timedelta(days=10))
        )


def annual(user, unit=None) -> Report:
    return report_create(
        kind=ReportKind.ANNUAL, period=Period(YEAR, "year"), stats_scope=StatsScope(unit), user=user
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


# ---------------------------------------------------------------- scoping and roles


def test_the_list_and_the_report_page_show_only_the_users_scope(
    district, officer, township_a_user, department_user
):
    whole = annual(officer)
    town_a = annual(officer, district.township_a)
    town_b = annual(officer, district.township_b)
    dept = annual(officer, district.dept_construction)
    a = client_for(township_a_user)

    listed = a.get(reverse("reports:report_list"))
    assert listed.status_code == 200
    assert [r.pk for r in listed.context["reports"]] == [town_a.pk]
    assert a.get(town_a.get_absolute_url()).status_code == 200
    for outside in (whole, town_b, dept):
        assert a.get(outside.get_absolute_url()).status_code == 404
        assert a.post(reverse("reports:report_rebuild", args=[outside.pk])).status_code == 404

    d = client_for(department_user)
    assert [r.pk for r in d.get(reverse("reports:report_list")).context["reports"]] == [dept.pk]
    assert d.get(dept.get_absolute_url()).status_code == 200
    assert d.get(town_a.get_absolute_url()).status_code == 404

    o = client_for(officer)
    shown = {r.pk for r in o.get(reverse("reports:report_list")).context["reports"]}
    assert shown == {whole.pk, town_a.pk, town_b.pk, dept.pk}

    def listed_with(**filters):
        return {r.pk for r in o.get(reverse("reports:report_list"), filters).context["reports"]}

    assert listed_with(kind="quarterly") == set()
    assert listed_with(year=YEAR, state="draft") == {whole.pk, town_a.pk, town_b.pk, dept.pk}
    assert listed_with(year=YEAR - 1) == set()
    refused = o.get(reverse("reports:report_list"), {"year": "abc"})
    assert refused.status_code == 200 and "year" in refused.context["filter_form"].errors
    assert list(refused.context["reports"]) == []


def test_a_leader_reads_but_every_write_is_refused(district, officer, leader):
    report = annual(officer)
    section = report.sections.get(key="highlights")
    client = client_for(leader)

    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    assert 'id="report-rebuild"' not in page.content.decode()
    assert "narrative-form" not in page.content.decode()
    assert "您可阅读，不能修改" in page.content.decode()
    assert client.post(reverse("reports:report_rebuild", args=[report.pk])).status_code == 403
    assert client.get(reverse("reports:report_publish", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:report_publish", args=[report.pk])).status_code == 403
    narrative_url = reverse("reports:report_section_narrative", args=[report.pk, section.pk])
    assert client.post(narrative_url, {f"s{section.pk}-narrative": "改"}).status_code == 403
    assert client.get(reverse("reports:report_new")).status_code == 403
    assert client.get(reverse("reports:template_list")).status_code == 403
    assert not report.versions.exists()
    assert ReportSection.objects.get(pk=section.pk).narrative == section.narrative


# ---------------------------------------------------------------- 新建


def test_new_report_form_creates_builds_and_opens_the_report(district, township_a_user, enterprise_a):
    hazards(township_a_user, enterprise_a, 2)
    client = client_for(township_a_user)

    form = client.get(reverse("reports:report_new"))
    assert form.status_code == 200
    assert [code for code, _name in form.context["form"].fields["scope"].choices] == [
        str(district.township_a.pk)
    ]

    response = client.post(
        reverse("reports:report_new"), {"kind": "annual", "year": YEAR, "scope": district.township_a.pk}
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.scope_unit == district.township_a and report.built_at is not None
    assert "建立隐患台账2个" in report.sections.get(key="risk_control").figure_text

    refused = client.post(
        reverse("reports:report_new"), {"kind": "annual", "year": YEAR, "scope": district.township_b.pk}
    )
    assert refused.status_code == 200 and "scope" in refused.context["form"].errors
    assert Report.objects.count() == 1


def test_new_report_form_says_in_chinese_what_is_missing(officer):
    client = client_for(officer)
    quarterly = client.post(
        reverse("reports:report_new"), {"kind": "quarterly", "year": YEAR, "scope": "district"}
    )
    assert quarterly.status_code == 200
    assert "季度工作报告须选择季度。" in quarterly.context["form"].errors["quarter"]
    campaign = client.post(
        reverse("reports:report_new"), {"kind": "campaign", "year": YEAR, "scope": "district"}
    )
    assert "专项行动工作报告须选择一个专项行动。" in campaign.context["form"].errors["campaign"]
    assert not Report.objects.exists()


# ---------------------------------------------------------------- the draft: narrative, rebuild, changes


def test_a_rebuild_through_the_page_keeps_the_narrative_and_shows_what_changed(officer, enterprise_a):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    section = report.sections.get(key="highlights")
    client = client_for(officer)

    saved = client.post(
        reverse("reports:report_section_narrative", args=[report.pk, section.pk]),
        {f"s{section.pk}-narrative": "全年创新开展“安全夜查”。"},
    )
    assert saved.status_code == 302
    hazards(officer, enterprise_a, 1)
    assert client.post(reverse("reports:report_rebuild", args=[report.pk])).status_code == 302

    page = client.get(report.get_absolute_url())
    body = page.content.decode()
    assert ReportSection.objects.get(pk=section.pk).narrative == "全年创新开展“安全夜查”。"
    assert "全年创新开展“安全夜查”。" in unescape(body)
    assert "建立隐患台账3个" in text_of(page)
    changed = {row["key"]: row for row in page.context["changed"]}
    assert (changed["hazards.found"]["before"], changed["hazards.found"]["now"]) == ("2个", "3个")
    assert 'id="figures-changed"' in body and "发现隐患：2个 → " in text_of(page)


def test_every_figure_of_the_draft_links_to_its_records_with_the_reports_period_and_scope(
    district, officer, enterprise_a
):
    hazards(officer, enterprise_a, 2)
    report = annual(officer, district.township_a)
    client = client_for(officer)
    page = client.get(report.get_absolute_url())
    risk = next(s for s in page.context["sections"] if s["key"] == "risk_control")
    link = next(seg for seg in risk["segments"] if seg["key"] == "hazards.found")
    assert link["text"] == "2个"
    assert link["url"] == (
        reverse("reports:figure", args=["hazards.found"]) + f"?period={YEAR}&scope={district.township_a.pk}"
    )
    assert f'href="{link["url"].replace("&", "&amp;")}"' in page.content.decode()
    # every figure whose records can be listed has its link
    for section in page.context["sections"]:
        for seg in section["segments"]:
            if seg["key"] and seg["key"] in {"hazards.found", "hazards.rectified", "inspections.actions"}:
                assert seg["url"]
    drill = client.get(link["url"])
    assert drill.status_code == 200 and drill.context["page_obj"].paginator.count == 2


def test_a_campaign_report_links_its_figures_to_the_campaigns_days(district, officer, enterprise_a):
    today = timezone.localdate()
    template, _created = ReportTemplate.objects.get_or_create(
        kind=ReportKind.CAMPAIGN, defaults={"name": "专项行动工作报告", "title_pattern": "{campaign}工作报告"}
    )
    template.sections.all().delete()
    TemplateSection.objects.create(
        template=template,
        key="progress",
        order=1,
        level=1,
        heading="工作进展",
        sentences="排查隐患{hazards.found|text}",
    )
    campaign = make_campaign(
        officer,
        district.dept_emergency,
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=20),
    )
    hazards(officer, enterprise_a, 1)
    report = report_create(
        kind=ReportKind.CAMPAIGN, campaign=campaign, stats_scope=StatsScope(), user=officer
    )
    client = client_for(officer)

    page = client.get(report.get_absolute_url())
    link = next(
        seg for s in page.context["sections"] for seg in s["segments"] if seg["key"] == "hazards.found"
    )
    start, end = campaign.start_on.isoformat(), today.isoformat()
    assert link["url"].endswith(f"?start={start}&end={end}&scope=district")
    drill = client.get(link["url"])
    assert drill.status_code == 200 and drill.context["page_obj"].paginator.count == 1
    assert (
        client.get(
            reverse("reports:figure", args=["hazards.found"]), {"start": end, "end": start}
        ).status_code
        == 404
    )
    assert Campaign.objects.count() == 1


def test_a_bad_template_shows_its_error_in_red_and_refuses_the_rebuild(officer):
    report = annual(officer)
    section = report.sections.get(key="risk_control")
    ReportSection.objects.filter(pk=section.pk).update(figure_error="缺少指标数据：hazards.x")
    TemplateSection.objects.filter(template__kind="annual", key="risk_control").update(
        sentences="发现隐患{hazards.nonexistent|text}"
    )
    client = client_for(officer)
    page = client.get(report.get_absolute_url())
    assert "figure-error" in page.content.decode() and "缺少指标数据" in text_of(page)
    answer = client.post(reverse("reports:report_rebuild", args=[report.pk]), follow=True)
    assert "模板有错误，未重新生成" in text_of(answer)
    assert "hazards.nonexistent" in text_of(answer)


# ---------------------------------------------------------------- publishing


def test_the_version_page_shows_the_frozen_content_after_new_records_and_a_rebuild(officer, enterprise_a):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    client = client_for(officer)
    confirm = client.get(reverse("reports:report_publish", args=[report.pk]))
    assert confirm.status_code == 200 and "发布后内容和PDF不再改变" in text_of(confirm)
    published = client.post(reverse("reports:report_publish", args=[report.pk]))
    version = report.versions.get()
    assert published.status_code == 302 and published["Location"] == version.get_absolute_url()
    assert Report.objects.get(pk=report.pk).state == ReportState.PUBLISHED

    hazards(officer, enterprise_a, 3)
    client.post(reverse("reports:report_rebuild", args=[report.pk]))
    assert "建立隐患台账5个" in text_of(client.get(report.get_absolute_url()))

    page = client.get(version.get_absolute_url())
    assert page.status_code == 200
    text = text_of(page)
    assert "建立隐患台账2个" in text and "建立隐患台账5个" not in text
    assert "按现有记录为5个，与发布时不同" in text
    risk = next(s for s in page.context["sections"] if s["key"] == "risk_control")
    link = next(seg for seg in risk["segments"] if seg["key"] == "hazards.found")
    assert link["url"].endswith(f"?period={YEAR}&scope=district")
    detail = client.get(report.get_absolute_url())
    assert version.get_absolute_url() in detail.content.decode()


def test_the_version_page_is_scoped_like_its_report(district, officer, township_a_user):
    report = annual(officer)
    client = client_for(officer)
    client.post(reverse("reports:report_publish", args=[report.pk]))
    version = report.versions.get()
    assert client_for(township_a_user).get(version.get_absolute_url()).status_code == 404
    assert (
        client_for(township_a_user).get(reverse("reports:version_pdf", args=[report.pk, 1])).status_code
        == 404
    )
    # no PDF yet (or not kept): a 404, never a 500
    assert client.get(reverse("reports:version_detail", args=[report.pk, 9])).status_code == 404


# ---------------------------------------------------------------- query ceilings


def test_the_list_and_the_report_page_need_a_bounded_number_of_queries(
    district, officer, enterprise_a, django_assert_max_num_queries
):
    hazards(officer, enterprise_a, 2)
    for unit in (None, district.township_a, district.township_b, district.dept_construction):
        annual(officer, unit)
    report = annual(officer)
    client = client_for(officer)
    client.post(reverse("reports:report_publish", args=[report.pk]))
    client.get(reverse("reports:report_list"))  # warm the session and the menus
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reports:report_list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(report.get_absolute_url()).status_code == 200
    version = report.versions.get()
    with django_assert_max_num_queries(60):  # one aggregate per figure the sentences name
        assert client.get(version.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------- the template editor


def _editor_post(template: ReportTemplate, changes: dict | None = None) -> dict:
    """The editor's form as the browser posts it, with `changes` {(section key, field): value}."""
    sections = list(template.sections.order_by("order", "pk"))
    data = {
        "name": template.name,
        "title_pattern": template.title_pattern,
        "sections-TOTAL_FORMS": str(len(sections) + 1),
        "sections-INITIAL_FORMS": str(len(sections)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, s in enumerate(sections):
        prefix = f"sections-{i}-"
        row = {
            "id": s.pk,
            "template": template.pk,
            "order": s.order,
            "level": s.level,
            "key": s.key,
            "heading": s.heading,
            "sentences": s.sentences,
            "narrative_hint": s.narrative_hint,
            "default_narrative": s.default_narrative,
            "table": s.table,
            "chart": s.chart,
        }
        if s.per_unit:
            row["per_unit"] = "on"
        for (key, field), value in (changes or {}).items():
            if key == s.key:
                row[field] = value
        data.update({prefix + k: v for k, v in row.items() if v is not None})
    return data


def test_the_template_editor_refuses_a_bad_sentence_whole_and_saves_nothing(officer):
    template = ReportTemplate.objects.get(kind="annual")
    before = list(template.sections.order_by("pk").values_list("heading", "sentences"))
    client = client_for(officer)
    url = reverse("reports:template_edit", args=[template.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "hazards.found" in page.content.decode() and "joint_change" in page.content.decode()

    response = client.post(
        url,
        _editor_post(
            template,
            {
                ("overview", "heading"): "改过的标题",
                ("risk_control", "sentences"): "发现隐患{hazards.foundd|text}",
            },
        ),
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "模板未保存" in text
    assert "第1句" in text and "hazards.foundd" in text and "hazards.found" in text
    assert list(template.sections.order_by("pk").values_list("heading", "sentences")) == before
    assert ReportTemplate.objects.get(pk=template.pk).updated_by is None


def test_the_template_editor_saves_records_who_and_adds_and_removes_sections(officer):
    template = ReportTemplate.objects.get(kind="annual")
    client = client_for(officer)
    url = reverse("reports:template_edit", args=[template.pk])
    data = _editor_post(
        template,
        {("publicity", "DELETE"): "on", ("risk_control", "sentences"): "建立隐患台账{hazards.found|text}"},
    )
    n = int(data["sections-INITIAL_FORMS"])
    data.update(
        {
            f"sections-{n}-order": "99",
            f"sections-{n}-level": "1",
            f"sections-{n}-key": "extra",
            f"sections-{n}-heading": "新增的一节",
            f"sections-{n}-sentences": "[if accidents.count == 0]全区未发生生产安全事故[end]",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    template.refresh_from_db()
    assert template.updated_by == officer
    keys = set(template.sections.values_list("key", flat=True))
    assert "extra" in keys and "publicity" not in keys
    risk = template.sections.get(key="risk_control")
    assert risk.sentences == "建立隐患台账{hazards.found|text}"
    assert risk.history.first().history_user == officer


def test_the_template_pages_are_the_district_offices(township_a_user, department_user):
    template = ReportTemplate.objects.get(kind="annual")
    for user in (township_a_user, department_user):
        client = client_for(user)
        assert client.get(reverse("reports:template_list")).status_code == 403
        assert (
            client.post(
                reverse("reports:template_edit", args=[template.pk]), _editor_post(template)
            ).status_code
            == 403
        )


def test_a_bad_title_pattern_is_refused_in_chinese(officer):
    template = ReportTemplate.objects.get(kind="annual")
    data = _editor_post(template)
    data["title_pattern"] = "{scope}{yaer}年工作总结"
    response = client_for(officer).post(reverse("reports:template_edit", args=[template.pk]), data)
    assert response.status_code == 200
    assert "{yaer} 不可用" in text_of(response)
    assert ReportTemplate.objects.get(pk=template.pk).title_pattern != data["title_pattern"]


def test_the_menu_offers_the_summaries_to_every_role(leader, township_a_user):
    for user in (leader, township_a_user):
        page = client_for(user).get(reverse("reports:report_list"))
        assert page.status_code == 200
        assert reverse("reports:report_list") in page.content.decode()
