"""The documentation site: the gallery generator, the history pages, the Sphinx build.

The fast tests run the gallery generator on small circuits, read the
Markdown sources, and run docs/check_site.py on a small site with faults
planted in it.  The slow ones build the whole site with Sphinx, warnings as
errors, into a temporary folder (about half a minute), check the pages it
produced, and open every page in Chromium with docs/check_site.py.  Tests
marked ``needs_dot`` or ``needs_browser`` skip without their tool, but not
under ``CI=true`` (tests/conftest.py; tested at the end of this file).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version

import circuits

DOCS = Path(__file__).resolve().parent.parent / "docs"
HISTORY = (
    "index",
    "kelvin",
    "kelvin_machines",
    "fifty_five_years",
    "bush",
    "meccano",
    "gpac",
    "universal",
    "electronic",
)
STYLES = ("gpac", "electronic", "compiled")


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gallery_gen() -> ModuleType:
    return load("gallery_gen")


@pytest.fixture(scope="module")
def check_site() -> ModuleType:
    return load("check_site")


# ----- the gallery generator ----------------------------------------------------


@pytest.mark.needs_dot
def test_gallery_page_shows_svg_drawings_shaft_diagram_and_plot(gallery_gen, tmp_path):
    written = gallery_gen.generate(tmp_path, ["exponential_decay"])
    page = tmp_path / "exponential_decay" / "index.md"
    assert page in written and tmp_path / "index.md" in written
    text = page.read_text(encoding="utf-8")
    for stem in [*(f"exponential_decay-{s}" for s in STYLES), "exponential_decay-shaft",
                 "exponential_decay-plot"]:  # fmt: skip
        svg = tmp_path / "exponential_decay" / f"{stem}.svg"
        assert f"{{figure}} {stem}.svg" in text, f"page does not show {stem}.svg"
        assert svg.read_bytes().lstrip().startswith((b"<?xml", b"<svg")), stem
    assert "x' = -x" in text  # the compiled equations
    assert "one integrator fed back on itself" in text  # the docstring
    assert "[exponential_decay](exponential_decay/index.md)" in (
        tmp_path / "index.md"
    ).read_text(encoding="utf-8")
    # A second run changes nothing, so Sphinx has nothing to reread.
    assert gallery_gen.generate(tmp_path, ["exponential_decay"]) == []


def test_gallery_page_without_dot_shows_the_dot_source(gallery_gen, tmp_path):
    gallery_gen.generate(tmp_path, ["sine_cosine"], use_dot=False)
    text = (tmp_path / "sine_cosine" / "index.md").read_text(encoding="utf-8")
    assert text.count("The Graphviz `dot` program was not found") == 3
    assert text.count("digraph") == 3
    assert "sine_cosine-gpac.svg" not in text
    assert (tmp_path / "sine_cosine" / "sine_cosine-plot.svg").is_file()


def test_big_circuits_get_no_shaft_diagram_and_truncated_equations(
    gallery_gen, tmp_path
):
    entry = circuits.get("heat_equation")
    gallery_gen.generate(tmp_path, ["heat_equation"], use_dot=False)
    folder = tmp_path / "heat_equation"
    text = (folder / "index.md").read_text(encoding="utf-8")
    n = entry.params["n"]
    assert f"Not drawn: the circuit has {n} blocks" in text
    assert not (folder / "heat_equation-shaft.svg").exists()
    assert f"… ({n - gallery_gen.HEAD_EQUATIONS} more equations)" in text


def test_stale_gallery_pages_are_removed(gallery_gen, tmp_path):
    stale = tmp_path / "gone"
    stale.mkdir()
    (stale / "index.md").write_text(gallery_gen.MARKER + "\n# gone\n", encoding="utf-8")
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "index.md").write_text("# hand-written\n", encoding="utf-8")
    (tmp_path / "bessel").mkdir()
    (tmp_path / "bessel" / "index.md").write_text(gallery_gen.MARKER, encoding="utf-8")
    assert gallery_gen.remove_stale(tmp_path, circuits.CATALOG) == [stale]
    assert not stale.exists()
    assert (tmp_path / "bessel").is_dir()
    assert keep.is_dir()


# ----- the history pages and the lessons ----------------------------------------


def test_history_index_lists_every_page():
    # Every page of docs/history/ is in the index's toctree (and in HISTORY);
    # tests/test_history.py checks each page's references.
    text = (DOCS / "history" / "index.md").read_text(encoding="utf-8")
    toctree = text.split("```{toctree}", 1)[1].split("```", 1)[0]
    assert toctree.split() == [":maxdepth:", "1", *HISTORY[1:]]
    pages = {p.stem for p in (DOCS / "history").glob("*.md")}
    assert pages == set(HISTORY)


def test_bush_page_shows_the_bessel_build_function():
    text = (DOCS / "history" / "bush.md").read_text(encoding="utf-8")
    assert (
        "```{literalinclude} ../../circuits/bessel.py\n:language: python\n:pyobject: build\n"
        in text
    )
    assert "2.404825557695773" in text
    assert "(../gallery/bessel/index.md)" in text


def test_lesson_plan_has_eight_classes_each_with_something_to_run():
    text = (DOCS / "lessons.md").read_text(encoding="utf-8")
    classes = re.split(r"^## \d\. ", text, flags=re.MULTILINE)[1:]
    assert len(classes) == 8
    for number, body in enumerate(classes, start=1):
        body = body.split("\n## Sources", 1)[0]
        assert "**Run.**" in body and "**Observe.**" in body, f"class {number}"
        assert ">>> " in body, f"class {number} has no example that runs"


def test_index_toctree_reaches_the_new_sections():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    toctree = text.split("```{toctree}", 1)[1].split("```", 1)[0].split()
    for entry in ("gallery/index", "history/index", "lessons"):
        assert entry in toctree


# ----- check_site on small sites ------------------------------------------------


def test_check_site_skips_cleanly_without_chromium_but_not_in_ci(
    check_site, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no browser on it
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert check_site.find_browser() is None
    assert check_site.main([str(tmp_path)]) == 0
    assert "Chromium not found" in capsys.readouterr().out
    monkeypatch.setenv("CI", "true")
    assert check_site.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED: Chromium not found" in out and "apt-get install chromium" in out


FAULTY = {
    "index.html": '<h1 id="top">Home</h1><a href="good.html#part">good</a>'
    '<a href="gone.html">gone</a><a href="good.html#nowhere">no anchor</a>'
    '<a href="https://example.org/">elsewhere</a><a href="#top">up</a>',
    "good.html": '<h2 id="part">Part</h2><img src="ink.svg" alt="ink">'
    '<a href="sub/">sub</a>',
    "sub/index.html": '<a href="../index.html#top">home</a>',
    "broken.html": '<img src="missing.svg" alt="missing"><img src="blank.svg">',
    "noisy.html": "<script>console.error('boom from noisy')</script>"
    "<script>undefined_function()</script>",
}
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">{}</svg>'


@pytest.fixture
def faulty_site(tmp_path) -> Path:
    """A small site: two good pages, and one fault of each kind on the others."""
    site = tmp_path / "site"
    for name, body in FAULTY.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<!doctype html><html><body>{body}</body></html>")
    (site / "ink.svg").write_text(SVG.format('<rect width="400" height="300"/>'))
    (site / "blank.svg").write_text(SVG.format(""))
    return site


def test_check_site_finds_broken_links_statically(check_site, faulty_site):
    pages = check_site.site_pages(faulty_site)
    assert pages == ["broken.html", "good.html", "index.html", "noisy.html",
                     "sub/index.html"]  # fmt: skip
    assert check_site.broken_links(faulty_site, pages) == [
        "/broken.html: link missing.svg: no such file missing.svg",
        "/index.html: link gone.html: no such file gone.html",
        "/index.html: link good.html#nowhere: good.html has no anchor #nowhere",
    ]


@pytest.mark.needs_browser
def test_check_site_names_each_page_with_a_broken_image_or_console_error(
    check_site, faulty_site, tmp_path
):
    browser = check_site.find_browser()
    shots = {"good": "good.html"}
    problems, notes = check_site.check_site(faulty_site, browser, tmp_path, shots)
    bad = {problem.split(":")[0] for problem in problems}
    assert bad == {"/broken.html", "/index.html", "/noisy.html"}, problems
    text = "\n".join(problems)
    assert "/broken.html: image missing.svg: no such file missing.svg" in text
    assert "/broken.html: image blank.svg: blank" in text
    assert "/noisy.html: console.error: boom from noisy" in text
    assert "/noisy.html: uncaught exception: ReferenceError" in text
    assert notes == []  # the link to example.org is not followed
    assert check_site.ink_fraction(tmp_path / "good.png") > check_site.MIN_INK


# ----- the whole site, built by Sphinx ------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(out / "html"), "-d", str(out / "doctrees")],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"sphinx -W failed:\n{done.stderr[-5000:]}"
    return out / "html"


@pytest.mark.slow
def test_site_has_a_gallery_page_per_catalog_entry(site):
    pages = sorted(p.parent.name for p in site.glob("gallery/*/index.html"))
    assert pages == sorted(circuits.CATALOG)
    front = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    for name in circuits.CATALOG:
        assert f'href="{name}/index.html"' in front


@pytest.mark.slow
@pytest.mark.needs_dot
@pytest.mark.parametrize("name", list(circuits.CATALOG))
def test_site_gallery_page_references_its_svgs(site, name):
    html = (site / "gallery" / name / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]+)"', html)
    for stem in [*(f"{name}-{s}" for s in STYLES), f"{name}-plot"]:
        found = [s for s in sources if Path(s).name == f"{stem}.svg"]
        assert found, f"{name}: no <img> of {stem}.svg in {sources}"
        assert (site / "gallery" / name / found[0]).resolve().is_file()


@pytest.mark.slow
@pytest.mark.parametrize("page", HISTORY)
def test_site_history_pages_exist_and_cite_references(site, page):
    html = (site / "history" / f"{page}.html").read_text(encoding="utf-8")
    assert 'id="references"' in html and ">References<" in html


@pytest.mark.slow
def test_site_bush_page_includes_the_code_of_bessel_build(site):
    html = (site / "history" / "bush.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "def build() -&gt; Circuit:" in text or "def build() -> Circuit:" in text
    assert 'c.connect("L", "y", port="wrt")' in text.replace("&quot;", '"')


@pytest.mark.slow
@pytest.mark.needs_dot
@pytest.mark.needs_browser
def test_every_page_of_the_site_passes_the_browser_check(site, check_site, capsys):
    assert check_site.main([str(site)]) == 0, capsys.readouterr().out
    shots = sorted(p.stem for p in (site / "_screenshots").glob("*.png"))
    assert shots == sorted(check_site.SCREENSHOTS)
    out = capsys.readouterr().out
    assert f"{len(check_site.site_pages(site))} pages load in Chromium" in out


# ----- CI: tools may not skip; the minimum versions stay declared ---------------

PROBE_TESTS = """
import pytest

