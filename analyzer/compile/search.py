"""Exact quadratization: lower bounds and a branch-and-bound (QBee's, made incremental).

The branch-and-bound of Bychkov & Pogudin (IWOCA 2021; QBee) is complete: some
split m = a·b of a monomial m that is not yet a product of two states (a
"nonsquare") is present in every quadratization, so branching over the splits
of one nonsquare, the one with the fewest, loses nothing.  Here the search
changes one state (with undo) instead of copying it, visits each set of new
states once up to the system's automorphisms, finishes the last two levels
directly (the last new state must complete a split of every nonsquare), and
prunes with the incumbent and two lower bounds on the new states still needed:

- counting (QBee's): k new states cover at most k(k+1)/2 nonsquares as
  products of two new ones, plus, for each new state, the nonsquares it makes
  with an existing state (the k largest such counts);
- packing: every nonsquare needs a new state dividing it, and nonsquares whose
  greatest common divisor has degree ≤ 1 share none, so a family of pairwise
  such nonsquares needs as many new states as it has members.

It runs on the packed encoding of :mod:`analyzer.compile.heuristics`.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.compile.heuristics import Packed, Sparse
from analyzer.polynomial import Monomial

# Sets of new states remembered as visited; beyond this the search only repeats work.
SEEN_MAX = 500_000
# Nodes of the first, depth-first phase when no node cap says otherwise.
DIVE = 10_000


@dataclass(frozen=True)
class SearchResult:
    """What :func:`branch_and_bound` found: a better set (or None), the nodes it
    visited, whether it completed, and the lower bound it proved."""

    lifts: list[int] | None
    nodes: int
    complete: bool
    lower: int


def _pairs(m: Monomial) -> set[Monomial]:
    """The divisors of degree 2 of m (two nonsquares conflict when they share one)."""
    out: set[Monomial] = set()
    for i, (v, e) in enumerate(m):
        if e >= 2:
            out.add(((v, 2),))
        for u, _ in m[i + 1 :]:
            out.add(((v, 1), (u, 1)))
    return out


def root_lower_bound(problem: Sparse) -> int:
    """A lower bound on the new states any quadratization of ``problem`` needs.

    The larger of the counting and the packing bounds over the rate monomials
    of degree ≥ 3; linear in the size of the system.
    """
    targets = problem.targets
    if not targets:
        return 0
    counts: dict[Monomial, int] = {}
    for m in targets:  # m = w·1 or w·y_v: the w's that cover m with a base state
        for w in {m, *(_drop(m, v) for v, _ in m)}:
            counts[w] = counts.get(w, 0) + 1
    return max(_counting(len(targets), counts.values()), _packing(targets, _pairs))


def _drop(m: Monomial, v: int) -> Monomial:
    """m / y_v (y_v divides m)."""
    return tuple((u, e - (u == v)) for u, e in m if e - (u == v))


def _counting(need: int, counts) -> int:
    """The fewest k with k(k+1)/2 + (the k largest counts) >= need."""
    k, covered = 0, 0
    ordered = sorted(counts, reverse=True)
    while k * (k + 1) // 2 + covered < need:
        covered += ordered[k] if k < len(ordered) else 0
        k += 1
    return k


def _packing(nonsquares, pairs) -> int:
    """A greedy family of nonsquares sharing no divisor of degree 2: its size."""
    used: set = set()
    found = 0
    for d2 in sorted((pairs(m) for m in nonsquares), key=len):
        if used.isdisjoint(d2):
            used |= d2
            found += 1
    return found


class _Stop(Exception):
    """The node or time limit was reached."""


class _Found(Exception):
    """Deepening found a quadratization of the size it looked for."""


class _Search:
    """The branch-and-bound state: G, the required monomials, the nonsquares."""

    def __init__(self, problem: Packed, incumbent: Sequence[int], inner: bool,
                 deadline: float, symmetries: Sequence[tuple[int, ...]]) -> None:  # fmt: skip
        self.p = problem
        # each automorphism with the images it has computed so far
        self.symmetries: list[tuple[tuple[int, ...], dict[int, int]]] = [
            (perm, {}) for perm in symmetries
        ]
        self.inner = inner
        self.deadline = deadline
        self.cap = float("inf")  # nodes
        self.deepening = False
        self.reset()
        self.best = self.incumbent = list(incumbent)
        self.limit = len(self.best)  # prune nodes that cannot beat this size
        self.nodes = 0
        self._pairs: dict[int, frozenset[int]] = {}
        self._quotients: dict[int, tuple[int, ...]] = {}

    def reset(self) -> None:
        """Back to the root: no new states (a stopped search leaves no undo)."""
        self.G: set[int] = set(self.p.base)
        self.V: list[int] = []
        self.required: dict[int, int] = dict.fromkeys(self.p.targets, 1)
        self.NS: set[int] = set(self.p.targets)
        self.NI: set[int] = set()  # new states not yet a product of two others
        self.seen: set[frozenset[int] | tuple[int, ...]] = set()

    def key(self, items: tuple[int, ...]) -> frozenset[int] | tuple[int, ...]:
        """The set of new states, canonical under the system's automorphisms."""
        if not self.symmetries:
            return frozenset(items)
        best = tuple(sorted(items))
        for perm, cache in self.symmetries:
            image = []
            for x in items:
                y = cache.get(x)
                if y is None:
                    fields = self.p.exponents(x)
                    y = cache[x] = sum(
                        e * self.p.unit[perm[v]] for v, e in enumerate(fields)
                    )
                image.append(y)
            image.sort()
            if tuple(image) < best:
                best = tuple(image)
        return best

    @property
    def found(self) -> list[int] | None:
        """The best quadratization found, if better than the incumbent."""
        return self.best if self.best is not self.incumbent else None

    def pairs(self, m: int) -> frozenset[int]:
        out = self._pairs.get(m)
        if out is None:
            p = self.p
            out = self._pairs[m] = frozenset(map(p.pack, _pairs(p.unpack(m))))
        return out

    def quotients(self, m: int) -> tuple[int, ...]:
        """m / g for the base states g dividing m: m itself and m / y_v."""
        out = self._quotients.get(m)
        if out is None:
            unit = self.p.unit
            out = (m, *(m - unit[v] for v, e in enumerate(self.p.exponents(m)) if e))
            self._quotients[m] = out
        return out

    def add(self, w: int) -> tuple:
        G, NS, NI = self.G, self.NS, self.NI
        G.add(w)
        self.V.append(w)
        covered = [m for m in NS if (m - w) in G]
        NS.difference_update(covered)
        covered_inner = [t for t in NI if t != w and (t - w) in G and t - w]
        NI.difference_update(covered_inner)
        required = self.required
        for q in self.p.lie(w):
            c = required.get(q, 0)
            required[q] = c + 1
            if not c and G.isdisjoint([q - g for g in G]):
                NS.add(q)
        flagged = self.inner and not self.p.inner(w, G)
        if flagged:
            NI.add(w)
        return w, covered, covered_inner, flagged

    def undo(self, record: tuple) -> None:
        w, covered, covered_inner, flagged = record
        required = self.required
        for q in self.p.lie(w):
            c = required[q] - 1
            if c:
                required[q] = c
            else:
                del required[q]
                self.NS.discard(q)
        if flagged:
            self.NI.discard(w)
        self.NS.update(covered)
        self.NI.update(covered_inner)
        self.G.discard(w)
        self.V.pop()

    def counting_prunes(self, room: int) -> bool:
        """Whether QBee's counting bound says the nonsquares need ``room`` or more
        new states: ``room - 1`` of them cover at most (room - 1)·room/2
        nonsquares as products of two new ones, plus the ``room - 1`` largest
        counts of nonsquares w·g with g already a state."""
        NS, V, guard = self.NS, self.V, self.p.guard
        found: list[int] = []
        extend, quotients = found.extend, self._quotients
        for m in NS:
            extend(quotients.get(m) or self.quotients(m))
        if V:
            extend(
                [w for w in [m - g for m in NS for g in V] if w > 0 and not w & guard]
            )
        top = heapq.nlargest(room - 1, Counter(found).values())
        return (room - 1) * room // 2 + sum(top) < len(NS)

    def last(self, m: int, is_inner: bool) -> None:
        """Room for one more new state: it is the factor of a split of m that is
        not yet a state, and every other nonsquare must be it times a state."""
        G, NS, V = self.G, self.NS, self.V
        for a, b in self.p.splits(m)[1:] if is_inner else self.p.splits(m):
            w = b if a in G else a if b in G or a == b else None
            if w is None or not all((x - w) in G or x == w + w for x in NS):
                continue
            record = self.add(w)
            done = not self.NS and not self.NI
            if done:
                self.best = list(V)
            self.undo(record)
            if done:
                self.limit = len(self.best)
                if self.deepening:
                    raise _Found
                return

    def may_finish(self, new: tuple[int, ...]) -> bool:
        """A necessary condition for ``new`` plus at most one more state (two
        in all) to cover the nonsquares: those ``new`` leaves must share a
        candidate for the last state."""
        G, guard = self.G, self.p.guard
        H = G.union(new)
        left = [x for x in self.NS if all((x - f) not in H for f in new)]
        if not left:
            return True
        if len(new) == 2:
            return False
        first, rest = left[0], left[1:]
        for g in H:
            w = first - g
            if (
                w > 0
                and not w & guard
                and w not in H
                and all((x - w) in H or x == w + w for x in rest)
            ):
                return True
        half = first >> 1  # first = 2w needs even fields: first - 2w == 0
        return not first & ~guard & self.p.ones and all(
            (x - half) in H or x == first for x in rest
        )

    def last_two(self, m: int, is_inner: bool) -> None:
        """Room for two more new states: each split of m, then :meth:`last`."""
        G, V = self.G, self.V
        nv = len(V)
        for a, b in self.p.splits(m)[1:] if is_inner else self.p.splits(m):
            new = (b,) if a in G else (a,) if b in G or a == b else (a, b)
            if nv + len(new) >= self.limit:
                continue
            key = self.key((*V, *new))
            if key in self.seen:
                continue
            if len(self.seen) < SEEN_MAX:
                self.seen.add(key)
            self.nodes += 1
            if not self.may_finish(new):
                continue
            records = [self.add(f) for f in new]
            try:
                if not self.NS and not self.NI:
                    self.best = list(V)
                    self.limit = len(V)
                    if self.deepening:
                        raise _Found
                elif len(new) == 1 and nv + 2 < self.limit:
                    inner = not self.NS
                    pool = self.NI if inner else self.NS
                    self.last(min(pool, key=lambda x: (self.p.ndiv(x), x)), inner)
            finally:
                for r in reversed(records):
                    self.undo(r)

    def dfs(self, lower: int) -> None:
        """Visit a node; ``lower`` bounds the new states it still needs (packing)."""
        self.nodes += 1
        if self.nodes > self.cap:
            raise _Stop
        if not self.nodes % 64 and time.perf_counter() > self.deadline:
            raise _Stop
        V, G, p, NS, NI = self.V, self.G, self.p, self.NS, self.NI
        if not NS and not NI:
            self.best = list(V)
            self.limit = len(V)
            if self.deepening:
                raise _Found
            return
        nv = len(V)
        room = self.limit - nv  # the counting bound prunes when it reaches room
        if lower >= room or (
            len(NS) > room * (room - 1) // 2 and self.counting_prunes(room)
        ):
            return
        is_inner = not NS
        m = min(NI if is_inner else NS, key=lambda m: (p.ndiv(m), m))
        if room == 2:
            self.last(m, is_inner)
            return
        if room == 3:
            self.last_two(m, is_inner)
            return
        children = []
        for a, b in p.splits(m)[1:] if is_inner else p.splits(m):
            new = (b,) if a in G else (a,) if b in G or a == b else (a, b)
            if nv + len(new) >= self.limit:
                continue
            key = self.key((*V, *new))
            if key in self.seen:
                continue
            if len(self.seen) < SEEN_MAX:
                self.seen.add(key)
            records = [self.add(f) for f in new]
            bound = _packing(NS, self.pairs) if NS else int(bool(NI))
            score = (nv + len(new) + bound, len(NS) + len(NI), new)
            for r in reversed(records):
                self.undo(r)
            if nv + len(new) + bound < self.limit:
                children.append((score, new, bound))
        children.sort()
        for _, new, bound in children:
            if nv + len(new) + bound >= self.limit:
                continue
            records = [self.add(f) for f in new]
            self.dfs(bound)
            for r in reversed(records):
                self.undo(r)


