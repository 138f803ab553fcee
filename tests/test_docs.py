"""The documentation: coverage of the block registry, the generated catalog, links.

The examples in docs/*.md run as doctests on their own (``--doctest-glob``);
these tests check what doctests cannot: that the block reference covers every
kind in the registry with its exact equation, that docs/catalog.md is what
docs/make_catalog.py generates, and that every link between pages resolves.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import circuits
from analyzer import BLOCKS

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = (
    "index.md",
    "tutorial.md",
    "blocks.md",
    "compiler.md",
    "simulate.md",
    "catalog.md",
)

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def make_catalog() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_catalog", DOCS / "make_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(make_catalog: ModuleType) -> str:
    return make_catalog.render()


def block_section(kind: str) -> str:
    """The text of the section headed ``## `kind` `` in blocks.md."""
    text = read("blocks.md")
    heading = f"\n## `{kind}`\n"
    assert heading in text, f"blocks.md has no section '## `{kind}`'"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: str) -> set[str]:
    text = _FENCE.sub("", read(page))
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


# ----- the block reference ----------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_blocks_page_mentions_every_kind(kind):
    text = read("blocks.md")
    table = text.split("\n## ", 1)[0]
    assert f"| [`{kind}`](#{kind}) |" in table, f"{kind} missing from the table"
    assert block_section(kind)


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_blocks_page_quotes_every_equation_verbatim(kind):
    equation = BLOCKS[kind].equation
    assert equation in read("blocks.md")
    assert equation in block_section(kind), f"{kind}: equation not in its section"


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_blocks_page_opens_each_section_with_the_summary(kind):
    first = block_section(kind).strip().split("\n\n", 1)[0]
    assert BLOCKS[kind].summary.lower() in first.replace("`", "").lower()


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_blocks_page_names_every_port_and_parameter(kind):
    spec = BLOCKS[kind]
    section = block_section(kind)
    for name in [*spec.port_names, *spec.params]:
        assert f"`{name}`" in section, f"{kind}: `{name}` not described"


# ----- the generated catalog ---------------------------------------------------


def test_catalog_page_is_up_to_date(rendered):
    assert read("catalog.md") == rendered, (
        "docs/catalog.md is out of date; run: python docs/make_catalog.py"
    )


def test_catalog_page_has_a_section_per_circuit(rendered):
    headings = re.findall(r"^## (\w+)$", rendered, re.MULTILINE)
    assert headings == list(circuits.CATALOG)
    for entry in circuits.CATALOG.values():
        assert f"**{entry.title}**" in rendered


def test_make_catalog_check_fails_on_a_stale_page(make_catalog, rendered, tmp_path):
    page = tmp_path / "catalog.md"
    page.write_text(rendered.replace("Bessel", "Bassel"), encoding="utf-8")
    assert make_catalog.main(["--check"], path=page) == 1
    assert make_catalog.main([], path=page) == 0
    assert page.read_text(encoding="utf-8") == rendered
    assert make_catalog.main(["--check"], path=page) == 0


def test_make_catalog_check_fails_on_a_missing_page(make_catalog, tmp_path):
    assert make_catalog.main(["--check"], path=tmp_path / "catalog.md") == 1


def test_rst_to_markdown_fences_literal_blocks_and_escapes_list_markers(make_catalog):
    text = "Equations::\n\n    x' = v\n    v' = -x\n\nThen\n- not a list, and ``code``."
    assert make_catalog.rst_to_markdown(text) == (
        "Equations:\n\n```text\nx' = v\nv' = -x\n```\n\nThen\n\\- not a list, and `code`."
    )


# ----- every page ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_is_a_doctest(page):
    for block in _FENCE.findall(read(page)):
        if block.startswith("```python"):
            assert ">>> " in block, (
                f"{page}: a python block that no test runs:\n{block}"
            )


@pytest.mark.parametrize("page", PAGES)
def test_links_between_pages_resolve(page):
    for target in _LINK.findall(_FENCE.sub("", read(page))):
        if re.match(r"[a-z]+:", target):
            continue  # an external address
        path, _, anchor = target.partition("#")
        other = path or page
        assert (DOCS / other).is_file(), f"{page}: link to missing {target}"
        if anchor:
            assert anchor in anchors(other), f"{page}: no heading for {target}"


def test_index_links_every_page():
    text = read("index.md")
    for page in PAGES[1:]:
        assert f"]({page})" in text, f"index.md does not link {page}"
