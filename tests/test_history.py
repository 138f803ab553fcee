"""Every history page cites its sources: numbered references, all used, none missing.

A page under ``docs/history/`` ends with a section ``## References`` holding a
numbered Markdown list (``1. V. Bush, ...``).  The text before it cites the
list with plain bracketed numbers: ``[1]``, ``[1, 3]``, ``[2, p. 450]`` or a
range ``[2–4]``.  A bracket followed by ``(`` is a Markdown link, not a
citation; code (fenced blocks and inline ``code``) is ignored, so array output
such as ``[0.5, 1.]`` in a doctest never counts.

The pages are found with a glob, so a new page is covered as soon as it is
added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HISTORY = Path(__file__).resolve().parent.parent / "docs" / "history"
PAGES = sorted(HISTORY.glob("*.md"))

_FENCE = re.compile(r"^(```+|~~~+).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)[^`]*?\1")
_HEADING = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_ITEM = re.compile(r"^(\d+)\.[ \t]+\S", re.MULTILINE)
_BRACKET = re.compile(r"\[([^\[\]\n]+)\](?![(\[])")
_NUMBER = re.compile(r"^\d+$")
_RANGE = re.compile(r"^(\d+)\s*[–-]\s*(\d+)$")
_LOCATOR = re.compile(
    r"^(p|pp|ch|chap|sec|secs|fig|figs|vol|no|eq|table|part)\.?\s*\S|^§\s*\S",
    re.IGNORECASE,
)


@dataclass
class Citations:
    """What a page cites and what its reference list holds."""

    problems: list[str] = field(default_factory=list)
    listed: list[int] = field(default_factory=list)
    cited: set[int] = field(default_factory=set)


def strip_code(text: str) -> str:
    """The text without fenced code blocks and inline code."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def citation_numbers(inner: str) -> list[int] | None:
    """The reference numbers in the inside of a bracket, or None if the
    bracket is not a citation (``1, 3``, ``2, p. 450`` and ``2–4`` are)."""
    items = [item.strip() for item in inner.split(",")]
    if not (_NUMBER.match(items[0]) or _RANGE.match(items[0])):
        return None
    numbers: list[int] = []
    for item in items:
        if _NUMBER.match(item):
            numbers.append(int(item))
        elif m := _RANGE.match(item):
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                return None
            numbers.extend(range(lo, hi + 1))
        elif not _LOCATOR.match(item):
            return None
    return numbers


def parse(text: str) -> Citations:
    """Check a page's citations against its ``## References`` list."""
    out = Citations()
    text = strip_code(text)
    headings = list(_HEADING.finditer(text))
    refs = [h for h in headings if h.group(1) == "References"]
    if not refs:
        out.problems.append("no '## References' section")
        return out
    start = refs[-1]
    later = [h.group(1) for h in headings if h.start() > start.start()]
    if later:
        out.problems.append(f"'## References' is not the last section: {later}")
    body = text[: start.start()]
    section = text[start.end() :]
    out.listed = [int(n) for n in _ITEM.findall(section)]
    if not out.listed:
        out.problems.append("'## References' holds no numbered list")
    elif out.listed != list(range(1, len(out.listed) + 1)):
        out.problems.append(f"references are not numbered 1, 2, 3, ...: {out.listed}")
    for m in _BRACKET.finditer(body):
        numbers = citation_numbers(m.group(1))
        if numbers is not None:
            out.cited.update(numbers)
    missing = sorted(out.cited - set(out.listed))
    if missing:
        out.problems.append(f"cited but not in the references: {missing}")
    unused = sorted(set(out.listed) - out.cited)
    if unused:
        out.problems.append(f"listed but never cited: {unused}")
    return out


def test_history_pages_are_found():
    names = {p.name for p in PAGES}
    assert {"index.md", "kelvin.md", "bush.md", "gpac.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_history_page_ends_with_numbered_references(page):
    result = parse(page.read_text(encoding="utf-8"))
    structural = [p for p in result.problems if "cited" not in p]
    assert not structural, f"{page.name}: {structural}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_history_page_cites_only_listed_references(page):
    result = parse(page.read_text(encoding="utf-8"))
    assert result.listed, f"{page.name}: no references"
    assert result.cited <= set(result.listed), (
        f"{page.name}: cited but not listed: {sorted(result.cited - set(result.listed))}"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_history_page_cites_every_listed_reference(page):
    result = parse(page.read_text(encoding="utf-8"))
    assert result.listed, f"{page.name}: no references"
    unused = sorted(set(result.listed) - result.cited)
    assert not unused, f"{page.name}: listed but never cited: {unused}"


# The parser itself.

GOOD = """# A page

Bush built it in 1931 [1], with six integrators [1, p. 450]; Kelvin had
proposed the idea [2, 3]. See [the next page](next.md) and [3](three.md).

```python
>>> [0.5, 1.0]
[0.5, 1.0]
```

Inline code `x[4]` is not a citation either.

## References

1. V. Bush, "The differential analyzer", *J. Franklin Inst.* 212 (1931).
2. W. Thomson, *Proc. R. Soc. London* 24 (1876).
3. J. Thomson, *Proc. R. Soc. London* 24 (1876).
"""


def test_parser_accepts_a_well_cited_page():
    result = parse(GOOD)
    assert result.problems == []
    assert result.listed == [1, 2, 3]
    assert result.cited == {1, 2, 3}


def test_parser_reports_a_citation_missing_from_the_references():
    result = parse(GOOD.replace("[2, 3]", "[2, 3, 7]"))
    assert result.problems == ["cited but not in the references: [7]"]


def test_parser_reports_a_reference_never_cited():
    result = parse(GOOD.replace("[2, 3]", "[2]"))
    assert result.problems == ["listed but never cited: [3]"]


def test_parser_ignores_links_code_and_array_output():
    page = GOOD.replace("[1, p. 450]", "[4](four.md)")
    assert parse(page).cited == {1, 2, 3}
    assert citation_numbers("0.5, 1.0") is None
    assert citation_numbers("the next page") is None


def test_parser_reads_lists_locators_and_ranges():
    assert citation_numbers("2, p. 450") == [2]
    assert citation_numbers("1, 3") == [1, 3]
    assert citation_numbers("2–4") == [2, 3, 4]
    assert citation_numbers("5, pp. 12–14") == [5]
    assert citation_numbers("1, ch. 7") == [1]


def test_parser_reports_a_page_without_references():
    body = GOOD.split("## References")[0]
    assert parse(body).problems == ["no '## References' section"]
    assert parse(body + "## References\n\nNone yet.\n").problems[0] == (
        "'## References' holds no numbered list"
    )


def test_parser_requires_references_to_be_the_last_section():
    result = parse(GOOD + "\n## Afterword\n\nMore text.\n")
    assert result.problems == ["'## References' is not the last section: ['Afterword']"]
