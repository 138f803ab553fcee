"""Algebraic loops: cycles of blocks with no integrator, solved exactly.

A loop through adders and gains is linear, (I − L) s = e with constant L, and
is solved once, numerically.  A loop that also passes through multipliers,
each taking one factor q from outside the loop, is still linear in the loop's
signals but with polynomial coefficients: (I − L(y)) s = e(y).  This is the
electronic analog computer's divider (an amplifier in the feedback path of a
multiplier finds z with x·z + y = 0).  Cramer's rule gives
s_i = det(M_i) / det(M) with M = I − L, and 1/det(M) becomes one reciprocal
state r with r' = −r²·det(M)' (:mod:`analyzer.functions`), so every signal of
the loop is the polynomial det(M_i)·r.  The loop must be solvable at t0
(det M(y0) ≠ 0); a run that reaches det M = 0 later stops with a
:class:`~analyzer.errors.SimulationError`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import cache

import numpy as np

from analyzer.compile.polynomialize import Polynomializer
from analyzer.netlist import Netlist
from analyzer.polynomial import Monomial, Poly, total
from analyzer.validate import cycle_text, loop_matrix


def solve_loop(
    netlist: Netlist,
    nodes: list[Hashable],
    signals: Mapping[Hashable, Poly],
    functions: Polynomializer,
) -> dict[Hashable, Poly]:
    """The signals of one loop (validated: linear, or an implicit division)."""
    if all(netlist.kind(n) != "multiplier" for n in nodes):
        return _solve_linear(netlist, nodes, signals)
    matrix, feeds = _loop_system(netlist, nodes, signals)
    denominator = determinant(matrix)
    at_start = denominator.evaluate(functions.y0)
    size = sum(abs(c) * abs(Poly({m: 1.0}).evaluate(functions.y0))
               for m, c in denominator.terms.items())  # fmt: skip
    if not abs(at_start) > 1e-12 * size:
        functions.problems.append(
            f"{cycle_text(netlist, nodes)}: an implicit loop (division) that cannot "
            f"be solved at t0: its determinant det(I − L) is {at_start:.6g} there "
            "(a divisor such as x is 0 at t0); change the initial values, or the "
            "loop's weights"
        )
        return {n: Poly() for n in nodes}
    if denominator.degree() == 0:
        scale = 1.0 / at_start
    else:
        first = nodes[0]
        context = functions.at(
            first, "implicit loop", f"inv(loop {first})", cycle_text(netlist, nodes)
        )
        scale = context.function("reciprocal", denominator)
    solved = {}
    for i, block in enumerate(nodes):
        replaced = [[*row[:i], feeds[r], *row[i + 1 :]] for r, row in enumerate(matrix)]
        solved[block] = determinant(replaced) * scale
    return solved


def determinant(matrix: list[list[Poly]]) -> Poly:
    """det of a small square matrix of polynomials (Laplace, minors cached).

    Examples
    --------
    >>> x = Poly.var(0)
    >>> determinant([[Poly.const(1.0), x], [x, Poly.const(1.0)]]).terms
    {(): 1.0, ((0, 2),): -1.0}
    """
    k = len(matrix)

    @cache
    def minor(row: int, columns: tuple[int, ...]) -> Poly:
        if row == k:
            return Poly.const(1.0)
        terms = []
        for place, column in enumerate(columns):
            entry = matrix[row][column]
            if not entry.is_zero():
                rest = minor(row + 1, columns[:place] + columns[place + 1 :])
                terms.append((entry * rest).scale(-1.0 if place % 2 else 1.0))
        return total(terms)

    return minor(0, tuple(range(k)))


def _loop_system(
    netlist: Netlist, nodes: list[Hashable], signals: Mapping[Hashable, Poly]
) -> tuple[list[list[Poly]], list[Poly]]:
    """M = I − L(y) and e(y) with M s = e for the loop's signals s."""
    inside = {n: i for i, n in enumerate(nodes)}
    k = len(nodes)
    matrix = [
        [Poly.const(1.0) if i == j else Poly() for j in range(k)] for i in range(k)
    ]
    feeds: list[Poly] = []
    for i, block in enumerate(nodes):
        wires = netlist.wires[block]
        if netlist.kind(block) == "multiplier":  # one factor inside, one outside
            inner = next(w for w in wires if w.src in inside)
            outer = next(w for w in wires if w is not inner)
            factor = signals[outer.src].scale(float(inner.weight) * float(outer.weight))
            j = inside[inner.src]
            matrix[i][j] = matrix[i][j] + factor.scale(-1.0)
            feeds.append(Poly())
            continue
        attrs = netlist.attrs[block]
        gain = float(attrs["k"]) if attrs["kind"] == "gain" else 1.0
        outside = []
        for w in wires:
            if w.src in inside:
                j = inside[w.src]
                matrix[i][j] = matrix[i][j] + Poly.const(-gain * float(w.weight))
            else:
                outside.append(signals[w.src].scale(gain * float(w.weight)))
        feeds.append(total(outside))
    return matrix, feeds


def _solve_linear(
    netlist: Netlist, nodes: list[Hashable], signals: Mapping[Hashable, Poly]
) -> dict[Hashable, Poly]:
    """Signals of a non-singular loop of adders and gains: (I - L) s = e, solved."""
    inside = set(nodes)
    outside: list[Poly] = []
    for block in nodes:
        attrs = netlist.attrs[block]
        gain = float(attrs["k"]) if attrs["kind"] == "gain" else 1.0
        feeds = [
            signals[w.src].scale(gain * float(w.weight))
            for w in netlist.wires[block]
            if w.src not in inside
        ]
        outside.append(total(feeds))
    monomials: list[Monomial] = sorted({m for p in outside for m in p.terms})
    e = np.array([[p.terms.get(m, 0.0) for m in monomials] for p in outside])
    solved = np.linalg.solve(np.eye(len(nodes)) - loop_matrix(netlist, nodes), e)
    return {
        block: Poly(dict(zip(monomials, row.tolist(), strict=True)))
        for block, row in zip(nodes, solved.reshape(len(nodes), -1), strict=True)
    }
