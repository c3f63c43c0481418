"""What a campaign has achieved, counted by the apps that own the records.

campaigns may not import inspections, hazards or enforcement (the layer order), yet a campaign's
page shows how many enterprises were inspected, hazards found and cases opened under it. So each of
those apps registers, from its `AppConfig.ready()`, one measure per figure under a key of
`campaigns.choices.TargetMetric`:

    register_campaign_measure(
        TargetMetric.HAZARDS_FOUND, _("排查隐患"), "项", hazards_found,
        by_unit=hazards_found_by_unit, list_url="hazards:hazard_list", order=30,
    )

- `func(user, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False)` counts the
  records tagged to the campaigns in ONE query, scoped to what `user` may see (the app's own
  `restrict()`), within the period when one is given: `{campaign_id: number}` (campaigns with nothing
  left out, read as 0), or with `combined=True` one number for all of `campaign_ids` together (a
  campaign with its sub-plans: an enterprise inspected under two of them is one 家). Money is a
  Decimal in 万元.
- `by_unit(user, campaign_ids, *, date_from=None, date_to=None) -> {org_unit_id: number}` (optional):
  the same figure for the campaigns together, by the unit that did the work (the inspecting unit,
  the unit following the hazard, the unit handling the case), in one query; the campaign page rolls
  the units up to its member units.
- `list_url` (optional): the URL name of the list that filters by `?campaign=<id>`, for the links.
- `additive`: False when the figures of two campaigns may not be added up (distinct enterprises).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

Number = int | Decimal
MeasureFunc = Callable[..., dict[int, Number] | Number]


@dataclass(frozen=True)
class CampaignMeasure:
    key: str
    label: str
    unit: str
    func: MeasureFunc
    by_unit: MeasureFunc | None = None
    list_url: str | None = None
    by_sector: bool = True
    additive: bool = True
    order: int = 100

    @property
    def zero(self) -> Number:
        return Decimal("0.00") if self.unit == "万元" else 0


_registry: dict[str, CampaignMeasure] = {}


def register_campaign_measure(
    key: str,
    label,
    unit: str,
    func: MeasureFunc,
    *,
    by_unit: MeasureFunc | None = None,
    list_url: str | None = None,
    by_sector: bool = True,
    additive: bool = True,
    order: int = 100,
) -> None:
    """Count `key` for campaigns with `func` (see the module docstring). ready() may run twice:
    registering a key again replaces it."""
    _registry[str(key)] = CampaignMeasure(
        str(key), label, unit, func, by_unit, list_url, by_sector, additive, order
    )


def get_measure(key: str) -> CampaignMeasure | None:
    return _registry.get(str(key))


def measures() -> list[CampaignMeasure]:
    return sorted(_registry.values(), key=lambda m: (m.order, m.key))


def measure_values(
    measure: CampaignMeasure,
    user,
    campaign_ids,
    *,
    sector_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[int, Number]:
    """{campaign_id: number} for each of `campaign_ids` on its own."""
    if not campaign_ids:
        return {}
    if not measure.by_sector:
        sector_id = None
    return measure.func(user, list(campaign_ids), sector_id=sector_id, date_from=date_from, date_to=date_to)


def measure_total(
    measure: CampaignMeasure,
    user,
    campaign_ids,
    *,
    sector_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Number:
    """One number for `campaign_ids` together (a campaign and its sub-plans)."""
    if not campaign_ids:
        return measure.zero
    if not measure.by_sector:
        sector_id = None
    return measure.func(
        user, list(campaign_ids), sector_id=sector_id, date_from=date_from, date_to=date_to, combined=True
    )
