"""Shared test set-up: the Hypothesis profiles, and the tools CI may not skip.

Hypothesis profiles
    ``ci`` is loaded under ``CI=true``, ``dev`` otherwise (or the one named by
    ``HYPOTHESIS_PROFILE``).  Both print the failing example's blob (replay it
    with ``@reproduce_failure``) and have no deadline.  ``ci`` draws new cases
    on every run (``derandomize=False``, unlike Hypothesis's own ``ci``
    profile), keeps no database (each CI run starts from a fresh checkout), and
    stops shrinking a failure after ``SHRINK_SECONDS``.  Test modules build
    their ``settings(...)`` at import time, from the profile loaded here,
    which pytest imports before them.

Tools
    A test marked ``needs_dot`` (the Graphviz ``dot`` program) or
    ``needs_browser`` (headless Chromium, see docs/check_site.py) skips where
    its tool is missing, but under ``CI=true`` such a test is an error, and so
    is any other skip of a test with one of these marks: a check that cannot
    run in CI proves nothing.

Under ``CI=true`` the summary ends with one line, ``skipped: N (reason: n, ...)``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections import Counter
from collections.abc import Callable, Generator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

try:
    from hypothesis.internal.conjecture import engine
except ImportError:  # moved in some future release: see below
    engine = None  # type: ignore[assignment]

DOCS = Path(__file__).resolve().parent.parent / "docs"

SHRINK_SECONDS = 60
"""How long the ``ci`` profile lets Hypothesis shrink one failure (its own cap: 300 s)."""


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``), where a missing tool is a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# -- Hypothesis ------------------------------------------------------------------

# There is no public setting for shrinking time; the engine reads this module
# constant on every run, and documents it as the one to patch.  Should a future
# release drop it, the ci profile skips shrinking instead, and says so.
_can_bound_shrinking = isinstance(getattr(engine, "MAX_SHRINKING_SECONDS", None), int)

settings.register_profile(
    "dev", settings.get_profile("default"), deadline=None, print_blob=True
)
settings.register_profile(
    "ci",
    settings.get_profile("default"),
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=list(Phase) if _can_bound_shrinking else [
        phase for phase in Phase if phase.name not in ("shrink", "explain")
    ],
)  # fmt: skip
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev")
settings.load_profile(PROFILE)
if PROFILE == "ci" and _can_bound_shrinking:
    engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS


def pytest_report_header(config: pytest.Config) -> str:
    shrink = (
        f"shrinking capped at {engine.MAX_SHRINKING_SECONDS} s"
        if _can_bound_shrinking
        else "no shrinking in ci (this Hypothesis has no MAX_SHRINKING_SECONDS)"
    )
    return f"hypothesis profile: {PROFILE} ({shrink})"


# -- tools that a test needs -----------------------------------------------------


@cache
def _find_browser() -> str | None:
    spec = importlib.util.spec_from_file_location("check_site", DOCS / "check_site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.find_browser()


TOOLS: dict[str, tuple[str, Callable[[], str | None]]] = {
    "needs_dot": (
        "the Graphviz dot program (Debian package graphviz)",
        lambda: shutil.which("dot"),
    ),
    "needs_browser": (
        "headless Chromium (Debian package chromium, or set CHROMIUM)",
        _find_browser,
    ),
}
"""Marker name: (the tool, a function giving its path or None)."""


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark, (tool, find) in TOOLS.items():
        if item.get_closest_marker(mark) and find() is None:
            if in_ci():
                pytest.fail(f"CI=true: {tool} is missing; install it", pytrace=False)
            pytest.skip(f"needs {tool}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI=true, a skip of a test marked with a tool it needs is an error."""
    report = yield
    marks = [mark for mark in TOOLS if item.get_closest_marker(mark)]
    if report.skipped and marks and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: {item.nodeid} is marked {', '.join(marks)} and was skipped "
            f"({reason}); in CI its tool must be installed, so this is an error"
        )
    return report


def skip_reasons(reports: list[pytest.TestReport]) -> Counter[str]:
    """How many tests were skipped for each reason."""
    reasons: Counter[str] = Counter()
    for report in reports:
        if hasattr(report, "wasxfail"):
            continue
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        reasons[str(reason).removeprefix("Skipped: ")] += 1
    return reasons


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under CI=true, end with one line: ``skipped: N (reason: n, ...)``."""
    if not in_ci():
        return
    reasons = skip_reasons(terminalreporter.stats.get("skipped", []))
    why = ", ".join(f"{reason}: {n}" for reason, n in reasons.most_common())
    total = sum(reasons.values())
    terminalreporter.write_line(f"skipped: {total}" + (f" ({why})" if why else ""))
