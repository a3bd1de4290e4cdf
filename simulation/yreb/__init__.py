"""YREB factor-flow simulation: agent-based model of talent, labour, capital and knowledge flows.

The Python API (``yreb.load_scenario``, ``yreb.run``, ``yreb.compare``, ...; docs/API.md) lives in
``yreb.api`` and is imported on first use, so that ``import yreb`` and the ``yreb`` command stay fast.
"""

__version__ = "0.1.0"  # the one version: the package metadata (pyproject.toml reads it) and every result's

API = (
    "Comparison",
    "Result",
    "compare",
    "export_result",
    "list_scenarios",
    "load_result",
    "load_scenario",
    "modify",
    "run",
    "scenario_from_dict",
)
__all__ = ["__version__", *API]


def __getattr__(name: str):
    """The API's names, imported from ``yreb.api`` on first use."""
    if name in API:
        from yreb import api

        return getattr(api, name)
    raise AttributeError(f"module 'yreb' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Module attributes including the lazily imported API."""
    return sorted({*globals(), *API})
