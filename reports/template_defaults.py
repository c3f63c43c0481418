"""The report templates the product starts with, phrased as the seeds phrase them (../shared/seeds): the
annual summary (001), the quarterly report (004), the campaign report (002) and the by-department annual
summary (000). Seeded by migration reports 0004 for a kind that has no template yet, or one without
sections; after that the office edits its templates in the browser (报告模板) and this module is not read
again (a database seeded before a change here keeps its templates: docs/report-templates.md says how to
re-seed one kind).

The sentences use only registered metric keys, including the families that come from code tables seeded
by campaigns 0004 (activities.<kind>.<quantity>, meetings.<sub-type>, talks.<target>);
tests/reports/test_template_defaults.py checks every template against the registry of a fresh database
and builds each kind from an empty one. A sentence about something that may not have happened renders
"" when it did not; `listing` writes "only the figures that are not 0" clauses.

Each section: key (unique in its template; a report keeps the narrative written under it across rebuilds),
level (1 一、 / 2 （一） / 3 1.), heading, sentences (figure sentence templates, reports.sentences, one per
entry, clauses without the final 。), narrative_hint (what staff are asked to write), default_narrative,
table and chart (models.SectionTable / SectionChart), per_unit (departments: repeated for each member unit).
"""

from __future__ import annotations

from .sentences import DEFAULT_SENTENCES as S

# ---------------------------------------------------------------- sentences the seeds call for
# Clauses without the final "。" (the section punctuates them). Each renders "" when it has nothing to
# say (no activity of that kind registered in the period), so a quiet period reads cleanly.

# Publicity, training and drills (001 (四)、004 四、, 000's member units): 场次 and quantities from the
# activity ledger (activities.<kind>.<quantity>, the catalogue seeded by campaigns 0004).
PUBLICITY = (
    "[if activities.publicity.count > 0]开展安全宣传活动{activities.publicity.sessions|text}"
    "[if activities.publicity.leaflet > 0]，发放宣传资料{activities.publicity.leaflet|text}[end]"
    "[if activities.publicity.banner > 0]，悬挂宣传横幅{activities.publicity.banner|text}[end]"
    "[if activities.publicity.screen > 0]，电子显示屏播放标语{activities.publicity.screen|text}[end]"
    "[if activities.publicity.column > 0]，设置宣传专栏{activities.publicity.column|text}[end]"
    "[if activities.publicity.audience > 0]，受众人员达{activities.publicity.audience|text}[end]"
    "[end]"
)
TRAINING = (
    "[if activities.training.count > 0]组织安全生产培训{activities.training.sessions|text}，"
    "累计培训{activities.training.participants|text}[end]"
)
DRILLS = (
    "[if activities.drill.count > 0]组织开展应急演练{activities.drill.sessions|text}，"
    "参演人员共计{activities.drill.participants|text}[end]"
)


def listing(items: list[tuple[str, str]], *, sep: str = "，", before: str = "", after: str = "") -> str:
    """A clause naming only the figures that are not 0, in order, joined by `sep` — e.g. "责令停产整顿6家，
    关闭取缔1家" — with `before`/`after` around it; "" when all are 0. Written in the sentence language
    (an [if]/[elif] chain on the first figure that is not 0), so the office can edit the result."""
    branches = []
    for index, (key, words) in enumerate(items):
        rest = "".join(f"[if {k} > 0]{sep}{w}{{{k}|text}}[end]" for k, w in items[index + 1 :])
        word = "if" if index == 0 else "elif"
        branches.append(f"[{word} {key} > 0]{before}{words}{{{key}|text}}{rest}{after}")
    return "".join(branches) + "[end]"


# Meetings (001 (一): 区委常委会会议9次、区政府常务会议10次、区安委会全会5次、安全生产专题会议16次专题听取和
# 研究部署安全生产工作), those held only.
MEETINGS = listing(
    [
        ("meetings.party-standing", "区委常委会会议"),
        ("meetings.government-executive", "政府常务会议"),
        ("meetings.safety-committee", "安委会全会"),
        ("meetings.safety-special", "安全生产专题会议"),
    ],
    sep="、",
    before="召开",
    after="，专题听取和研究部署安全生产工作",
)
# 约谈 (003: 约谈*个街镇、*个部门; 004: 约谈*家企业), those that happened.
TALKS = listing(
    [
        ("talks.township", "街道/乡镇"),
        ("talks.department", "部门"),
        ("talks.enterprise", "生产经营单位"),
    ],
    sep="、",
    before="约谈",
)
# Enforcement measures (003: 停产整顿*家，关闭取缔*家; 001: 临时查封单位21家，责令三停单位12家), those taken.
MEASURES = listing(
    [
        ("enforcement.suspended", "责令停产整顿"),
        ("enforcement.sealed", "临时查封单位"),
        ("enforcement.three_stops", "责令三停单位"),
        ("enforcement.closed_down", "关闭取缔"),
    ]
)

