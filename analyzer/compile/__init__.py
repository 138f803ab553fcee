"""The compiler: circuit graph -> polynomial system -> quadratic system.

Three pure passes, each a function of the previous value:

1. :func:`analyzer.validate.validate` checks the graph and lists every problem;
2. :func:`lower` turns every signal into a polynomial in the states;
3. :func:`quadratize` picks new monomial states, and :func:`assemble` writes the
   result as the :class:`~analyzer.system.QuadraticSystem` IR, checking exactly
   that every monomial is a product of at most two states.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Collection, Hashable

import networkx as nx

from analyzer.circuit import Circuit, as_graph
from analyzer.compile.assemble import LiftError, assemble
from analyzer.compile.lower import PolynomialSystem, lower
from analyzer.compile.quadratize import (
    STRATEGIES,
    Quadratization,
    no_cyclic_gc,
    quadratize,
)
from analyzer.compile.report import CompileReport
from analyzer.compile.stability import (
    Stability,
    check_stability,
    inner_splits,
    stabilise,
)
from analyzer.errors import CircuitError, StabilityWarning
from analyzer.netlist import Netlist
from analyzer.polynomial import Monomial, count_divisors, degree
from analyzer.system import QuadraticSystem
from analyzer.validate import validate

__all__ = [
    "STRATEGIES",
    "CompileReport",
    "LiftError",
    "PolynomialSystem",
    "Quadratization",
    "Stability",
    "assemble",
    "check_stability",
    "compile_circuit",
    "lower",
    "quadratize",
    "stabilise",
]


def compile_circuit(
    circuit: Circuit | nx.MultiDiGraph | nx.DiGraph,
    *,
    t0: float = 0.0,
    hold: Collection[Hashable] = (),
    strategy: str = "auto",
    budget: float = 1.0,
    stabilise: bool | float = True,
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
    strategy : {"auto", "greedy", "portfolio", "exact"}, optional
        How new states are chosen (:func:`quadratize`): ``"greedy"`` is
        linear-time, ``"portfolio"`` adds pruning and restarts, ``"exact"`` a
        branch-and-bound under ``budget``; ``"auto"`` searches exactly only
        when the system is small.
    budget : float, optional
        Seconds the exact search may take; it returns the best found so far.
    stabilise : bool or float, optional
        A lift can be unstable off its invariant manifold (w = the monomial it
        stands for) where the circuit itself is not.  With True (default) such
        a lift is detected at the initial point and fixed by adding
        -λ(w - a·b), which is zero on the manifold, with λ chosen from the
        instability; a :class:`~analyzer.errors.StabilityWarning` says so,
        since the result is stiff.  A number forces that λ; False only warns.

    Returns
    -------
    QuadraticSystem
        With ``system.report`` (:class:`CompileReport`): the states each
        function block introduced, the lift and its stability.

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
    with no_cyclic_gc():
        netlist = validate(as_graph(circuit))
        unknown = [
            n for n in hold if netlist.attrs.get(n, {}).get("kind") != "integrator"
        ]
        if unknown:
            raise ValueError(
                "hold names integrators only; not integrators of this circuit: "
                + ", ".join(repr(n) for n in unknown)
            )
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        polynomial = lower(netlist, t0=t0, hold=hold)
        too_large = size_problems(polynomial, netlist)
        if too_large:
            raise CircuitError(too_large)
        lift = quadratize(polynomial.rates, strategy=strategy, budget=budget)
        system = assemble(polynomial, lift.lifts)
        system, lift, stability = _stabilised(
            polynomial, system, lift, stabilise, strategy, budget
        )
        kinds = {n: netlist.kind(n) for n in netlist.blocks}
        lifted = system.names[system.n_core :]
        report = CompileReport.build(polynomial, kinds, lifted, lift, stability)
        return dataclasses.replace(system, report=report, _cache={})


MAX_LIFT_WORK = 2500
"""How many divisors the rate monomials of degree 5 and up may have together.

