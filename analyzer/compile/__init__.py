"""The compiler: circuit graph -> polynomial system -> quadratic system.

Three pure passes, each a function of the previous value:

1. :func:`analyzer.validate.validate` checks the graph and lists every problem;
2. :func:`lower` turns every signal into a polynomial in the states;
3. :func:`quadratize` picks new monomial states, and :func:`assemble` writes the
   result as the :class:`~analyzer.system.QuadraticSystem` IR, checking exactly
   that every monomial is a product of at most two states.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Hashable, Iterator
from contextlib import contextmanager

import networkx as nx

from analyzer.circuit import Circuit, as_graph
from analyzer.compile.assemble import LiftError, assemble
from analyzer.compile.lower import PolynomialSystem, lower
from analyzer.compile.quadratize import quadratize
from analyzer.system import QuadraticSystem
from analyzer.validate import validate

__all__ = [
    "LiftError",
    "PolynomialSystem",
    "assemble",
    "compile_circuit",
    "lower",
    "quadratize",
]


def compile_circuit(
    circuit: Circuit | nx.MultiDiGraph | nx.DiGraph,
    *,
    t0: float = 0.0,
    hold: Collection[Hashable] = (),
) -> QuadraticSystem:
    """Compile a circuit to the quadratic system y' = b + A y + Q(y, y).

    Parameters
    ----------
    circuit : Circuit, networkx.MultiDiGraph or networkx.DiGraph
        The circuit; it is not modified.
    t0 : float, optional
        Start time: the clock state (present when the circuit has a ``time``
        block) starts at ``t0``.
    hold : collection of block names, optional
        Integrators in HOLD mode (rate zero), as in one segment of a schedule;
        see :mod:`analyzer.schedule`.

    Returns
    -------
    QuadraticSystem

    Raises
    ------
    CircuitError
        Listing every problem of the circuit at once.

    Examples
    --------
    Van der Pol, x'' = (1 - x²) x' - x, needs one lifted state for its cubic term:

    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> for name in ("x", "v"): _ = c.integrator(name, initial=2.0 if name == "x" else 0.0)
    >>> _ = c.multiplier("x2"); _ = c.multiplier("x2v"); _ = c.adder("acc")
    >>> c.connect("x", "x2", port="a"); c.connect("x", "x2", port="b")
    >>> c.connect("x2", "x2v", port="a"); c.connect("v", "x2v", port="b")
    >>> c.connect("v", "x")
    >>> c.connect("v", "acc"); c.connect("x2v", "acc", weight=-1.0)
    >>> c.connect("x", "acc", weight=-1.0); c.connect("acc", "v")
    >>> system = compile_circuit(c)
    >>> system.names
    ('v', 'x', 'x^2')
    >>> print(system)
    v' = v - x - v·x^2
    x' = v
    x^2' = 2·v·x
    >>> system.y0
    array([0., 2., 4.])
    """
    with _no_cyclic_gc():
        netlist = validate(as_graph(circuit))
        unknown = [
            n for n in hold if netlist.attrs.get(n, {}).get("kind") != "integrator"
        ]
        if unknown:
            raise ValueError(
                "hold names integrators only; not integrators of this circuit: "
                + ", ".join(repr(n) for n in unknown)
            )
        polynomial = lower(netlist, t0=t0, hold=hold)
        return assemble(polynomial, quadratize(polynomial.rates))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: compiling builds millions of small
    acyclic objects, and its full collections made time grow faster than size."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
