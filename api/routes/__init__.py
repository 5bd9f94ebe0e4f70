"""One module per resource, each with a thin ``router`` over graph.services.

``api.main`` mounts the router of every module in this package, so adding a module adds its
routes.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["route_modules"]


def route_modules() -> list[ModuleType]:
    """Every route module of the package, in name order."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]
