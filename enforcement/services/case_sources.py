"""What a case opened from an accident or a whistle-blower report starts with (立案调查 on their pages):
the enterprise, the source and the facts, for the 立案 form to show and the officer to complete."""

from django.utils import timezone
from django.utils.translation import gettext as _

from hazards.models import Accident

from ..choices import CaseSource
from ..models import Tip


def case_initial_from_accident(accident: Accident) -> dict:
    facts = _("事故 %(number)s：%(date)s %(category)s，死亡%(deaths)d人、受伤%(injuries)d人。%(summary)s") % {
        "number": accident.number,
        "date": accident.occurred_on.isoformat(),
        "category": accident.category.name,
        "deaths": accident.deaths,
        "injuries": accident.injuries,
        "summary": accident.summary,
    }
    return {
        "enterprise": accident.enterprise,
        "source": CaseSource.ACCIDENT,
        "source_accident": accident,
        "facts": facts,
        "opened_on": timezone.localdate(),
    }


def case_initial_from_tip(tip: Tip) -> dict:
    """The reporter is never carried into the case: it names the report by its number only."""
    facts = _("举报 %(number)s（%(date)s 受理）核查属实：%(result)s") % {
        "number": tip.number,
        "date": tip.received_on.isoformat(),
        "result": tip.result or tip.content,
    }
    return {
        "enterprise": tip.enterprise,
        "source": CaseSource.TIP,
        "source_tip": tip,
        "facts": facts,
        "opened_on": timezone.localdate(),
    }
