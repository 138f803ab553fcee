"""Generate docs/catalog.md from ``circuits.CATALOG``.

Usage::

    python docs/make_catalog.py           # rewrite docs/catalog.md
    python docs/make_catalog.py --check   # exit 1 if docs/catalog.md is out of date

The page is a pure function of the catalog: each circuit's title, its module
docstring (reStructuredText, turned into Markdown), default parameters, time
span, probes, block and state counts, compiled equations and reference check.
Nothing measured (errors, timings) goes in, so the page is the same on every
machine, and the test suite can compare it with the file.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CATALOG_MD = Path(__file__).with_name("catalog.md")
"""The generated page."""

FULL_EQUATIONS = 12
"""Systems with at most this many states are printed whole."""

HEAD_EQUATIONS = 6
"""How many equations a bigger system shows."""

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LIST_START = re.compile(r"^(?:[-+*#>]|\d+[.)])(?:\s|$)")


def rst_to_markdown(text: str) -> str:
    r"""Turn the reStructuredText of a docstring into Markdown.

    Handles what the catalog's docstrings use: paragraphs, literal blocks
    introduced by ``::`` (they become fenced ``text`` blocks), double-backtick
    literals and roles such as :func:`name`.  Lines that Markdown would read
    as list items or headings are escaped.

    Examples
    --------
    >>> print(rst_to_markdown("With ``k``::\n\n    x' = -k x\n\nSee :func:`period`."))
    With `k`:
    <BLANKLINE>
    ```text
    x' = -k x
    ```
    <BLANKLINE>
    See `period`.
    >>> print(rst_to_markdown("a\n- b"))
    a
    \- b
    """
    lines = inspect.cleandoc(text).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append("")
            i += 1
            continue
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-2].rstrip()
            out.append(_inline(head) + ":" if head else "")
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            out += [
                "",
                "```text",
                *textwrap.dedent("\n".join(block)).strip("\n").splitlines(),
                "```",
                "",
            ]
            continue
        text_line = _inline(line.strip())
        if _LIST_START.match(text_line) or set(text_line) <= set("=-"):
            text_line = "\\" + text_line
        out.append(text_line)
        i += 1
    markdown = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n")


def _inline(text: str) -> str:
    return _ROLE.sub(r"`\1`", text.replace("``", "`"))


def _number(value: Any) -> str:
    """A parameter or tolerance as Python would write it."""
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return repr(value)


def _plural(count: int, word: str) -> str:
    noun = "time block" if word == "time" else word
    return f"{count} {noun}{'s' * (count != 1)}"


def _blocks_line(graph: Any) -> str:
    from analyzer import BLOCKS

    counts = Counter(kind for _, kind in graph.nodes(data="kind"))
    parts = [_plural(counts[kind], kind) for kind in BLOCKS if counts[kind]]
    return f"{graph.number_of_nodes()}: " + ", ".join(parts)


def _equations(system: Any) -> list[str]:
    lines = str(system).splitlines()
    if len(lines) <= FULL_EQUATIONS:
        return lines
    rest = len(lines) - HEAD_EQUATIONS
    return [*lines[:HEAD_EQUATIONS], f"… ({rest} more equations)"]


def _times(t_eval: Any) -> str:
    t = np.asarray(t_eval, dtype=float).ravel()
    if t.size == 1:
        return f"at t = {t[0]:.10g}"
    return f"at {t.size} times from {t[0]:.10g} to {t[-1]:.10g}"


def _check_text(entry: Any) -> str:
    check = dict(entry.check)
    solver = f"rtol {_number(check['rtol'])}, atol {_number(check['atol'])}"
    if "method" in check:
        solver = f"method {check['method']!r}, " + solver
    return (
        f"**Reference check.** The test suite simulates `build()` with its "
        f"default parameters ({solver}), compares the signals that "
        f"`reference(t)` returns {_times(check['t_eval'])}, and allows an "
        f"absolute error of at most {_number(check['tol'])}."
    )


def render_entry(entry: Any) -> str:
    """The Markdown section of one catalog entry."""
    from analyzer import compile_circuit

    circuit = entry.build(**entry.params)
    system = compile_circuit(circuit, t0=entry.t_span[0])
    body = entry.description
    params = ", ".join(f"`{k}={_number(v)}`" for k, v in entry.params.items())
    t0, t1 = entry.t_span
    lifted = ", ".join(f"`{n}`" for n in system.lifted)
    made = system.n_core - system.n_base
    functions = ", ".join(f"`{n}`" for n in system.names[system.n_base : system.n_core])
    rows = [
        ("parameters", params or "none"),
        ("time span", f"{t0:.10g} to {t1:.10g}"),
        ("probes", ", ".join(f"`{p}`" for p in entry.probes)),
        ("blocks", _blocks_line(circuit.graph)),
        (
            "states",
            f"{system.n}: {system.n_base} base, "
            + (f"{made} of function blocks ({functions}), " if made else "")
            + f"{len(system.lifted)} lifted"
            + (f" ({lifted})" if lifted else ""),
        ),
    ]
    if system.n > FULL_EQUATIONS:
        shown = f"the first {HEAD_EQUATIONS} of its {system.n} equations"
    else:
        shown = "its equations"
    parts = [
        f"## {entry.name}",
        f"**{entry.title}**",
        rst_to_markdown(body),
        "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows),
        f"Compiled (`print(compile_circuit(build()))`), {shown}:",
        "```text\n" + "\n".join(_equations(system)) + "\n```",
        textwrap.fill(_check_text(entry), width=79, break_on_hyphens=False),
        f"Run it: `analyzer run {entry.name}`; see the equations: "
        f"`analyzer show {entry.name}`.",
    ]
    return "\n\n".join(parts)


def render() -> str:
    """The whole catalog page, as Markdown."""
    from circuits import CATALOG

    index = "\n".join(f"- [{name}](#{name}): {e.title}" for name, e in CATALOG.items())
    intro = textwrap.dedent(
        """\
        # Catalog of circuits

        <!-- Generated by docs/make_catalog.py from circuits.CATALOG; do not edit.
             Run `python docs/make_catalog.py` after changing a circuit. -->

        Ready-made circuits, from the first loops of Bush's machine to circuits
        of a hundred integrators. Each is a module of the `circuits` package with
        a `build(**params)` function that returns a `Circuit`, and a
        `reference(t, **params)` function that returns the exact (or
        independently computed) signals, against which the test suite checks
        the simulation. Get one by name:

        ```python
        >>> import circuits
        >>> from analyzer import simulate
        >>> entry = circuits.get("bessel")
        >>> traj = simulate(entry.build(**entry.params), entry.t_span)
        >>> traj.crossings("y")[:3].round(6)      # the zeros of J0
        array([2.404826, 5.520078, 8.653728])

        ```

        or run it from the shell with `analyzer run bessel --plot bessel.png`
        (see [the tutorial](tutorial.md#the-command-line))."""
    )
    sections = [render_entry(entry) for entry in CATALOG.values()]
    return "\n\n".join([intro, index, *sections]) + "\n"


def main(argv: Sequence[str] | None = None, path: Path = CATALOG_MD) -> int:
    """Write the page, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the page is out of date"
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(
                f"{path} is out of date; run: python docs/make_catalog.py",
                file=sys.stderr,
            )
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