ANNUAL = {
    "name": "年度安全生产工作总结",
    "title_pattern": "{scope}{year}年安全生产工作总结",
    "sections": [
        {
            "key": "overview",
            "level": 1,
            "heading": "安全生产总体情况",
            "sentences": [S["accidents"]],
            "narrative_hint": "全年安全生产形势的总体判断，道路交通、消防等其他领域的情况。",
            "table": "key_figures",
        },
        {
            "key": "measures",
            "level": 1,
            "heading": "主要工作举措",
            "narrative_hint": "按主题分述全年的主要做法，下列各小节的数据语句已按记录生成。",
        },
        {
            "key": "responsibility",
            "level": 2,
            "heading": "压实安全生产责任",
            "sentences": [MEETINGS, S["leader_led"]],
            "narrative_hint": "党政同责、一岗双责，会议研究部署、责任清单、督导检查等。",
        },
        {
            "key": "risk_control",
            "level": 2,
            "heading": "强化风险管控和隐患排查治理",
            "sentences": [S["hazards"], S["major_hazards"]],
            "narrative_hint": "双重预防机制、重大事故隐患排查整治、挂牌督办、专项资金投入等。",
            "chart": "monthly_trend",
        },
        {
            "key": "enforcement",
            "level": 2,
            "heading": "严格执法检查和打非治违",
            "sentences": [S["inspections"], S["enforcement"], MEASURES, TALKS],
            "narrative_hint": "专项执法行动、重点行业领域整治、执法数据。",
            "table": "townships",
            "chart": "townships",
        },
        {
            "key": "publicity",
            "level": 2,
            "heading": "加强宣传教育培训",
            "sentences": [PUBLICITY, TRAINING, DRILLS],
            "narrative_hint": "安全生产月、宣传咨询日、“一把手谈安全”、培训、演练等。",
        },
        {
            "key": "highlights",
            "level": 1,
            "heading": "亮点工作",
            "narrative_hint": "全年有特色、有成效的做法。",
        },
        {
            "key": "problems",
            "level": 1,
            "heading": "存在问题",
            "narrative_hint": "客观分析工作中的不足和短板。",
        },
        {
            "key": "next_steps",
            "level": 1,
            "heading": "下一步工作打算",
            "narrative_hint": "来年的工作思路和重点措施。",
        },
    ],
}

# ---------------------------------------------------------------- the quarterly report (004)
# The quarter's figures against the same quarter a year before (the key figures table: 本期、去年同期、同比).

QUARTER_ACCIDENTS = (
    "[if accidents.count == 0]本季度未发生生产安全事故"
    "[if accidents.count|previous > 0]，去年同期发生{accidents.count|previous|text}、"
    "死亡{accidents.deaths|previous|text}[end]"
    "[else]本季度共发生生产安全事故{accidents.count|text}"
    "[if accidents.deaths == 0]，未造成人员死亡[else]、死亡{accidents.deaths|text}[end]，"
    "[if accidents.count|previous == 0]去年同期未发生生产安全事故"
    "[else]与去年同期相比，{accidents.count,accidents.deaths|joint_change}[end]"
    "[end]"
)
QUARTER_WORK = (
    "[if inspections.actions == 0]本季度未开展执法检查"
    "[else]本季度开展执法检查{inspections.actions|text}，{inspections.actions|change}，"
    "已检查各类生产经营单位{inspections.unit_visits|text}，{inspections.unit_visits|change}[end]"
)
QUARTER_HAZARDS = (
    "[if hazards.found == 0]本季度未发现问题隐患"
    "[else]发现问题隐患{hazards.found|text}，整改完成{hazards.rectified|text}，"
    "整改率为{hazards.rectification_rate|rate}[end]"
)
QUARTER_ENFORCEMENT = (
    "[if enforcement.cases == 0]本季度未立案查处"
    "[else]各相关部门共立案{enforcement.cases|text}，{enforcement.cases|change}"
    "[if enforcement.fines_total > 0]，罚款{enforcement.fines_total|money}[end][end]"
)

