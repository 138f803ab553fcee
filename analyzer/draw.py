"""Circuit drawings: DOT source for Graphviz, and SVG, PNG or PDF files from it.

Three styles, all laid out left to right:

``"gpac"``
    Shannon's boxes (1941): ∫ for an integrator (with its initial value),
    + for an adder, × for a multiplier, k for a gain, the value of a constant,
    t for time.  Wire weights other than 1 are edge labels.  The variable of
    integration is a dashed blue wire, labelled d(v), into the integrator's
    ``wrt`` port at the bottom of its box.
``"electronic"``
    The symbols of electronic analog computers (THE ANALOG THING, Comdyna):
    integrators and summers are triangles pointing right, labelled ∫ and Σ,
    with an integrator's IC (initial condition) written above it; a gain block
    is a coefficient potentiometer, a small circle with its setting, and a
    wire of weight other than 1 is drawn through a potentiometer circle of its
    own, as it would be patched on a panel (so this style has no weight
    labels).  Multipliers are × boxes, constants reference-voltage boxes, time
    a ramp.  It draws the ideal circuit: no sign inversion is added.
``"compiled"``
    The compiled system y' = b + A y + Q(y, y): one node per state, an edge
    j → i labelled A_ij for each linear coupling, and for each quadratic term
    c·y_j·y_k in y_i' bold arrows from y_j and y_k into a small × node (one per
    product, shared by the states it feeds) and an edge to y_i labelled c.
    Lifted states are orange and show their monomial, b is written on its
    node, and the equations are printed underneath.

Wires leave a block on its right and enter on its left (the variable of
integration from below), so signals flow left to right and feedback loops
round.  Labels are HTML-like labels with every name escaped, and node
identifiers are ``n0, n1, ...`` (integrators first, then the other blocks, each
sorted by name), so any hashable name is safe and the DOT source does not
depend on the order in which blocks were added.

Building the source needs only the ``graphviz`` Python package; :func:`render`
and :func:`svg` also run the Graphviz ``dot`` program.  Where it is missing,
:func:`svg` returns None and :func:`render` writes the DOT source next to the
requested file (``drawing.png`` -> ``drawing.dot``) and raises
:class:`DotNotFoundError`, whose message says how to install Graphviz.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from analyzer.circuit import as_graph
from analyzer.compile import compile_circuit
from analyzer.draw_styles import draw_circuit, draw_system
from analyzer.validate import validate

STYLES = ("gpac", "electronic", "compiled")
"""The drawing styles :func:`to_dot` knows."""

FORMATS = ("svg", "png", "pdf")
"""The file formats :func:`render` writes, by suffix."""

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; "
    "conda: conda install -c conda-forge graphviz; "
    "Homebrew: brew install graphviz)"
)


class DotNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is missing, so a drawing was saved as DOT source.

    ``source_path`` is where the source was written; the message says how to
    install Graphviz and how to render the source afterwards.  It is a
    ``RuntimeError``.
    """

    def __init__(self, source_path: Path, target: Path) -> None:
        self.source_path = source_path
        super().__init__(
            f"cannot render {target.name}: the Graphviz 'dot' program was not "
            f"found on PATH. The DOT source was written to {source_path} instead; "
            f"{INSTALL_HINT}, then render again or run "
            f"`dot -T{target.suffix.lstrip('.').lower()} {source_path} -o {target}`"
        )


def to_dot(circuit: Any, style: str = "gpac") -> graphviz.Digraph:
    """The drawing of a circuit as a Graphviz digraph (no ``dot`` program needed).

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit; it is validated first and never modified.
    style : {"gpac", "electronic", "compiled"}
        Shannon's block boxes, electronic analog-computer symbols, or the
        states and couplings of the compiled quadratic system (see the module
        docstring).

    Returns
    -------
    graphviz.Digraph
        Its ``.source`` is the DOT text.  Blocks are nodes ``n0, n1, ...``
        (integrators first, each group sorted by name); wires go from port
        ``out`` to ports ``in``, ``a``, ``b`` or ``wrt`` (triangles and
        potentiometers take compass points instead).  Call ``.render()`` or
        ``.pipe()`` on it for other formats and engines.

    Raises
    ------
    ValueError
        For an unknown style (the message lists the styles).
    CircuitError
        If the circuit is not valid; it lists every problem.

    Examples
    --------
    The harmonic oscillator x'' = -x:

    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
    'x'
    'v'
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> dot = to_dot(c)

    Integrators come first (n0 = v, n1 = x, then n2 = minus); each wire runs
    from the right of a block's ``out`` port to the left of an input port:

    >>> for line in dot.source.splitlines():
    ...     if "->" in line:
    ...         print(line.strip())
    n2:out:e -> n0:in:w
    n0:out:e -> n1:in:w
    n1:out:e -> n2:in:w
    >>> "x(t₀) = 1" in dot.source
    True

    In the compiled style the nodes are the states (s0 = v, s1 = x), and the
    edge s1 -> s0 is the coupling v' = -x:

    >>> for line in to_dot(c, "compiled").source.splitlines():
    ...     if "->" in line:
    ...         print(line.strip())
    s1 -> s0 [label=<−1>]
    s0 -> s1
    """
    if style not in STYLES:
        raise ValueError(
            f"unknown drawing style {style!r}; choose one of "
            + ", ".join(repr(s) for s in STYLES)
        )
    graph = as_graph(circuit)
    if style == "compiled":
        return draw_system(compile_circuit(graph))
    return draw_circuit(validate(graph), style)