Quadratizing takes time that grows with the divisors of its high-degree
monomials.  Measured on x' = y' = z' = -(x + y + z)^p (one 2-core machine):
p = 8 (1287 divisors) 1.3 s, p = 10 (3003) 13 s, p = 12 (6188) over half a
minute; above this limit compiling is refused at once.
"""


def size_problems(polynomial: PolynomialSystem, netlist: Netlist) -> list[str]:
    """Rates whose high-degree monomials would take too long to quadratize.

    Returns one problem naming the blocks whose signals have degree 5 or more
    and the states whose rates use them, when the distinct monomials of
    degree 5 or more have more than :data:`MAX_LIFT_WORK` divisors together;
    an empty list otherwise.
    """
    seen: set[Monomial] = set()
    owners = []
    for i, rate in enumerate(polynomial.rates):
        high = {m for m in rate.terms if degree(m) >= 5}
        if high:
            owners.append(i)
            seen |= high
    work = sum(count_divisors(m) for m in seen)
    if work <= MAX_LIFT_WORK:
        return []
    made = {state.index: state.label for state in polynomial.functions}
    states = [made.get(i, f"state {polynomial.names[i]!r}") for i in owners]
    sources = list(
        dict.fromkeys(
            netlist.label(b)
            for b, signal in polynomial.signals.items()
            if signal.degree() >= 5 and netlist.kind(b) != "integrator"
        )
    )
    top = max(map(degree, seen))

    def listed(items: list[str]) -> str:
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        return ", ".join(items[:5]) + more

    where = listed(sources) if sources else listed(states)
    return [
        f"{where}: port 'in': the rates of {listed(states)} are polynomials with "
        f"{len(seen)} distinct terms of degree 5 to {top}, too many to quadratize "
        f"quickly (their {work} divisors exceed the compiler's limit of "
        f"{MAX_LIFT_WORK}); lower the degree (use an integrator for a repeated "
        "factor, or a power block with a non-integer exponent)"
    ]


def _stabilised(
    polynomial: PolynomialSystem,
    system: QuadraticSystem,
    lift: Quadratization,
    stabilise_: bool | float,
    strategy: str,
    budget: float,
) -> tuple[QuadraticSystem, Quadratization, Stability]:
    """Check the lift's transversal stability and, if asked, fix it."""
    forced = stabilise_ is not True and stabilise_ is not False
    if forced and not (math.isfinite(stabilise_) and stabilise_ > 0):
        raise ValueError(
            f"stabilise must be True, False or a λ > 0, got {stabilise_!r}"
        )
    stability = check_stability(system)
    if math.isnan(stability.transversal):
        warnings.warn(
            "the stability of the lift could not be checked: its Jacobian "
            "overflows at y0 (initial values near the ends of the float range); "
            "no stabilising terms were added",
            StabilityWarning,
            stacklevel=3,
        )
        return system, lift, stability
    if not (stability.unstable or forced) or not system.names[system.n_core :]:
        return system, lift, stability
    if stabilise_ is False:
        warnings.warn(
            f"the lift is unstable off its manifold: transversal eigenvalue "
            f"{stability.transversal:+.4g} at y0, where the circuit's own is "
            f"{stability.original:+.4g}; errors will grow. Compile with "
            "stabilise=True",
            StabilityWarning,
            stacklevel=3,
        )
        return system, lift, stability
    if inner_splits(system) is None:  # the stabiliser needs w = a·b for every w
        lift = quadratize(
            polynomial.rates, strategy=strategy, budget=budget, inner=True
        )
        system = assemble(polynomial, lift.lifts)
        stability = check_stability(system)
        if not (stability.unstable or forced):  # the new lift is stable as it is
            return system, lift, stability
    system, stability = stabilise(
        system, None if stabilise_ is True else float(stabilise_)
    )
    if stability.lam and not forced:
        warnings.warn(
            f"the lift was unstable off its manifold (transversal eigenvalue "
            f"{stability.transversal:+.4g} at y0, the circuit's own "
            f"{stability.original:+.4g}); added -λ(w - a·b) with λ = "
            f"{stability.lam:g}, which can make the system stiff: simulate it with "
            "method='auto' (the default) or an implicit method",
            StabilityWarning,
            stacklevel=3,
        )
    return system, lift, stability
