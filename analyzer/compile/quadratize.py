"""Quadratization: new states (monomials of the old ones) that make y' = P(y) quadratic.

A set V of monomials is a quadratization when every monomial of every rate, and
every monomial of the derivative of every w = y^v in V, is a product of at most
two members of G = {1, y_1, ..., y_n} ∪ V.  Finding the smallest V is NP-hard;
this module uses greedy-D, a worklist greedy restricted to divisors of the
right-hand-side monomials: linear time on sparse circuits, optimal on chains and
cycles, never worse than the divisor-closure lift.  The result is checked
exactly by :func:`analyzer.compile.assemble.assemble`, never trusted.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from analyzer.polynomial import (
    ONE,
    Monomial,
    Poly,
    count_divisors,
    degree,
    divide,
    divisors,
    lie_monomials,
    variable,
)


def is_product(m: Monomial, states: set[Monomial]) -> bool:
    """Whether ``m`` is 1, a state, or a product of two states."""
    if degree(m) <= 2:
        return True
    return any(a in states and divide(m, a) in states for a in divisors(m))


def quadratize(rates: Sequence[Poly]) -> tuple[Monomial, ...]:
    """New monomial states that make ``y' = rates(y)`` quadratic (greedy-D).

    Parameters
    ----------
    rates : sequence of Poly
        ``rates[i]`` is y_i' as a polynomial in y_0 ... y_{n-1}.

    Returns
    -------
    tuple of monomials
        The new states, sorted by degree then by exponents; empty when the
        system is already quadratic.

    Examples
    --------
    x' = x^5 needs one new state, w = x^4 (then x' = x·w and w' = 4 w²):

    >>> from analyzer.polynomial import Poly
    >>> quadratize([Poly({((0, 5),): 1.0})])
    (((0, 4),),)
    """
    rhs = {i: p for i, p in enumerate(rates)}
    targets = {m for p in rates for m in p.terms}
    reuse: dict[
        Monomial, int
    ] = {}  # D: divisors of degree >= 2, with how many targets they divide
    for m in targets:
        if degree(m) >= 2:
            for d in divisors(m):
                if degree(d) >= 2:
                    reuse[d] = reuse.get(d, 0) + 1
    states: set[Monomial] = {ONE} | {variable(i) for i in range(len(rates))}
    chosen: list[Monomial] = []
    pending = [(count_divisors(m), m) for m in targets if not is_product(m, states)]
    heapq.heapify(pending)
    while pending:
        _, m = heapq.heappop(pending)
        if is_product(m, states):
            continue
        for new in _best_split(m, states, reuse, rhs):
            states.add(new)
            chosen.append(new)
            for q in lie_monomials(new, rhs):
                if not is_product(q, states):
                    heapq.heappush(pending, (count_divisors(q), q))
    return tuple(sorted(chosen, key=lambda m: (degree(m), m)))


def _best_split(
    m: Monomial,
    states: set[Monomial],
    reuse: dict[Monomial, int],
    rhs: dict[int, Poly],
) -> list[Monomial]:
    """The factors to add so that m = a·b.

    Preferred, in order: fewest new states; fewest monomials their derivatives
    leave unrepresented (a one-step look-ahead: x' = x^4 takes x^3, whose
    derivative 3x^6 is x^3·x^3, rather than x^2); most reusable (dividing the
    most right-hand-side monomials); most balanced.
    """
    best: tuple[tuple[int, int, int, int, Monomial], list[Monomial]] | None = None
    for a in divisors(m):
        b = divide(m, a)
        assert b is not None
        if a > b:
            continue
        new = [f for f in dict.fromkeys((a, b)) if f not in states]
        if any(f not in reuse for f in new):
            continue
        after = states.union(new)
        left = sum(not is_product(q, after) for f in new for q in lie_monomials(f, rhs))
        spread = abs(degree(a) - degree(b))
        score = (len(new), left, -sum(reuse[f] for f in new), spread, a)
        if best is None or score < best[0]:
            best = (score, new)
    assert best is not None, "the split (m / y_i, y_i) always lies in D"
    return best[1]
