"""Assembly: a polynomial system plus its new states becomes the QuadraticSystem IR.

Every monomial of every rate, and of the derivative of every new state, is
written as 1, a state, or a product of two states.  This is the exact check of
the quadratization: a monomial that cannot be written so raises
:class:`LiftError` and nothing is simulated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyzer.compile.lower import PolynomialSystem, fresh_name
from analyzer.errors import CircuitError
from analyzer.polynomial import (
    ONE,
    Monomial,
    Poly,
    divide,
    divisors,
    evaluate_monomial,
    variable,
)
from analyzer.readout import Readout
from analyzer.system import QuadraticSystem


class LiftError(RuntimeError):
    """A set of new states that does not make the system quadratic (a compiler bug)."""


def monomial_name(m: Monomial, names: Sequence[str]) -> str:
    """A readable state name for a monomial: ``x*v``, ``x^2``, ``x^2*v``."""
    return "*".join(names[v] + (f"^{e}" if e > 1 else "") for v, e in m)


def assemble(system: PolynomialSystem, lifts: Sequence[Monomial]) -> QuadraticSystem:
    """Write ``system`` with the new states ``lifts`` as a checked QuadraticSystem.

    Raises
    ------
    LiftError
        If some monomial is not a product of at most two states.

    Examples
    --------
    >>> from analyzer.compile.lower import PolynomialSystem, fresh_name
    >>> from analyzer.polynomial import Poly
    >>> cubic = PolynomialSystem(("x",), (0.5,), (Poly({((0, 3),): -1.0}),), {})
    >>> print(assemble(cubic, [((0, 2),)]))
    x' = -x·x^2
    x^2' = -2·x^2·x^2
    >>> assemble(cubic, [])
    Traceback (most recent call last):
    ...
    analyzer.compile.assemble.LiftError: not quadratic: x' has x^3, which is not a product of two states
    """
    n_core = len(system.names)
    monomials = [variable(i) for i in range(n_core)] + list(lifts)
    index = {m: i for i, m in enumerate(monomials)}
    rhs = dict(enumerate(system.rates))
    rates = list(system.rates) + [Poly({m: 1.0}).time_derivative(rhs) for m in lifts]
    names = list(system.names)
    taken = set(names)
    for m in lifts:
        name = fresh_name(monomial_name(m, system.names), taken)
        names.append(name)
        taken.add(name)
    b = np.zeros(len(monomials))
    linear: dict[tuple[int, int], float] = {}
    quadratic: dict[tuple[int, int, int], float] = {}
    problems = []
    for i, rate in enumerate(rates):
        for q, c in rate.terms.items():
            if q == ONE:
                b[i] += c
            elif q in index:
                linear[(i, index[q])] = linear.get((i, index[q]), 0.0) + c
            elif (pair := _factor(q, index)) is not None:
                key = (i, *pair)
                quadratic[key] = quadratic.get(key, 0.0) + c
            else:
                problems.append(
                    f"{names[i]}' has {monomial_name(q, system.names)}, "
                    "which is not a product of two states"
                )
    if problems:
        raise LiftError("not quadratic: " + "; ".join(problems))
    y0 = [float(evaluate_monomial(m, system.y0)) for m in monomials]
    overflow = _overflow_problems(system, monomials, names, y0, rates)
    if overflow:
        raise CircuitError(overflow)
    return QuadraticSystem.from_terms(
        names=names, y0=y0, b=b, linear=linear, quadratic=quadratic,
        monomials=tuple(monomials), n_base=system.n_base,
        outputs=Readout.from_polys(system.signals, system.n_base, system.functions),
        t0=system.t0, clock=system.clock,
    )  # fmt: skip


def _overflow_problems(
    system: PolynomialSystem,
    monomials: Sequence[Monomial],
    names: Sequence[str],
    y0: Sequence[float],
    rates: Sequence[Poly],
) -> list[str]:
    """Lifted states whose value at t0 or whose rate overflows the float range,
    each naming the blocks of the states it is a product of."""
    made = {state.index: state.label for state in system.functions}
    problems = []
    for i in range(len(system.names), len(monomials)):
        finite_rate = all(np.isfinite(c) for c in rates[i].terms.values())
        if np.isfinite(y0[i]) and finite_rate:
            continue
        blocks = ", ".join(
            made.get(v, f"block {system.names[v]!r}") for v, _ in monomials[i]
        )
        what = "its value at t0" if not np.isfinite(y0[i]) else "a rate coefficient"
        problems.append(
            f"{blocks}: the compiled state {names[i]} (a product of their "
            f"signals) overflows the float range (about 1.8e308) in {what}; "
            "scale the initial values, gains or weights down"
        )
    return problems


def _factor(q: Monomial, index: dict[Monomial, int]) -> tuple[int, int] | None:
    """Two states whose product is ``q``, preferring the most balanced pair."""
    best = None
    for a in divisors(q):
        b = divide(q, a)
        if a in index and b in index:
            pair = (index[a], index[b])
            spread = abs(sum(e for _, e in a) - sum(e for _, e in b))
            if best is None or (spread, pair) < best[0]:
                best = ((spread, pair), pair)
    return None if best is None else best[1]
