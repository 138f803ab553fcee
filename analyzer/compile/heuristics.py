"""The quadratization problem in two encodings, and the heuristics that work on it.

:class:`Sparse` keeps monomials as sorted ``(variable, exponent)`` tuples and
touches only the monomials near the ones it changes: a sparse circuit of
thousands of states costs time linear in its size.  :class:`Packed` makes each
monomial one Python int, its exponents in fixed-width bit fields with a guard
bit on top of each, for small systems that the portfolio and the exact search
visit many times: a product is an addition, and ``m - g`` is a monomial exactly
when it is not negative and sets no guard bit.  Both share one interface, so
the greedy worklists, the pruning and the symmetry finder are written once.
Membership in G+G is tested from one monomial's splits or from G, never by
building G+G.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from math import prod
from typing import Any

from analyzer.polynomial import ONE, Monomial, Poly, degree, variable

# More automorphisms than this cost more to apply to every child than they save.
SYMMETRIES = 24
# A monomial in a problem's encoding: a sparse tuple (Sparse) or an int (Packed).
Mono = Any


class Sparse:
    """y' = rates(y) over sparse tuple monomials, with per-call caches.

    ``targets`` are the rate monomials of degree ≥ 3 (every other one is 1, a
    state or a product of two); ``lie(w)`` gives those of degree ≥ 3 in the
    derivative of y^w; ``splits(m)`` every unordered m = a·b, 1·m first.
    """

    def __init__(self, rates: Sequence[Poly]) -> None:
        self.n = len(rates)
        self.rhs: tuple[tuple[Mono, ...], ...] = tuple(tuple(p.terms) for p in rates)
        self.base: frozenset[Any] = frozenset([ONE, *map(variable, range(self.n))])
        self.targets: tuple[Any, ...] = tuple(
            sorted({m for p in rates for m in p.terms if degree(m) >= 3})
        )
        self._splits: dict[Any, tuple] = {}
        self._lie: dict[Any, tuple] = {}
        self._reuse: dict[Any, int] | None = None
        self._box: dict[int, int] | None = None
        self._degree: dict[Any, int] = {}

    def degree(self, m: Mono) -> int:
        d = self._degree.get(m)
        if d is None:
            d = self._degree[m] = sum(e for _, e in m)
        return d

    def ndiv(self, m: Mono) -> int:
        return prod(e + 1 for _, e in m)

    def support(self, m: Mono) -> list[int]:
        return [v for v, _ in m]

    def splits(self, m: Mono) -> tuple[tuple[Mono, Mono], ...]:
        out = self._splits.get(m)
        if out is None and len(m) == 1:
            ((v, e),) = m
            out = self._splits[m] = tuple(
                (((v, k),) if k else (), ((v, e - k),)) for k in range(e // 2 + 1)
            )
        elif out is None:
            pairs: list[tuple[Monomial, Monomial]] = [((), ())]
            for v, e in m:
                pairs = [
                    ((*a, (v, k)) if k else a, (*b, (v, e - k)) if k < e else b)
                    for a, b in pairs
                    for k in range(e + 1)
                ]
            out = self._splits[m] = tuple((a, b) for a, b in pairs if a <= b)
        return out

    def lie(self, w: Mono) -> tuple[Mono, ...]:
        out = self._lie.get(w)
        if out is None:
            found: set[Mono] = set()
            low = 3 - self.degree(w) + 1  # q must have at least this degree
            for v, _ in w:
                rest = dict(w)
                rest[v] -= 1
                for q in self.rhs[v]:
                    if self.degree(q) < low:
                        continue
                    exps = rest.copy()
                    for u, e in q:
                        exps[u] = exps.get(u, 0) + e
                    found.add(tuple(sorted(item for item in exps.items() if item[1])))
            out = self._lie[w] = tuple(sorted(found))
        return out

    def representable(self, m: Mono, states: set, extra: Sequence = ()) -> bool:
        """Whether m is a product of two members of ``states`` ∪ ``extra``."""
        splits = self._splits.get(m) or self.splits(m)
        if not extra:  # the hot path: a plain loop beats any() over a generator
            for a, b in splits:  # noqa: SIM110
                if a in states and b in states:
                    return True
            return False
        for a, b in splits:
            if (a in states or a in extra) and (b in states or b in extra):
                return True
        return False

    def inner(self, w: Mono, states: set) -> bool:
        """Whether w is a product of two members of ``states`` other than 1 and w."""
        return self.degree(w) <= 2 or any(
            a in states and b in states for a, b in self.splits(w)[1:]
        )

    def reuse(self) -> dict[Any, int]:
        """D: divisors of degree ≥ 2 of the rate monomials, with how many of them
        each divides.  The split (w / y_v)·q of a monomial of the derivative of
        w ∈ D, q a rate monomial, always lies in G ∪ D, so greedy-D succeeds."""
        if self._reuse is None:
            self._reuse = {}
            monomials = {m for rate in self.rhs for m in rate if self.degree(m) >= 2}
            for m in sorted(monomials):
                for a, b in self.splits(m):
                    for d in {a, b}:
                        if self.degree(d) >= 2:
                            self._reuse[d] = self._reuse.get(d, 0) + 1
        return self._reuse

    def box(self) -> dict[int, int]:
        """The degree box: each state's largest exponent over the rate monomials."""
        top: dict[int, int] = {}
        for rate in self.rhs:
            for m in rate:
                for v, e in m:
                    top[v] = max(top.get(v, 0), e)
        return top

    def in_box(self, f: Any) -> bool:
        if self._box is None:
            self._box = self.box()
        return all(e <= self._box.get(v, 0) for v, e in f)


