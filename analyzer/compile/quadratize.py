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

import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from analyzer.compile.heuristics import Packed, Sparse, greedy, prune, unrepresented
from analyzer.compile.search import branch_and_bound, root_lower_bound
from analyzer.polynomial import Monomial, Poly, degree, divide, divisors

__all__ = ["STRATEGIES", "Quadratization", "is_product", "quadratize"]

STRATEGIES = ("auto", "greedy", "portfolio", "exact")

# Box greedy and restarts run when at most this many states occur in monomials
# of degree >= 3: beyond it they cost more than they save.
SMALL = 64
# Restarts of each randomised greedy (greedy-D and greedy-box), seeds 0, 1, ...
RESTARTS = 8
# "auto" searches exactly when the system has at most this many states, and
# stops after AUTO_NODES nodes (or the time budget, whichever comes first), so
# that a compile gives the same system on any machine unless that machine is
# so slow that the budget runs out first.
SEARCH_STATES = 16
AUTO_NODES = 20_000
# Systems of at most this many states run the portfolio in the packed encoding.
PACKED = 64


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
        ``"greedy"``: greedy-D only (linear time).  ``"portfolio"``: greedy-D,
        pruning and, on small systems, greedy-box and restarts; the smallest
        answer wins.  ``"exact"``: the portfolio, then a branch-and-bound
        seeded with its answer until it completes, ``budget`` seconds pass or
        ``max_nodes`` nodes are visited.  ``"auto"`` (default): the portfolio,
        and the branch-and-bound with a cap of 20 000 nodes on systems of at
        most 16 states.
    budget : float, optional
        Seconds the branch-and-bound may take (positive, finite).
    inner : bool, optional
        Also require every new state w to be a product of two states other
        than 1 and w (what the stabiliser needs).
    max_nodes : int, optional
        Node cap of the branch-and-bound (default: none for ``"exact"``,
        20 000 for ``"auto"``).

    Returns
    -------
    Quadratization
        The new states, sorted by degree then by exponents, with a proven
        lower bound and how they were found.

    Raises
    ------
    ValueError
        For an unknown strategy, or a budget that is not positive and finite.

    Examples
    --------
    x' = x^5 needs one new state, w = x^4 (then x' = x·w and w' = 4 w²):

    >>> from analyzer.polynomial import Poly
    >>> q = quadratize([Poly({((0, 5),): 1.0})])
    >>> q.lifts, q.optimal
    ((((0, 4),),), True)

    x' = x^3 y², y' = -y: greedy-D takes two new states, pruning leaves one.

    >>> rates = [Poly({((0, 3), (1, 2)): 1.0}), Poly({((1, 1),): -1.0})]
    >>> len(quadratize(rates, strategy="greedy"))
    2
    >>> q = quadratize(rates, strategy="portfolio")
    >>> q.lifts, q.strategy
    ...
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if not (isinstance(budget, int | float) and math.isfinite(budget) and budget > 0):
        raise ValueError(
            f"budget must be a positive finite number of seconds, got {budget!r}"
        )
    start = time.perf_counter()
    deadline = start + budget
    sparse = Sparse(rates)
    if not sparse.targets:
        return Quadratization(
            (), 0, True, "none needed", 0, time.perf_counter() - start
        )
    lower = root_lower_bound(sparse)
    found = greedy(sparse, "D", inner=inner)
    assert found is not None, "greedy-D always succeeds"
    best, name = found, "greedy-D"
    nodes, complete = 0, False
    if strategy != "greedy" and len(best) > lower:
        pruned = prune(sparse, best, inner=inner)
        if len(pruned) < len(best):
            best, name = pruned, "greedy-D+prune"
        if sparse.n <= PACKED and len(best) > lower:
            best, name, lower, nodes, complete = _small(
                rates, best, name, lower, strategy, inner, deadline, max_nodes
            )
    problem_text = unrepresented(sparse, best, inner=inner)
    if problem_text is not None:
        raise AssertionError(
            f"quadratization failed its exact check ({name}): {problem_text}"
        )
    lifts = tuple(sorted(best, key=lambda m: (degree(m), m)))
    return Quadratization(
        lifts,
        lower,
        complete or len(lifts) == lower,
        name,
        nodes,
        time.perf_counter() - start,
    )


def _small(
    rates: Sequence[Poly],
    best: list[Monomial],
    name: str,
    lower: int,
    strategy: str,
    inner: bool,
    deadline: float,
    max_nodes: int | None,
) -> tuple[list[Monomial], str, int, int, bool]:
    """The rest of the portfolio on a small system, in the packed encoding."""
    top = max(max(map(degree, rate.terms), default=0) for rate in rates)
    # every monomial the search reaches has degree < (incumbent + 2) * top
    problem = Packed(rates, bits=((len(best) + 2) * max(top, 2)).bit_length() + 1)
    winner, label = [problem.pack(m) for m in best], name

    def offer(candidate: list[int] | None, how: str) -> None:
        nonlocal winner, label
        if candidate is not None and len(candidate) < len(winner):
            winner, label = candidate, how

    if problem.involved <= SMALL:
        cap = 2 * len(winner) + 2
        box = greedy(problem, "box", inner=inner, cap=cap)
        offer(box and prune(problem, box, inner=inner), "greedy-box+prune")
        for seed in range(RESTARTS):
            for policy in ("D", "box"):
                if len(winner) <= lower:
                    break
                found = greedy(
                    problem, policy, inner=inner, rng=random.Random(seed), cap=cap
                )
                offer(found and prune(problem, found, inner=inner), "restarts")
    nodes, complete = 0, False
    search = strategy == "exact" or (strategy == "auto" and problem.n <= SEARCH_STATES)
    if search and len(winner) > lower:
        if max_nodes is None and strategy == "auto":
            max_nodes = AUTO_NODES
        result = branch_and_bound(
            problem, winner, lower, inner=inner, deadline=deadline, max_nodes=max_nodes
        )
        nodes, complete, lower = result.nodes, result.complete, result.lower
        offer(result.lifts, "branch-and-bound")
    return [problem.unpack(w) for w in winner], label, lower, nodes, complete
