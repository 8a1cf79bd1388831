"""The examples in the docstrings run, and say what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

PACKAGES = ("graph", "ingest", "dashboard", "scenarios", "schakel", "i18n")
# Page scripts and `python -m schakel`: importing them runs them; they have no examples.
SKIP = ("dashboard.app", "dashboard.screens.", "schakel.__main__")


def modules() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
            if not info.name.startswith(SKIP):
                names.append(info.name)
    return sorted(names)


def examples(module: ModuleType) -> int:
    return sum(len(t.examples) for t in doctest.DocTestFinder().find(module))


@pytest.mark.parametrize("name", [n for n in modules()
                                  if examples(importlib.import_module(n))])
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    failed, attempted = doctest.testmod(importlib.import_module(name), verbose=False,
                                        optionflags=doctest.ELLIPSIS)
    assert attempted > 0
    assert failed == 0, f"{failed} of {attempted} examples in {name} fail (run with -s)"


def test_every_module_with_examples_is_found() -> None:
    """The known ones, so that a change to the walk cannot quietly skip them all."""
    found = {n for n in modules() if examples(importlib.import_module(n))}
    assert {"dashboard.text", "dashboard.graph_view", "graph.analysis.evaluate",
            "graph.analysis.patterns"} <= found