class Packed(Sparse):
    """The same problem with monomials packed into ints of ``bits``-wide fields.

    ``bits`` must exceed the bit length of every degree the caller will reach.
    """

    def __init__(self, rates: Sequence[Poly], bits: int) -> None:
        sparse = Sparse(rates)
        self.n, self.bits = sparse.n, bits
        self.unit = [1 << (bits * v) for v in range(self.n)]
        self.field = (1 << bits) - 1
        self.guard = sum(u << (bits - 1) for u in self.unit)
        self.ones = sum(self.unit)
        self.rhs = tuple(tuple(map(self.pack, rate)) for rate in sparse.rhs)
        self.base = frozenset([0, *self.unit])
        self.targets = tuple(sorted(map(self.pack, sparse.targets)))
        self.box_int = self.pack(tuple(sparse.box().items()))
        self._splits, self._lie, self._reuse = {}, {}, None
        self._ndiv: dict[int, int] = {}

    def pack(self, m: Monomial) -> int:
        return sum(e << (self.bits * v) for v, e in m)

    def unpack(self, x: int) -> Monomial:
        f, b = self.field, self.bits
        return tuple((v, e) for v in range(self.n) if (e := (x >> (b * v)) & f))

    def exponents(self, x: int) -> list[int]:
        f, b = self.field, self.bits
        return [(x >> (b * v)) & f for v in range(self.n)]

    def degree(self, m: Mono) -> int:
        return ((m * self.ones) >> (self.bits * (self.n - 1))) & self.field

    def support(self, m: Mono) -> list[int]:
        return [v for v, e in enumerate(self.exponents(m)) if e]

    def ndiv(self, m: Mono) -> int:
        out = self._ndiv.get(m)
        if out is None:
            out = self._ndiv[m] = prod(e + 1 for e in self.exponents(m))
        return out

    def splits(self, m: Mono) -> tuple[tuple[Mono, Mono], ...]:
        out = self._splits.get(m)
        if out is None:
            divs = [0]
            for v, e in enumerate(self.exponents(m)):
                if e:
                    u = self.unit[v]
                    divs = [d + k * u for d in divs for k in range(e + 1)]
            # divs starts with 0, so the trivial split 0 + m comes first
            out = self._splits[m] = tuple((a, m - a) for a in divs if 2 * a <= m)
        return out

    def lie(self, w: Mono) -> tuple[Mono, ...]:
        out = self._lie.get(w)
        if out is None:
            found: set[int] = set()
            for v, e in enumerate(self.exponents(w)):
                if e:
                    rest = w - self.unit[v]
                    found.update(rest + q for q in self.rhs[v])
            out = self._lie[w] = tuple(sorted(q for q in found if self.degree(q) >= 3))
        return out

    def representable(self, m: Any, states: set, extra: Sequence = ()) -> bool:
        if self.degree(m) <= 2:
            return True
        if self.ndiv(m) < 2 * len(states):
            return super().representable(m, states, extra)
        for g in (*states, *extra) if extra else states:
            r = m - g
            if r in states or r in extra:
                return True
        return False

    def in_box(self, f: Any) -> bool:
        h = self.guard
        return ((self.box_int | h) - f) & h == h