QUARTERLY: dict = {
    "name": "季度安全生产工作报告",
    "title_pattern": "{scope}{year}年第{quarter}季度安全生产工作报告",
    "sections": [
        {
            "key": "overview",
            "level": 1,
            "heading": "安全生产总体情况",
            "sentences": [QUARTER_ACCIDENTS],
            "narrative_hint": "本季度安全生产形势的总体判断（自然灾害、道路交通、消防等），与去年同期比较。",
            "table": "key_figures",
        },
        {
            "key": "organisation",
            "level": 1,
            "heading": "强化组织领导，不断健全组织责任体系",
            "sentences": [MEETINGS, S["leader_led"]],
            "narrative_hint": "一是树牢安全发展理念；二是加大综合监管力度（通报、提醒函）；三是优化督导考核机制。",
        },
        {
            "key": "campaigns",
            "level": 1,
            "heading": "聚焦重点任务，持续深化专项整治成效",
            "sentences": [QUARTER_WORK, QUARTER_HAZARDS, S["major_hazards"]],
            "narrative_hint": "本季度专项行动的方案、实施阶段和进展；专家服务；重要节点（如“两会”）的安全监管。",
            "chart": "monthly_trend",
        },
        {
            "key": "key_areas",
            "level": 1,
            "heading": "紧盯重点领域，扎实推进隐患排查整治",
            "narrative_hint": "按行业领域分段写（非煤矿山方面、消防安全方面、道路交通方面、工贸方面、建筑施工方面、"
            "危化品方面、城乡燃气方面……）：做法、检查和整改数据。",
            "table": "townships",
        },
        {
            "key": "foundations",
            "level": 1,
            "heading": "坚持强基固本，切实增强安全保障能力",
            "sentences": [QUARTER_ENFORCEMENT, MEASURES, PUBLICITY, TRAINING, DRILLS],
            "narrative_hint": "一是创新执法手段；二是夯实安全基础（宣传、培训、信息化）；三是聚焦多元共治。",
        },
        {
            "key": "next_steps",
            "level": 1,
            "heading": "下步工作打算",
            "narrative_hint": "一是强化安全责任落地；二是强化系统风险防控；三是强化本质安全提升；四是强化执法震慑警示。",
        },
    ],
}

# ---------------------------------------------------------------- the campaign report (002)
# Its figures count the campaign's days (its start to its end or today); the phases and the progress
# against its targets are the campaign_targets table (reports.summaries_campaign), counted from the
# records tagged with the campaign.

CAMPAIGN_ACCIDENTS = (
    "[if accidents.count == 0]行动开展以来，未发生生产安全事故"
    "[else]行动开展以来，共发生生产安全事故{accidents.count|text}"
    "[if accidents.deaths == 0]，未造成人员死亡[else]、死亡{accidents.deaths|text}[end][end]"
)
CAMPAIGN_INSPECTIONS = (
    "[if inspections.actions > 0]行动期间共开展执法检查{inspections.actions|text}，"
    "出动执法人员{inspections.person_times|text}，检查生产经营单位{inspections.units|text}[end]"
)
CAMPAIGN_ENFORCEMENT = (
    "[if enforcement.cases > 0]立案查处{enforcement.cases|text}"
    "[if enforcement.fines_total > 0]，对企业处罚{enforcement.fines_total|money}[end][end]"
)
CAMPAIGN_HAZARDS = (
    "[if hazards.found == 0]行动期间未发现隐患"
    "[else]行动期间排查隐患{hazards.found|text}，整改完成{hazards.rectified|text}，"
    "整改率{hazards.rectification_rate|rate}[end]"
)

