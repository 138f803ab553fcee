"""A deliberately naive interpreter of circuits: the oracle the compiler is tested against.

It reads the graph block by block and shares no code with ``analyzer`` (only
networkx and numpy), so a bug in the compiler cannot hide behind the same bug
here.  Given the value of every integrator and the time, it returns every block's
signal and every integrator's time derivative.

Derivatives are forward-mode: each block carries the pair (value, d/dt value).
An adder sums, a gain scales, a multiplier applies the product rule, a constant
has rate 0, the clock rate 1, and an integrator's rate is its own derivative
w' = (Σ weight·in)·dv/dt, where v is its ``wrt`` signal (time when absent).
Edge weights multiply the signal on every port, ``wrt`` included.

A function block (exp, sin, ...) applies numpy's function, and its rate is the
textbook derivative times the input's rate.

A linear algebraic loop through adders and gains is solved by a dense linear
solve; so is a loop through multipliers that take one factor from outside the
loop (an implicit division), with that factor's current value as the
coefficient.  A loop through anything else is refused.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np

__all__ = ["Naive", "derivatives", "majorant", "signals"]

SOURCES = ("constant", "time")
LINEAR = ("adder", "gain")

# f(u, p) and f'(u, p), written out independently of analyzer.functions.
FUNCTIONS = {
    "exp": (lambda u, p: np.exp(u), lambda u, p: np.exp(u)),
    "sin": (lambda u, p: np.sin(u), lambda u, p: np.cos(u)),
    "cos": (lambda u, p: np.cos(u), lambda u, p: -np.sin(u)),
    "tanh": (lambda u, p: np.tanh(u), lambda u, p: 1.0 / np.cosh(u) ** 2),
    "logistic": (
        lambda u, p: 1.0 / (1.0 + np.exp(-u)),
        lambda u, p: np.exp(-u) / (1.0 + np.exp(-u)) ** 2,
    ),
    "reciprocal": (lambda u, p: 1.0 / u, lambda u, p: -1.0 / u**2),
    "log": (lambda u, p: np.log(u), lambda u, p: 1.0 / u),
    "sqrt": (lambda u, p: np.sqrt(u), lambda u, p: 0.5 / np.sqrt(u)),
    "power": (lambda u, p: u**p, lambda u, p: p * u ** (p - 1.0)),
}


def _graph(circuit):
    """The networkx graph itself, or the ``graph`` of a Circuit-like object."""
    return circuit if isinstance(circuit, nx.Graph) else circuit.graph


def _wires(g, node):
    """Every wire into ``node`` as (source, port, weight), parallel wires included."""
    return [
        (u, d.get("port", "in"), float(d.get("weight", 1.0)))
        for u, _, d in g.in_edges(node, data=True)
    ]


class Naive:
    """Evaluate a circuit by walking its graph.

    Parameters
    ----------
    circuit : Circuit or networkx.MultiDiGraph or networkx.DiGraph
        Any object with a ``graph`` attribute, or the graph itself.

    Examples
    --------
    w integrated with respect to v = x²: w' = 3·(2x·x') with x' = 1.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", kind="integrator"); g.add_node("w", kind="integrator")
    >>> g.add_node("one", kind="constant", value=1.0)
    >>> g.add_node("v", kind="multiplier")
    >>> g.add_edges_from([("one", "x"), ("x", "v"), ("x", "v")])
    [0, 0, 1]
    >>> g.add_edge("one", "w", weight=3.0)
    0
    >>> g.add_edge("v", "w", port="wrt")
    0
    >>> Naive(g).derivatives({"x": 0.5, "w": 0.0}, t=0.0)
    {'x': 1.0, 'w': 3.0}
    """

    def __init__(self, circuit) -> None:
        self.g = _graph(circuit)
        self.kind = {n: self.g.nodes[n]["kind"] for n in self.g.nodes}
        self.wires = {n: _wires(self.g, n) for n in self.g.nodes}
        # Algebraic dependencies only: an integrator's output is given, so
        # wires into integrators never make a loop of the signals.
        dep = nx.DiGraph()
        dep.add_nodes_from(self.g.nodes)
        for n in self.g.nodes:
            if self.kind[n] != "integrator":
                for u, _, _ in self.wires[n]:
                    dep.add_edge(u, n)
        self.component = {}
        for comp in nx.strongly_connected_components(dep):
            members = tuple(comp)
            for n in members:
                self.component[n] = members
        self.dep = dep

    def integrators(self) -> list[Hashable]:
        """The integrators, in the graph's order."""
        return [n for n in self.g.nodes if self.kind[n] == "integrator"]

    def initial(self) -> dict[Hashable, float]:
        """Every integrator's ``initial`` (0.0 when absent)."""
        return {
            n: float(self.g.nodes[n].get("initial", 0.0)) for n in self.integrators()
        }

    # ----- values -------------------------------------------------------------

    def signals(self, state: Mapping[Hashable, float], t: float) -> dict:
        """Every block's signal given the integrators' values and the time."""
        val: dict = {}
        for n in self.integrators():
            val[n] = float(state[n])
        for comp in self._components_in_order():
            if len(comp) == 1 and not self.dep.has_edge(comp[0], comp[0]):
                n = comp[0]
                if self.kind[n] != "integrator":
                    val[n] = self._value(n, val, t)
            else:
                val.update(self._solve_loop(comp, lambda u: val[u]))
        return val

    def _components_in_order(self):
        cond = nx.condensation(self.dep)
        members = cond.graph["mapping"]
        groups: dict[int, list] = {}
        for n, c in members.items():
            groups.setdefault(c, []).append(n)
        return [tuple(groups[c]) for c in nx.topological_sort(cond)]

    def _value(self, n, val, t):
        kind, p = self.kind[n], self.g.nodes[n]
        signals = [w * val[u] for u, _, w in self.wires[n]]
        if kind == "adder":
            return sum(signals, 0.0)
        if kind == "gain":
            return float(p["k"]) * sum(signals, 0.0)
        if kind == "multiplier":
            if len(signals) != 2:
                raise ValueError(f"multiplier {n!r} has {len(signals)} inputs")
            return signals[0] * signals[1]
        if kind == "constant":
            return float(p["value"])
        if kind == "time":
            return float(t)
        if kind in FUNCTIONS:
            return float(FUNCTIONS[kind][0](signals[0], float(p.get("p", 0.0))))
        raise ValueError(f"naive interpreter does not know kind {kind!r}")

    def _solve_loop(self, comp, outside, val=None):
        """Solve a loop x = W x + r exactly; ``outside(u)`` gives its inputs.

        For values, a multiplier in the loop contributes the coefficient
        w1·w2·(its outside factor).  For rates (``val`` given: the values), the
        product rule gives the same coefficient plus w1·w2·(outside rate)·(inside
        value) on the right-hand side.
        """
        index = {n: i for i, n in enumerate(comp)}
        size = len(comp)
        matrix = np.eye(size)
        rhs = np.zeros(size)
        for n in comp:
            if self.kind[n] == "multiplier":
                (u1, _, w1), (u2, _, w2) = self.wires[n]
                if u1 not in index:
                    (u1, w1), (u2, w2) = (u2, w2), (u1, w1)
                if u2 in index:
                    raise ValueError(f"nonlinear loop: multiplier {n!r}")
                factor = val[u2] if val is not None else outside(u2)
                matrix[index[n], index[u1]] -= w1 * w2 * factor
                if val is not None:
                    rhs[index[n]] += w1 * w2 * outside(u2) * val[u1]
                continue
            if self.kind[n] not in LINEAR:
                raise ValueError(f"algebraic loop through {n!r} ({self.kind[n]})")
            k = float(self.g.nodes[n]["k"]) if self.kind[n] == "gain" else 1.0
            for u, _, w in self.wires[n]:
                if u in index:
                    matrix[index[n], index[u]] -= k * w
                else:
                    rhs[index[n]] += k * w * outside(u)
        if abs(np.linalg.det(matrix)) < 1e-12:
            raise ValueError(f"singular loop through {comp!r}")
        x = np.linalg.solve(matrix, rhs)
        return {n: float(x[index[n]]) for n in comp}

    # ----- rates (forward mode) ------------------------------------------------

    def rates(self, state: Mapping[Hashable, float], t: float) -> dict:
        """d/dt of every block's signal (integrators: their derivatives)."""
        val = self.signals(state, t)
        rate: dict = {}
        busy: set = set()

        def get(n):
            if n in rate:
                return rate[n]
            if n in busy:
                raise ValueError(f"the rate of {n!r} depends on itself")
            busy.add(n)
            kind = self.kind[n]
            comp = self.component[n]
            if kind != "integrator" and (len(comp) > 1 or self.dep.has_edge(n, n)):
                rate.update(self._solve_loop(comp, get, val))
            else:
                rate[n] = self._rate(n, val, get)
            busy.discard(n)
            return rate[n]

        for n in self.g.nodes:
            get(n)
        return rate

    def _rate(self, n, val, get):
        kind = self.kind[n]
        wires = self.wires[n]
        if kind == "integrator":
            total = sum((w * val[u] for u, port, w in wires if port == "in"), 0.0)
            wrt = [(u, w) for u, port, w in wires if port == "wrt"]
            if len(wrt) > 1:
                raise ValueError(f"integrator {n!r} has {len(wrt)} wrt wires")
            if not wrt:
                return total
            u, w = wrt[0]
            return total * w * get(u)
        if kind == "adder":
            return sum((w * get(u) for u, _, w in wires), 0.0)
        if kind == "gain":
            return float(self.g.nodes[n]["k"]) * sum(
                (w * get(u) for u, _, w in wires), 0.0
            )
        if kind == "multiplier":
            (u1, _, w1), (u2, _, w2) = wires
            return w1 * w2 * (val[u1] * get(u2) + get(u1) * val[u2])
        if kind == "constant":
            return 0.0
        if kind == "time":
            return 1.0
        if kind in FUNCTIONS:
            ((u, _, w),) = wires
            p = float(self.g.nodes[n].get("p", 0.0))
            return float(FUNCTIONS[kind][1](w * val[u], p)) * w * get(u)
        raise ValueError(f"naive interpreter does not know kind {kind!r}")

    def derivatives(self, state: Mapping[Hashable, float], t: float) -> dict:
        """Every integrator's time derivative."""
        rate = self.rates(state, t)
        return {n: rate[n] for n in self.integrators()}


def signals(circuit, state: Mapping[Hashable, float], t: float) -> dict:
    """Every block's signal; see :class:`Naive`."""
    return Naive(circuit).signals(state, t)


def derivatives(circuit, state: Mapping[Hashable, float], t: float) -> dict:
    """Every integrator's time derivative; see :class:`Naive`."""
    return Naive(circuit).derivatives(state, t)


def majorant(circuit, state: Mapping[Hashable, float], t: float) -> tuple[dict, dict]:
    """Bounds on the size of every signal and rate, for rounding tolerances.

    The same walk with every number replaced by its absolute value bounds each
    sum by the sum of the sizes of its terms (valid without algebraic loops).
    """
    g = _graph(circuit)
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        d = dict(d)
        for key in ("k", "value"):
            if key in d:
                d[key] = abs(float(d[key]))
        h.add_node(n, **d)
    for u, v, d in g.edges(data=True):
        d = dict(d)
        d["weight"] = abs(float(d.get("weight", 1.0)))
        h.add_edge(u, v, **d)
    oracle = Naive(h)
    size = {n: abs(float(x)) for n, x in state.items()}
    return oracle.signals(size, abs(t)), oracle.rates(size, abs(t))