def greedy(
    problem: Sparse,
    policy: str = "D",
    *,
    inner: bool = False,
    rng: random.Random | None = None,
    cap: int | None = None,
) -> list | None:
    """A worklist greedy: take the pending monomial with the fewest splits and add
    the factors of its best split, then queue their derivatives' monomials.

    ``policy`` restricts the factors: ``"D"`` to divisors of the targets (always
    succeeds, linear on sparse systems), ``"box"`` to the degree box (balanced
    splits first).  With ``rng`` the order and the ties are random.  Returns
    None as soon as more than ``cap`` new states are taken.
    """
    states = set(problem.base)
    chosen: list = []
    reuse = problem.reuse()
    allowed = reuse.__contains__ if policy == "D" else problem.in_box

    def key(m: Mono) -> float:
        return rng.random() if rng is not None else problem.ndiv(m)

    known: set = set()  # monomials found to be products (they stay so: states grow)
    representable = problem.representable

    # (splits, arrival, inner?, monomial): arrival breaks ties cheaply
    pending: list = [(key(m), i, False, m) for i, m in enumerate(problem.targets)]
    heapq.heapify(pending)
    arrival = len(pending)
    while pending:
        _, _, is_inner, m = heapq.heappop(pending)
        if is_inner:
            if problem.inner(m, states):
                continue
        elif m in known or representable(m, states):
            known.add(m)
            continue
        options = []
        for a, b in problem.splits(m)[1:] if is_inner else problem.splits(m):
            # m is not yet a product, so a and b are not both states
            new = (b,) if a in states else (a,) if b in states or a == b else (a, b)
            if all(map(allowed, new)):
                options.append((a, b, new))
        fewest = min((len(new) for _, _, new in options), default=0)
        options = [o for o in options if len(o[2]) == fewest]
        best: tuple[tuple, tuple] | None = None
        for a, b, new in options:
            if len(options) == 1:
                best = ((), new)
                break
            left = sum(
                q not in known and not representable(q, states, new)
                for f in new
                for q in problem.lie(f)
            )
            if best is not None and left > best[0][0] and policy == "D":
                continue
            if rng is not None:
                score: tuple = (left, rng.random())
            elif policy == "D":
                spread = abs(problem.degree(a) - problem.degree(b))
                score = (left, -sum(reuse[f] for f in new), spread, a)
            else:
                spread = abs(problem.degree(a) - problem.degree(b))
                score = (spread, left, a)
            if best is None or score < best[0]:
                best = (score, new)
        if best is None:  # only the box can lack a split
            return None
        for f in best[1]:
            states.add(f)
            chosen.append(f)
            for q in problem.lie(f):
                if q not in known:  # checked when popped
                    heapq.heappush(pending, (key(q), arrival, False, q))
                    arrival += 1
            if inner and not problem.inner(f, states):
                heapq.heappush(pending, (key(f), arrival, True, f))
                arrival += 1
        if cap is not None and len(chosen) > cap:
            return None
    return chosen