CAMPAIGN: dict = {
    "name": "专项行动工作报告",
    "title_pattern": "{scope}{campaign}工作报告",
    "sections": [
        {
            "key": "overview",
            "level": 1,
            "heading": "行动开展总体情况",
            "sentences": [CAMPAIGN_ACCIDENTS],
            "narrative_hint": "现将专项行动有关情况汇报如下：行动的部署、方案框架（如1+2+12）、实施阶段和总体成效。"
            "下表列出各阶段和目标完成情况。",
            "table": "campaign_targets",
        },
        {
            "key": "leadership",
            "level": 1,
            "heading": "领导真重视，坚持高位推动",
            "narrative_hint": "精心组织抓部署、亲力亲为严督导、不折不扣强保障（组织、力量、资金保障）。",
        },
        {
            "key": "deployment",
            "level": 2,
            "heading": "精心组织抓部署",
            "sentences": [MEETINGS],
            "narrative_hint": "方案制定、征求意见、动员部署会议。",
        },
        {
            "key": "supervision",
            "level": 2,
            "heading": "亲力亲为严督导",
            "sentences": [S["leader_led"]],
            "narrative_hint": "提示函、领导督导检查。",
        },
        {
            "key": "measures",
            "level": 1,
            "heading": "措施真得力，确保工作落地",
            "narrative_hint": "各部门单位分析研判、细化措施。",
        },
        {
            "key": "duties",
            "level": 2,
            "heading": "部门切实履职，严控安全风险",
            "sentences": [CAMPAIGN_INSPECTIONS],
            "narrative_hint": "各牵头部门的专项整治做法和数据。",
            "table": "townships",
        },
        {
            "key": "penalties",
            "level": 2,
            "heading": "敢于严抓严管，加大处罚力度",
            "sentences": [CAMPAIGN_ENFORCEMENT, MEASURES],
            "narrative_hint": "检查就是执法，违规必须处罚，处罚必须到位；委托执法等。",
        },
        {
            "key": "publicity",
            "level": 2,
            "heading": "加大宣传攻势，营造浓厚氛围",
            "sentences": [PUBLICITY, TRAINING, DRILLS],
            "narrative_hint": "专栏报道、横幅标语、宣传资料、培训演练。",
        },
        {
            "key": "rectification",
            "level": 1,
            "heading": "隐患真整改，做到精准治理",
            "sentences": [CAMPAIGN_HAZARDS, S["major_hazards"]],
            "narrative_hint": "隐患梳理、整改通知、挂牌督办、攻坚行动及成效（一是……二是……三是……）。",
            "chart": "monthly_trend",
        },
        {
            "key": "next_steps",
            "level": 1,
            "heading": "下阶段工作打算",
            "narrative_hint": "加强宣传教育、开展联合执法、强化督查考核，深入推进专项行动。",
        },
    ],
}

# ---------------------------------------------------------------- by member unit (000)
# One part per member unit (per_unit sections, level 3): the build repeats them for every department
# (or the one department a department's report is for), under a heading with the unit's name, inside
# 二、成员单位履职情况.

UNIT_INSPECTIONS = (
    "[if inspections.actions > 0]开展安全生产检查{inspections.actions|text}，"
    "检查生产经营单位{inspections.unit_visits|text}[end]"
)
UNIT_HAZARDS = (
    "[if hazards.found == 0]未发现安全隐患"
    "[else]发现各类安全隐患{hazards.found|text}，整改完成安全隐患{hazards.rectified|text}，"
    "隐患整改率达到{hazards.rectification_rate|rate}[end]"
)
UNIT_ENFORCEMENT = (
    "[if enforcement.cases > 0]立案查处{enforcement.cases|text}"
    "[if enforcement.fines_total > 0]，罚款{enforcement.fines_total|money}[end][end]"
)

DEPARTMENTS: dict = {
    "name": "成员单位年度安全生产工作总结",
    "title_pattern": "{scope}安委会成员单位{year}年安全生产工作总结",
    "sections": [
        {
            "key": "overview",
            "level": 1,
            "heading": "安全生产总体情况",
            "sentences": [S["accidents"], S["hazards"]],
            "narrative_hint": "全年目标、总体形势（未发生较大及以上事故等）和全区重点工作。",
            "table": "key_figures",
        },
        {
            "key": "units",
            "level": 1,
            "heading": "成员单位履职情况",
            "narrative_hint": "按照“业务相近”的原则，安委会成员单位各司其职、各尽其责，在行业系统全面开展安全宣传和"
            "隐患排查。下表为各成员单位的主要数据，以下分单位总结。",
            "table": "departments",
        },
        {
            "key": "unit_work",
            "level": 3,
            "heading": "工作开展情况",
            "sentences": [UNIT_INSPECTIONS, UNIT_HAZARDS, UNIT_ENFORCEMENT, PUBLICITY, TRAINING, DRILLS],
            "narrative_hint": "本单位的主要做法：一是……二是……三是……（如“公共安全有次序”“建筑领域稳求进”）。",
            "per_unit": True,
        },
        {
            "key": "unit_next",
            "level": 3,
            "heading": "存在问题和下步打算",
            "narrative_hint": "本单位行业领域的薄弱环节和下一步措施。",
            "per_unit": True,
        },
        {
            "key": "next_steps",
            "level": 1,
            "heading": "后段工作安排",
            "narrative_hint": "（一）压实监管责任；（二）完善风险防控机制，落实管控措施；（三）创新宣传方式，加强宣传教育。",
        },
    ],
}

DEFAULT_TEMPLATES: dict[str, dict] = {
    "annual": ANNUAL,
    "quarterly": QUARTERLY,
    "campaign": CAMPAIGN,
    "departments": DEPARTMENTS,
}
