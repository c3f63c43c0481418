from django import template

register = template.Library()


@register.filter
def hazards_of(by_result: dict, result) -> list:
    """The hazards registered from `result`, out of a record panel's result id → hazards."""
    return by_result.get(result.pk, [])