def prune(problem: Sparse, chosen: Sequence, *, inner: bool = False) -> list:
    """Drop new states, highest degree first, while the set stays a quadratization.

    Incremental: dropping w stops requiring w's derivative and re-checks only
    the required monomials (and, with ``inner``, the new states) that contain
    the variable of w occurring in the fewest of them, since every monomial
    with a split through w does.  Passes repeat until nothing more can go.
    """
    states = set(problem.base) | set(chosen)
    required: dict[Any, int] = dict.fromkeys(problem.targets, 1)
    for w in chosen:
        for q in problem.lie(w):
            required[q] = required.get(q, 0) + 1
    by_var: dict[int, list] = {}
    for m in required:
        for v in problem.support(m):
            by_var.setdefault(v, []).append(m)
    lifts_by_var: dict[int, list] = {}
    for w in chosen if inner else ():
        for v in problem.support(w):
            lifts_by_var.setdefault(v, []).append(w)
    order = sorted(chosen, key=lambda w: (-problem.degree(w), w))
    watch = []  # w, its derivative, and what to re-check if w goes
    for w in order:
        v = min(problem.support(w), key=lambda v: len(by_var.get(v, ())))
        watch.append((w, problem.lie(w), by_var.get(v, ()), lifts_by_var.get(v, ())))
    representable, inner_ok = problem.representable, problem.inner
    changed = True
    while changed:
        changed = False
        for w, lie, monomials, lifts in watch:
            if w not in states:
                continue
            states.discard(w)
            for m in monomials:  # required[m] counts w's derivative until w goes
                if required[m] > (m in lie) and not representable(m, states):
                    break
            else:
                if all(u not in states or inner_ok(u, states) for u in lifts):
                    for q in lie:
                        required[q] -= 1
                    changed = True
                    continue
            states.add(w)
    return [w for w in chosen if w in states]


def automorphisms(
    problem: Sparse, most: int = SYMMETRIES, steps: int = 5000
) -> list[tuple[int, ...]]:
    """The permutations of the states, other than the identity, that map the
    system onto itself (rate supports only: coefficients never matter here).
    Sets of new states that such a map relates need one visit.  Empty when
    there are more than ``most`` or finding them takes over ``steps`` steps."""
    n, rhs = problem.n, [frozenset(rate) for rate in problem.rhs]
    near: list[set[int]] = [set() for _ in range(n)]
    for i in range(n):
        for m in rhs[i]:
            for v, _ in m:
                near[i].add(v)
                near[v].add(i)
    order: list[int] = []  # breadth first, so that rates become checkable early
    placed: set[int] = set()
    for root in range(n):
        if root not in placed:
            order.append(root)
            placed.add(root)
            k = len(order) - 1
            while k < len(order):
                fresh = sorted(near[order[k]] - placed)
                order.extend(fresh)
                placed.update(fresh)
                k += 1
    position = {v: k for k, v in enumerate(order)}
    ready: list[list[int]] = [[] for _ in range(n)]  # rates checkable at step k
    for i in range(n):
        ready[max(position[v] for v in {i} | near[i])].append(i)

    def signature(v: int) -> tuple:
        uses = sorted(
            (e, len(m), degree(m)) for r in rhs for m in r for u, e in m if u == v
        )
        return len(rhs[v]), sorted((len(m), degree(m)) for m in rhs[v]), uses

    sig = [signature(v) for v in range(n)]
    image: dict[int, int] = {}
    found: list[tuple[int, ...]] = []
    left = [steps]

    def maps(i: int) -> bool:
        mapped = {tuple(sorted((image[v], e) for v, e in m)) for m in rhs[i]}
        return mapped == rhs[image[i]]

    def extend(k: int) -> None:
        if k == n:
            if any(u != v for v, u in image.items()):
                found.append(tuple(image[v] for v in range(n)))
            return
        v, used = order[k], set(image.values())
        for u in range(n):
            if len(found) > most or left[0] < 0:
                return
            if u not in used and sig[u] == sig[v]:
                left[0] -= 1  # a step: one candidate image checked
                image[v] = u
                if all(maps(i) for i in ready[k]):
                    extend(k + 1)
                del image[v]

    extend(0)
    return found if len(found) <= most and left[0] >= 0 else []
