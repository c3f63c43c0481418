"""A small activity ledger over 2024–2026 whose figures the report tests count by hand.

2026 (the year under test):
- 东城街道 (township A): 安全生产月 on 16 Jun (2 场, 300 人次, 横幅 20, 宣传资料 1500, 展板 10); a fire drill on
  2 Apr (1 场, 200 人次); a 约谈 of 东城机械厂 (enterprise A) on 5 May.
- 东城社区 (under A): 安全生产月 on 20 Jun (1 场, 120 人次, 横幅 5, 宣传资料 500).
- 西山镇 (township B): 安全生产月 on 18 Jun (3 场, 400 人次, 横幅 7, 宣传资料 900).
- 区住建局: a training of 主要负责人 on 10 Mar (2 场, 150 人次, 宣传资料 200).
- the district: 安委会全会 on 5 Feb and 20 May, 区委常委会 on 1 Mar, and two 约谈: 15 Apr (A, B, 住建局)
  and 1 Jun (A again, enterprises A and B).
2025 (the year before): 东城街道 安全生产月 on 10 Jun (1 场, 50 人次, 横幅 40) and 31 Dec (1 场, 10 人次,
  横幅 4); the district's 安委会全会 on 1 Mar.
2024: 东城街道 横幅 99 on 1 Jun (two years before: in no period under test).
"""

import datetime as dt

from campaigns.choices_activities import TalkTargetKind
from tests.campaigns.activity_helpers import record, talk

D = dt.date


def build(
    *, officer, township_a_user, township_b_user, department_user, district, enterprise_a, enterprise_b
):
    a, b = district.township_a, district.township_b
    publicity = {"subtype_code": "safety-month"}
    record(
        township_a_user,
        a,
        on=D(2026, 6, 16),
        **publicity,
        sessions=2,
        participants=300,
        quantities={"banner": 20, "leaflet": 1500, "board": 10},
    )
    record(
        township_a_user,
        district.community_a,
        on=D(2026, 6, 20),
        **publicity,
        sessions=1,
        participants=120,
        quantities={"banner": 5, "leaflet": 500},
    )
    record(
        township_a_user,
        a,
        on=D(2026, 4, 2),
        kind_code="drill",
        subtype_code="fire-evacuation",
        sessions=1,
        participants=200,
    )
    talk(township_a_user, a, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)], on=D(2026, 5, 5))
    record(
        township_b_user,
        b,
        on=D(2026, 6, 18),
        **publicity,
        sessions=3,
        participants=400,
        quantities={"banner": 7, "leaflet": 900},
    )
    record(
        department_user,
        district.dept_construction,
        on=D(2026, 3, 10),
        kind_code="training",
        subtype_code="principal",
        sessions=2,
        participants=150,
        quantities={"leaflet": 200},
    )
    for day in (D(2026, 2, 5), D(2026, 5, 20)):
        record(officer, district.district, on=day, kind_code="meeting", subtype_code="safety-committee")
    record(officer, district.district, on=D(2026, 3, 1), kind_code="meeting", subtype_code="party-standing")
    talk(
        officer,
        district.district,
        [
            (TalkTargetKind.TOWNSHIP, a, None),
            (TalkTargetKind.TOWNSHIP, b, None),
            (TalkTargetKind.DEPARTMENT, district.dept_construction, None),
        ],
        on=D(2026, 4, 15),
    )
    talk(
        officer,
        district.district,
        [
            (TalkTargetKind.TOWNSHIP, a, None),
            (TalkTargetKind.ENTERPRISE, None, enterprise_a),
            (TalkTargetKind.ENTERPRISE, None, enterprise_b),
        ],
        on=D(2026, 6, 1),
    )
    # The year before, and two years before.
    record(
        township_a_user,
        a,
        on=D(2025, 6, 10),
        **publicity,
        sessions=1,
        participants=50,
        quantities={"banner": 40},
    )
    record(
        township_a_user,
        a,
        on=D(2025, 12, 31),
        **publicity,
        sessions=1,
        participants=10,
        quantities={"banner": 4},
    )
    record(officer, district.district, on=D(2025, 3, 1), kind_code="meeting", subtype_code="safety-committee")
    record(officer, a, on=D(2024, 6, 1), **publicity, quantities={"banner": 99})