def branch_and_bound(
    problem: Packed,
    incumbent: Sequence[int],
    lower: int,
    *,
    inner: bool = False,
    deadline: float = float("inf"),
    max_nodes: int | None = None,
    symmetries: Sequence[tuple[int, ...]] = (),
) -> SearchResult:
    """Search for a quadratization smaller than ``incumbent`` (a valid one).

    Two phases.  A depth-first dive below the incumbent finds improvements
    early (3/4 of ``max_nodes``, or :data:`DIVE` nodes); if it has not
    finished, iterative deepening asks for k = ``lower``, ``lower`` + 1, ...
    new states, each pass proving that k is too few unless it finds k, which
    is then optimal.  That is robust where the dive wanders, and leaves a
    proven lower bound when a limit stops it: ``max_nodes`` nodes, or the
    ``deadline`` (a :func:`time.perf_counter` value).  ``symmetries`` are
    automorphisms of the system (:func:`automorphisms`): sets of new states
    they relate are visited once.
    """
    search = _Search(problem, incumbent, inner, deadline, symmetries)
    search.cap = DIVE if max_nodes is None else max_nodes * 3 // 4
    try:
        search.dfs(lower)
        return SearchResult(search.found, search.nodes, True, len(search.best))
    except _Stop:
        if time.perf_counter() > deadline:
            return SearchResult(search.found, search.nodes, False, lower)
    search.cap = float("inf") if max_nodes is None else max_nodes
    search.deepening = True
    try:
        for k in range(max(lower, 1), len(search.best)):
            search.limit = k + 1
            search.reset()
            search.dfs(lower)
            lower = k + 1
    except _Found:
        lower = len(search.best)
    except _Stop:
        return SearchResult(search.found, search.nodes, False, lower)
    return SearchResult(search.found, search.nodes, True, lower)
