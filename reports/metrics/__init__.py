"""The metric definitions, one module per domain; importing this package registers them all."""

from . import accidents, activities, enforcement, evaluation, hazards, inspections  # noqa: F401