@pytest.mark.needs_dot
def test_draws():
    pass

@pytest.mark.needs_dot
@pytest.mark.skipif(True, reason="dot is not there")
def test_draws_too():
    pass

@pytest.mark.skip(reason="not today")
def test_other():
    pass
"""


@pytest.mark.parametrize("ci", [False, True])
def test_a_test_needing_a_missing_tool_skips_locally_and_errors_in_ci(tmp_path, ci):
    (tmp_path / "conftest.py").write_text(
        (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
    )
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    needs_dot: d\n    needs_browser: b\n"
    )
    env = {**os.environ, "PATH": str(tmp_path), "CI": "true" if ci else ""}
    env.pop("HYPOTHESIS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA",
         "--strict-markers", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    out = done.stdout
    if not ci:
        assert done.returncode == 0, out
        assert "3 skipped" in out and "needs the Graphviz dot program" in out
        assert "hypothesis profile: dev" in out
        assert "\nskipped:" not in out
    else:
        assert done.returncode == 1, out
        assert "1 skipped, 2 errors" in out, out
        assert (
            "CI=true: the Graphviz dot program (Debian package graphviz) is missing"
            in out
        )
        assert (
            "test_draws_too is marked needs_dot and was skipped (Skipped: dot is not there)"
            in out
        )
        assert "hypothesis profile: ci" in out
        assert re.search(r"^skipped: 1 \(not today: 1\)$", out, re.MULTILINE), out


def test_the_ci_constraints_pin_each_declared_minimum():
    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    declared = project["dependencies"] + [
        req
        for extra in ("dev", "docs")
        for req in project["optional-dependencies"][extra]
    ]
    minimums = {}
    for requirement in declared:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
        assert match, f"{requirement}: give a minimum (name>=version)"
        minimums[match[1].lower()] = match[2]
    lines = (root / ".ci" / "constraints-min.txt").read_text("utf-8").splitlines()
    pinned = dict(
        line.lower().split("==") for line in lines if line and not line.startswith("#")
    )
    for name in project["dependencies"]:
        name = re.split("[<>=]", name)[0].lower()
        assert name in pinned, f"{name}: not pinned in .ci/constraints-min.txt"
    for name, version in pinned.items():
        assert Version(version) == Version(minimums[name]), (
            f"{name}=={version} in .ci/constraints-min.txt; pyproject says "
            f">={minimums[name]}"
        )
