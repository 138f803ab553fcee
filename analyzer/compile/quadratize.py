"""Quadratization: new states (monomials of the old ones) that make y' = P(y) quadratic.

A set V of monomials is a quadratization when every monomial of every rate, and
every monomial of the derivative of every w = y^v in V, is a product of at most
two members of G = {1, y_1, ..., y_n} ∪ V.  Finding the smallest V is NP-hard
(Hemery, Fages & Soliman 2020), so :func:`quadratize` runs a portfolio:

- greedy-D, a worklist greedy restricted to divisors of the right-hand-side
  monomials: linear time on sparse circuits, optimal on chains and cycles,
  never worse than the divisor-closure lift;
- redundancy pruning (drop new states while the set stays a quadratization);
- on small systems, a balanced greedy over the degree box and randomised
  restarts with fixed seeds;
- on small systems, or when asked, the exact branch-and-bound of
  :mod:`analyzer.compile.search` seeded with the best of the above.

Every answer is checked exactly before it is returned, and
:func:`analyzer.compile.assemble.assemble` checks it again.
"""

from __future__ import annotations

import gc
import math
import random
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from analyzer.compile.heuristics import Packed, Sparse, automorphisms, greedy, prune
from analyzer.compile.search import branch_and_bound, root_lower_bound
from analyzer.polynomial import Monomial, Poly, degree, divide, divisors

__all__ = ["STRATEGIES", "Quadratization", "is_product", "quadratize", "unrepresented"]

STRATEGIES = ("auto", "greedy", "portfolio", "exact")

# Systems of at most this many states get the whole portfolio (greedy-box,
# restarts) in the packed encoding, and may be searched exactly; larger ones
# get greedy-D and pruning only, which stay linear in the size of a circuit.
SMALL = 64
# Restarts of each randomised greedy (greedy-D and greedy-box), seeds 0, 1, ...
RESTARTS = 8
# "auto" searches exactly when the system has at most SEARCH_STATES states and
# stops after AUTO_NODES nodes (0.2-0.6 s on a shared 2-core machine) or at the
# time budget, whichever comes first, so that compiling a circuit gives the
# same system on any machine unless that machine is too slow to visit the
# nodes in time.
SEARCH_STATES = 16
AUTO_NODES = 10_000


@dataclass(frozen=True)
class Quadratization:
    """The new states of a quadratization and how they were found.

    It iterates over ``lifts``, so it can stand wherever a sequence of new
    states is expected.

    Attributes
    ----------
    lifts : tuple of monomials
        The new states, sorted by degree, then by exponents.
    lower_bound : int
        A proven lower bound on the number of new monomial states any
        quadratization needs (QBee's counting bound and a packing bound at the
        root; the count itself when the exact search completed).
    optimal : bool
        Whether ``lifts`` is proven optimal: the search completed, or
        ``len(lifts) == lower_bound``.
    strategy : str
        What produced ``lifts``: ``"none needed"``, ``"greedy-D"``,
        ``"greedy-D+prune"``, ``"greedy-box+prune"``, ``"restarts"`` or
        ``"branch-and-bound"``.
    nodes : int
        Branch-and-bound nodes visited (0 when no search ran).
    seconds : float
        Wall time of the whole call.
    """

    lifts: tuple[Monomial, ...]
    lower_bound: int
    optimal: bool
    strategy: str
    nodes: int
    seconds: float

    def __len__(self) -> int:
        return len(self.lifts)

    def __iter__(self) -> Iterator[Monomial]:
        return iter(self.lifts)

    def __getitem__(self, i: int) -> Monomial:
        return self.lifts[i]


def is_product(m: Monomial, states: set[Monomial]) -> bool:
    """Whether ``m`` is 1, a state, or a product of two states.

    ``states`` must hold 1 and every base state (so degree ≤ 2 always is).
    """
    if degree(m) <= 2:
        return True
    return any(a in states and divide(m, a) in states for a in divisors(m))


