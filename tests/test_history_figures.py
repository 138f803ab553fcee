"""The history pages' figures: all drawn, and their numbers those of the pages.

``docs/history_figures.py`` draws every figure that a page under
``docs/history/`` embeds as ``![...](figures/<name>.svg)``.  These tests check
that ``generate()`` writes each of them (and nothing no page uses), that the
output does not change from run to run, and that the numbers the figures
carry are the sourced ones printed on the pages: the machine-size timeline
plots exactly the table of electronic.md, the tide curve is the sum of the
constituents tabulated in kelvin_machines.md, and the pens of the falling-body
shaft diagram draw the simulated run of that circuit.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
HISTORY = DOCS / "history"
_IMAGE = re.compile(r"!\[[^\]]*\]\(figures/([^)\s]+)\)")


def _load():
    spec = importlib.util.spec_from_file_location(
        "history_figures", DOCS / "history_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hf = _load()


def referenced_figures() -> dict[str, list[str]]:
    """Figure file name -> the pages that embed it."""
    found: dict[str, list[str]] = {}
    for page in sorted(HISTORY.glob("*.md")):
        for name in _IMAGE.findall(page.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(page.name)
    return found


def table_rows(page: str, header_start: str) -> list[list[str]]:
    """The cells of the Markdown table whose header row starts with ``header_start``."""
    lines = (HISTORY / page).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    return folder, hf.generate(folder)


def test_the_pages_embed_figures():
    refs = referenced_figures()
    assert {"kelvin_machines.md", "fifty_five_years.md", "electronic.md"} <= {
        p for pages in refs.values() for p in pages
    }


def test_generate_writes_every_figure_the_pages_reference(written):
    folder, paths = written
    names = {p.name for p in paths}
    refs = referenced_figures()
    missing = sorted(set(refs) - names)
    assert not missing, f"embedded by a page but not drawn: {missing}"
    unused = sorted(names - set(refs))
    assert not unused, f"drawn but embedded by no page: {unused}"
    for name in refs:
        data = (folder / name).read_bytes()
        assert data.startswith(b"<?xml") and b"<svg" in data[:2000], name


def test_generate_is_reproducible(written):
    folder, _ = written
    assert hf.generate(folder) == []  # same bytes: nothing rewritten


def test_machine_sizes_equal_the_sourced_table():
    rows = table_rows("electronic.md", "| year | machine | count |")
    page = []
    for year, machine, count, kind, ref in rows:
        assert re.fullmatch(r"\[\d+(, \d+)*\]", ref), f"{machine}: no reference"
        page.append((int(year), machine, int(count), kind))
    assert page == hf.MACHINE_SIZES


def test_machine_sizes_figure_plots_the_table():
    ax = hf.draw_machine_sizes().axes[0]
    plotted = set()
    for line in ax.get_lines():
        gid = line.get_gid() or ""
        if gid.startswith("sizes:"):
            kind = gid.split(":", 1)[1]
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                plotted.add((int(x), int(y), kind))
    assert plotted == {(y, n, k) for y, _, n, k in hf.MACHINE_SIZES}


def test_tide_constants_equal_the_page():
    rows = table_rows("kelvin_machines.md", "| constituent | amplitude H (ft) |")
    page = {name: (float(a), float(k), float(s)) for name, a, k, s in rows}
    assert page == hf.TIDE_CONSTITUENTS


def test_tide_periods_on_the_page_follow_from_the_speeds():
    rows = table_rows("kelvin_machines.md", "| constituent | what it is |")
    for name, _, period, speed in rows:
        assert float(speed) == hf.TIDE_CONSTITUENTS[name][2]
        assert f"{360.0 / float(speed):.2f} h" == period, name


def test_tide_curve_is_the_sum_of_the_page_constituents():
    rows = table_rows("kelvin_machines.md", "| constituent | amplitude H (ft) |")
    fig = hf.draw_kelvin_tide()
    lines = {
        line.get_gid(): line
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_gid()
    }
    total = lines["tide:sum"]
    hours = np.asarray(total.get_xdata()) * 24.0
    expected = sum(
        float(a) * np.cos(np.radians(float(s) * hours - float(k)))
        for _, a, k, s in rows
    )
    assert hours[-1] == pytest.approx(hf.TIDE_HOURS)
    np.testing.assert_allclose(total.get_ydata(), expected, rtol=0, atol=1e-12)
    assert {f"tide:{name}" for name, *_ in rows} <= set(lines)


def test_falling_body_pens_draw_the_simulated_run():
    _, traj = hf.falling_body_run()
    p = hf.FALLING_BODY
    t = traj.t
    x = (
        p["x0"]
        - (p["g"] / p["k"]) * t
        + (p["g"] / p["k"] ** 2) * (1 - np.exp(-p["k"] * t))
    )
    np.testing.assert_allclose(traj["x"], x, atol=1e-7)
    ax = hf.draw_falling_body_shaft().axes[0]
    pens = {
        a.get_gid(): a for a in ax.get_children() if str(a.get_gid()).startswith("pen:")
    }
    assert set(pens) == {"pen:x", "pen:v"}
    for name in ("x", "v"):
        y = np.asarray(pens[f"pen:{name}"].get_ydata(), dtype=float)
        # the board maps the signal affinely: y = a·signal + b, exactly
        design = np.column_stack([traj[name], np.ones_like(t)])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        np.testing.assert_allclose(design @ coef, y, atol=1e-9)


def test_falling_body_page_runs_the_same_set_up():
    text = (HISTORY / "fifty_five_years.md").read_text(encoding="utf-8")
    p = hf.FALLING_BODY
    for snippet in (
        f'c.integrator("x", initial={p["x0"]})',
        f'c.integrator("v", initial={p["v0"]})',
        f'c.constant("g", value={p["g"]})',
        f'c.gain("drag", k=-{p["k"]})',
        f"simulate(c, (0.0, {p['T']})",
    ):
        assert snippet in text, snippet
    assert sorted(hf.falling_body().graph.nodes) == ["drag", "g", "v", "x"]