def render(circuit: Any, path: str | Path, style: str = "gpac") -> Path:
    """Draw a circuit into an SVG, PNG or PDF file with the Graphviz ``dot`` program.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit to draw.
    path : str or Path
        The file to write; its suffix (``.svg``, ``.png`` or ``.pdf``) picks
        the format.  The directory must exist.
    style : {"gpac", "electronic", "compiled"}
        See :func:`to_dot`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If the suffix is not one of the formats, or the style is unknown.
    DotNotFoundError
        If ``dot`` is not installed.  The DOT source is then written to
        ``path.with_suffix(".dot")`` and the message says how to install
        Graphviz; nothing is lost.
    CircuitError
        If the circuit is not valid.

    Examples
    --------
    Works with or without Graphviz installed:

    >>> import tempfile
    >>> from analyzer import Circuit
    >>> c = Circuit(); c.integrator("x"); c.constant("one", value=1.0)
    'x'
    'one'
    >>> c.connect("one", "x")
    >>> folder = Path(tempfile.mkdtemp())
    >>> try:
    ...     written = render(c, folder / "ramp.svg")
    ... except DotNotFoundError as missing:
    ...     written = missing.source_path
    >>> written.exists(), written.stem
    (True, 'ramp')
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot draw to {path.name!r}: the suffix picks the format; use one of "
            + ", ".join("." + f for f in FORMATS)
        )
    dot = to_dot(circuit, style)
    try:
        if fmt == "png":  # sharp enough for a slide
            dot = dot.copy()
            dot.graph_attr["dpi"] = "192"
        data = _pipe(dot, fmt)
    except graphviz.ExecutableNotFound:
        source = path.with_suffix(".dot")
        source.write_text(dot.source, encoding="utf-8")
        raise DotNotFoundError(source, path) from None
    path.write_bytes(data)
    return path


# Wire routings for dot to fall back on: its spline router fails now and then
# ("triangulation failed ... lost edge") on feedback wires between compass
# ports; curved and straight wires need no routing.
_FALLBACK_SPLINES = ("curved", "line")


def _pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    """``dot`` run on the drawing; if its router fails, again with simpler wires."""
    try:
        return dot.pipe(format=fmt)
    except graphviz.CalledProcessError:
        for splines in _FALLBACK_SPLINES:
            simpler = dot.copy()
            simpler.graph_attr["splines"] = splines
            try:
                return simpler.pipe(format=fmt)
            except graphviz.CalledProcessError:
                continue
        raise


def svg(circuit: Any, style: str = "gpac") -> str | None:
    """The drawing of a circuit as SVG text, or None when ``dot`` is not installed.

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit to draw.
    style : {"gpac", "electronic", "compiled"}
        See :func:`to_dot`.

    Returns
    -------
    str or None
        The SVG document, or None without Graphviz (so notebooks fall back to
        the text representation).

    Raises
    ------
    ValueError
        For an unknown style.
    CircuitError
        If the circuit is not valid.

    Examples
    --------
    >>> from analyzer import Circuit
    >>> c = Circuit(); c.time("t")
    't'
    >>> drawing = svg(c)
    >>> drawing is None or "<svg" in drawing
    True
    """
    dot = to_dot(circuit, style)
    try:
        return _pipe(dot, "svg").decode("utf-8")
    except graphviz.ExecutableNotFound:
        return None


__all__ = ["FORMATS", "STYLES", "DotNotFoundError", "render", "svg", "to_dot"]