def quadratize(
    rates: Sequence[Poly],
    *,
    strategy: str = "auto",
    budget: float = 1.0,
    inner: bool = False,
    max_nodes: int | None = None,
) -> Quadratization:
    """New monomial states that make ``y' = rates(y)`` quadratic.

    Parameters
    ----------
    rates : sequence of Poly
        ``rates[i]`` is y_i' as a polynomial in y_0 ... y_{n-1}.
    strategy : {"auto", "greedy", "portfolio", "exact"}, optional
        ``"greedy"``: greedy-D only (linear time).  ``"portfolio"``: greedy-D
        and pruning, plus greedy-box and restarts on systems of at most 64
        states; the smallest answer wins.  ``"exact"``: the portfolio, then on
        systems of at most 64 states a branch-and-bound seeded with its answer
        until it completes (the answer is then optimal), ``budget`` seconds
        pass or ``max_nodes`` nodes are visited.  ``"auto"`` (default): the
        portfolio, and the branch-and-bound on systems of at most 16 states,
        capped at 10 000 nodes so that a compile does not depend on the
        machine's speed.
    budget : float, optional
        Seconds the call may spend before the search stops with the best
        answer so far (positive, finite).  The heuristics always finish.
    inner : bool, optional
        Also require every new state w to be a product of two states other
        than 1 and w (what the stabiliser needs).
    max_nodes : int, optional
        Node cap of the branch-and-bound (default: none for ``"exact"``,
        10 000 for ``"auto"``).

    Returns
    -------
    Quadratization
        The new states, sorted by degree then by exponents, with a proven
        lower bound and how they were found.

    Raises
    ------
    ValueError
        For an unknown strategy, a budget that is not positive and finite, a
        node cap that is not a positive int, or a rate that uses a state
        without a rate.

    Examples
    --------
    x' = x^5 needs one new state, w = x^4 (then x' = x·w and w' = 4 w²):

    >>> from analyzer.polynomial import Poly
    >>> q = quadratize([Poly({((0, 5),): 1.0})])
    >>> q.lifts, q.optimal
    ((((0, 4),),), True)

    A cascade of cubes, x' = -x, y' = -y + x³, z' = -z + y³: greedy-D takes x²,
    y² and x³; pruning finds x² redundant once x³ is there, and the bounds
    prove that two new states are needed:

    >>> x, y, z = (Poly.var(i) for i in range(3))
    >>> rates = [x * -1.0, y * -1.0 + x * x * x, z * -1.0 + y * y * y]
    >>> quadratize(rates, strategy="greedy").lifts
    (((0, 2),), ((1, 2),), ((0, 3),))
    >>> q = quadratize(rates)
    >>> q.lifts, q.strategy, q.lower_bound, q.optimal
    ((((1, 2),), ((0, 3),)), 'greedy-D+prune', 2, True)

    x' = y⁴, y' = x⁴ needs four new states (QBee's "circular" system): greedy-D
    takes six, a restart finds four, and the exact search proves that three do
    not suffice:

    >>> circular = [Poly({((1, 4),): 1.0}), Poly({((0, 4),): 1.0})]
    >>> len(quadratize(circular, strategy="greedy"))
    6
    >>> q = quadratize(circular)
    >>> q.lifts
    (((0, 1), (1, 2)), ((0, 2), (1, 1)), ((0, 3),), ((1, 3),))
    >>> q.strategy, q.optimal, q.nodes > 0
    ('restarts', True, True)
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if isinstance(budget, bool) or not (
        isinstance(budget, int | float) and math.isfinite(budget) and budget > 0
    ):
        raise ValueError(
            f"budget must be a positive finite number of seconds, got {budget!r}"
        )
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"max_nodes must be None or a positive int, got {max_nodes!r}")
    for i, rate in enumerate(rates):
        if any(v >= len(rates) for v in rate.variables()):
            raise ValueError(
                f"rates[{i}] uses y_{max(rate.variables())}, but there are only "
                f"{len(rates)} rates: give one rate per state (0 for a constant)"
            )
    start = time.perf_counter()
    with no_cyclic_gc():
        lifts, lower, optimal, name, nodes = _quadratize(
            rates, strategy, start + budget, inner, max_nodes
        )
    return Quadratization(
        lifts, lower, optimal, name, nodes, time.perf_counter() - start
    )


def _quadratize(
    rates: Sequence[Poly],
    strategy: str,
    deadline: float,
    inner: bool,
    max_nodes: int | None,
) -> tuple[tuple[Monomial, ...], int, bool, str, int]:
    """The portfolio: (lifts, lower bound, proven optimal, strategy, nodes)."""
    sparse = Sparse(rates)
    if not sparse.targets:
        return (), 0, True, "none needed", 0
    lower = root_lower_bound(sparse)
    nodes, complete = 0, False
    if strategy == "greedy" or sparse.n > SMALL:
        best = greedy(sparse, "D", inner=inner)
        assert best is not None, "greedy-D always succeeds"
        name = "greedy-D"
        if strategy != "greedy" and len(best) > lower:
            pruned = prune(sparse, best, inner=inner)
            if len(pruned) < len(best):
                best, name = pruned, "greedy-D+prune"
    else:
        best, name, lower, nodes, complete = _small(
            sparse, rates, lower, strategy, inner, deadline, max_nodes
        )
    failure = unrepresented(sparse, best, inner=inner)
    if failure is not None:
        raise AssertionError(
            f"quadratization failed its exact check ({name}): {failure}"
        )
    lifts = tuple(sorted(best, key=lambda m: (degree(m), m)))
    return lifts, lower, complete or len(lifts) == lower, name, nodes


def _small(
    sparse: Sparse,
    rates: Sequence[Poly],
    lower: int,
    strategy: str,
    inner: bool,
    deadline: float,
    max_nodes: int | None,
) -> tuple[list[Monomial], str, int, int, bool]:
    """The portfolio on a small system, in the packed encoding."""
    top = max(max(map(degree, rate.terms), default=0) for rate in rates)
    # factors lie in the box or divide a rate monomial; their derivatives are
    # at most twice that degree
    span = 2 * max(sum(sparse.box().values()), top) + 2
    problem = Packed(rates, bits=span.bit_length() + 1)
    box = greedy(problem, "box", inner=inner)  # within the box: it cannot blow up
    assert box is not None, "the degree box always holds a split"
    # greedy-D is exponential on products of many states: the box bounds it
    found = greedy(problem, "D", inner=inner, cap=2 * len(box) + 2)
    winner, label = prune(problem, box, inner=inner), "greedy-box+prune"

    def offer(candidate: list[int] | None, how: str) -> None:
        nonlocal winner, label
        if candidate is not None and len(candidate) <= len(winner) - (
            how != "greedy-D"
        ):
            winner, label = candidate, how

    offer(found, "greedy-D")  # ties go to greedy-D, the simplest answer
    offer(found and prune(problem, found, inner=inner), "greedy-D+prune")
    cap = len(winner) + len(winner) // 2 + 1  # restarts that pass it stop
    for seed in range(RESTARTS):
        for policy in ("D", "box"):
            if len(winner) > lower:
                found = greedy(
                    problem, policy, inner=inner, rng=random.Random(seed), cap=cap
                )
                offer(found and prune(problem, found, inner=inner), "restarts")
    nodes, complete = 0, False
    search = strategy == "exact" or (strategy == "auto" and problem.n <= SEARCH_STATES)
    if search and len(winner) > lower:
        if max_nodes is None and strategy == "auto":
            max_nodes = AUTO_NODES
        # every monomial the search reaches has degree < (incumbent + 2) * top
        span = max(span, (len(winner) + 2) * max(top, 2))
        exact = Packed(rates, bits=span.bit_length() + 1)
        incumbent = [exact.pack(problem.unpack(w)) for w in winner]
        result = branch_and_bound(
            exact, incumbent, lower, inner=inner, deadline=deadline,
            max_nodes=max_nodes, symmetries=automorphisms(sparse),
        )  # fmt: skip
        nodes, complete, lower = result.nodes, result.complete, result.lower
        if result.lifts is not None:
            return (
                [exact.unpack(w) for w in result.lifts],
                "branch-and-bound",
                lower,
                nodes,
                complete,
            )
    return [problem.unpack(w) for w in winner], label, lower, nodes, complete


def unrepresented(
    problem: Sparse, lifts: Sequence[Monomial], *, inner: bool = False
) -> str | None:
    """The exact check: None when ``lifts`` quadratizes the system, else what fails."""
    states = set(problem.base) | set(lifts)
    if len(states) != len(problem.base) + len(lifts):
        return "a new state repeats a state"
    for w in lifts:
        if degree(w) < 2 or any(not 0 <= v < problem.n or e < 1 for v, e in w):
            return f"{w} is not a monomial of degree ≥ 2 in the states"
        if inner and not problem.inner(w, states):
            return f"new state {w} is not a product of two other states"
        for q in problem.lie(w):
            if not problem.representable(q, states):
                return f"{q} in the derivative of {w} is not a product of two states"
    for m in problem.targets:
        if not problem.representable(m, states):
            return f"rate monomial {m} is not a product of two states"
    return None


_GC_LOCK = threading.Lock()
_gc_pauses = 0  # compiles now inside no_cyclic_gc, in every thread
_gc_was_enabled = False  # whether the first of them found the collector on


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while compiling, safely across threads.

    Compiling and lifting build millions of small acyclic objects, and full
    collections made time grow faster than size (a 100 000-block chain
    compiles in about 2.9 s with the pause, 3.8 s without).  The pause is
    reference counted under a lock: the first compile to enter remembers
    whether the collector was on, nested and concurrent compiles share the
    pause, and only the last to leave turns the collector back on, and only
    if it was on when the first entered.  So a program that turned the
    collector off before compiling (in any thread) finds it off afterwards.

    Examples
    --------
    >>> import gc
    >>> gc.isenabled()
    True
    >>> with no_cyclic_gc():
    ...     with no_cyclic_gc():
    ...         gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _gc_pauses, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
