"""The demo's tables of names and figures, kept as data in demo/data/<name>.json (shipped as package
data), read once per process. The tables are shared: read them, never change them in place."""

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The table file `demo/data/<name>.json`: district, inspections or hazards."""
    return json.loads((resources.files(__package__) / "data" / f"{name}.json").read_text("utf-8"))
