"""Benchmark polynomial systems for quadratization, with QBee's optimal counts.

Every generator returns an :class:`Instance`: the state names, the rates as
:class:`analyzer.polynomial.Poly` values (float coefficients; every coefficient is
a small exact rational) and, where known, QBee's optimal number of new monomial
states and its CPU time (QBee 0.8.2, default settings, a shared 2-core machine).
:data:`INSTANCES` lists the 76 instances of the main benchmark table in its order;
:func:`to_text` writes rates with exact rational coefficients for other programs
(sympy parses them) and :func:`from_text` reads them back.  :data:`FIXED` and
:data:`FAMILIES` map names to generators, :data:`QBEE` holds QBee's table.
Variables are listed in order; n is the family parameter.  Import this module
with ``benchmarks/`` on ``sys.path``.

Fixed systems
-------------
lorenz              x' = 10(y - x);  y' = x(28 - z) - y;  z' = xy - (8/3)z
rossler             x' = -y - z;  y' = x + y/5;  z' = 1/5 + z(x - 57/10)
van_der_pol         x' = y;  y' = (1 - x²)y - x                          (μ = 1)
fitzhugh_nagumo     v' = v - v³/3 - w + 1/2;  w' = (2/25)(v + 7/10 - (4/5)w)
selkov              x' = -x + a y + x²y;  y' = b - a y - x²y           (a = 1/10, b = 1/2)
brusselator         x' = A + x²y - (B + 1)x;  y' = Bx - x²y            (A = 1, B = 3)
bush                u' = -u;  v' = v - v²;  y' = u(v - v²)     (Bush's integrator y = ∫u dv)

Families
--------
monomial(n)         x' = xⁿ
dense_scalar(n)     x' = (x + 1)ⁿ                                      (QBee's "x_plus_1")
circular(n)         x' = yⁿ;  y' = xⁿ
hill(n)             h' = n i² tⁿ⁻¹;  i' = -n i² tⁿ⁻¹;  t' = 1   (h = tⁿ/(1 + tⁿ), i = 1/(1 + tⁿ))
cubic_cycle(n)      x_i' = x_{i+1}³                                    (indices mod n)
cubic_bicycle(n)    x_i' = x_{i-1}³ + x_{i+1}³                         (indices mod n)
hard(n)             a' = cⁿ + a²b²c³;  b' = a²;  c' = b²
long_monomial(n)    x_i' = x_{i+1}² + Π_j x_j²                         (indices mod n)
duffing_chain(n)    x_i' = y_i;  y_i' = -y_i/10 - x_i - x_i³ + (1/2) Σ_{j = i±1, 0 ≤ j < n} (x_j - x_i)
multiplier_tree(n)  p_i' = q_i;  q_i' = -p_i;  y' = p_0 p_1 ⋯ p_{n-1}  (a product of n sinusoids)
cubic_cascade(n)    x_0' = -x_0;  x_i' = -x_i + x_{i-1}³
product_ring(n)     x_i' = -x_i + x_{i-1} x_i x_{i+1}                  (indices mod n)
dense_random(n)     every monomial of degree ≤ 3 in n = 2 or 3 variables, QBee's
                    generator with seed 0 (integer coefficients in [-10, 10))
random_sparse(n, seed)
                    x_i' = -x_i + one to three monomials of degree 3 or 4 in x_i and
                    two other variables drawn at random (so each equation touches at
                    most three variables), coefficients ±k/10; for scaling studies

Examples
--------
>>> inst = hill(2)
>>> inst.names, inst.qbee_optimum
(('h', 'i', 't'), 1)
>>> to_text(inst)
('2*i**2*t', '-2*i**2*t', '1')
>>> len(INSTANCES), INSTANCES[21].label, INSTANCES[21].qbee_seconds
(76, 'hill(20)', 1.338)
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import comb

from analyzer.polynomial import Monomial, Poly


@dataclass(frozen=True)
class Instance:
    """One benchmark system y' = rates(y).

    ``n`` is the family parameter (None for a fixed system); ``qbee_optimum``
    and ``qbee_seconds`` are QBee's optimal count and CPU seconds where known.
    """

    family: str
    n: int | None
    names: tuple[str, ...]
    rates: tuple[Poly, ...]
    qbee_optimum: int | None = None
    qbee_seconds: float | None = None

    @property
    def label(self) -> str:
        """``family(n)``, or the family alone for a fixed system."""
        return self.family if self.n is None else f"{self.family}({self.n})"


# QBee's optimum and CPU seconds, (family, n) -> (count, seconds); None: timed out.
QBEE: dict[tuple[str, int | None], tuple[int | None, float | None]] = {
    ("lorenz", None): (0, 0.001), ("rossler", None): (0, 0.001),
    ("van_der_pol", None): (1, 0.003), ("fitzhugh_nagumo", None): (1, 0.003),
    ("selkov", None): (2, 0.005), ("brusselator", None): (2, 0.003),
    ("bush", None): (1, 0.004),
    **{("monomial", n): (1, s) for n, s in
       [(3, 0.002), (5, 0.002), (8, 0.002), (12, 0.003), (20, 0.003), (30, 0.003)]},
    **{("hill", n): (c, s) for n, c, s in
       [(2, 1, 0.039), (3, 1, 0.039), (4, 2, 0.046), (5, 2, 0.036), (6, 3, 0.043),
        (8, 4, 0.079), (10, 4, 0.062), (15, 5, 0.193), (20, 6, 1.338)]},
    **{("circular", n): (c, s) for n, c, s in
       [(3, 3, 0.042), (4, 4, 0.089), (5, 4, 0.056), (6, 5, 1.168), (7, 5, 0.264),
        (8, 6, 86.1)]},
    **{("dense_scalar", n): (c, s) for n, c, s in
       [(3, 1, 0.002), (4, 2, 0.004), (5, 2, 0.003), (6, 3, 0.005), (7, 3, 0.009),
        (8, 4, 0.014), (10, 5, 0.030), (12, 6, 0.145)]},
    **{("cubic_cycle", n): (c, s) for n, c, s in
       [(2, 3, 0.033), (3, 6, 0.020), (4, 8, 0.109), (5, 10, 0.668), (6, 12, 4.622),
        (7, 14, 31.7), (8, 16, 212.1)]},
    **{("cubic_bicycle", n): (c, s) for n, c, s in
       [(3, 6, 0.013), (4, 8, 0.048), (5, 10, 0.223), (6, 12, 1.354)]},
    **{("duffing_chain", n): (c, s) for n, c, s in
       [(1, 1, 0.003), (2, 2, 0.003), (4, 4, 0.012), (8, 8, 0.114), (16, 16, 45.4)]},
    **{("multiplier_tree", n): (c, s) for n, c, s in
       [(2, 0, 0.002), (3, 1, 0.046), (4, 2, 0.041), (5, 5, 0.330), (6, 7, 26.2)]},
    **{("cubic_cascade", n): (c, s) for n, c, s in
       [(2, 1, 0.004), (3, 2, 0.004), (4, 4, 0.011), (5, 6, 0.022), (6, 8, 0.121),
        (8, 12, 3.717)]},
    **{("product_ring", n): (c, s) for n, c, s in
       [(3, 3, 0.007), (4, 2, 0.007), (5, 5, 0.021), (6, 6, 0.072), (8, 8, 0.964)]},
    **{("hard", n): (c, s) for n, c, s in [(3, 9, 3.625), (4, 10, 41.8), (5, 10, 91.0)]},
    ("long_monomial", 2): (3, 0.012), ("long_monomial", 3): (10, 47.0),
    ("long_monomial", 4): (None, None),
    ("dense_random", 2): (3, 0.010), ("dense_random", 3): (6, 0.021),
}  # fmt: skip

Term = tuple[float | Fraction, Mapping[int, int]]


def _poly(*terms: Term) -> Poly:
    """A Poly from (coefficient, {variable: exponent}) pairs; like terms add up."""
    out: dict[Monomial, float] = {}
    for c, exps in terms:
        m = tuple(sorted((v, e) for v, e in exps.items() if e))
        out[m] = out.get(m, 0.0) + float(c)
    return Poly(out)


def _instance(family: str, n: int | None, names, rates) -> Instance:
    opt, seconds = QBEE.get((family, n), (None, None))
    return Instance(family, n, tuple(names), tuple(rates), opt, seconds)


F = Fraction


def lorenz() -> Instance:
    x, y, z = 0, 1, 2
    return _instance("lorenz", None, "xyz", [
        _poly((10, {y: 1}), (-10, {x: 1})),
        _poly((28, {x: 1}), (-1, {x: 1, z: 1}), (-1, {y: 1})),
        _poly((1, {x: 1, y: 1}), (F(-8, 3), {z: 1})),
    ])  # fmt: skip


def rossler() -> Instance:
    x, y, z = 0, 1, 2
    return _instance("rossler", None, "xyz", [
        _poly((-1, {y: 1}), (-1, {z: 1})),
        _poly((1, {x: 1}), (F(1, 5), {y: 1})),
        _poly((F(1, 5), {}), (1, {z: 1, x: 1}), (F(-57, 10), {z: 1})),
    ])  # fmt: skip


def van_der_pol() -> Instance:
    x, y = 0, 1
    return _instance("van_der_pol", None, "xy", [
        _poly((1, {y: 1})),
        _poly((1, {y: 1}), (-1, {x: 2, y: 1}), (-1, {x: 1})),
    ])  # fmt: skip


def fitzhugh_nagumo() -> Instance:
    v, w = 0, 1
    return _instance("fitzhugh_nagumo", None, "vw", [
        _poly((1, {v: 1}), (F(-1, 3), {v: 3}), (-1, {w: 1}), (F(1, 2), {})),
        _poly((F(2, 25), {v: 1}), (F(7, 125), {}), (F(-8, 125), {w: 1})),
    ])  # fmt: skip


def selkov() -> Instance:
    x, y = 0, 1
    a, b = F(1, 10), F(1, 2)
    return _instance("selkov", None, "xy", [
        _poly((-1, {x: 1}), (a, {y: 1}), (1, {x: 2, y: 1})),
        _poly((b, {}), (-a, {y: 1}), (-1, {x: 2, y: 1})),
    ])  # fmt: skip


def brusselator() -> Instance:
    x, y = 0, 1
    a, b = 1, 3
    return _instance("brusselator", None, "xy", [
        _poly((a, {}), (1, {x: 2, y: 1}), (-(b + 1), {x: 1})),
        _poly((b, {x: 1}), (-1, {x: 2, y: 1})),
    ])  # fmt: skip


def bush() -> Instance:
    u, v = 0, 1
    return _instance("bush", None, "uvy", [
        _poly((-1, {u: 1})),
        _poly((1, {v: 1}), (-1, {v: 2})),
        _poly((1, {u: 1, v: 1}), (-1, {u: 1, v: 2})),
    ])  # fmt: skip


def monomial(n: int) -> Instance:
    return _instance("monomial", n, "x", [_poly((1, {0: n}))])


def dense_scalar(n: int) -> Instance:
    return _instance(
        "dense_scalar", n, "x", [_poly(*((comb(n, k), {0: k}) for k in range(n + 1)))]
    )


def circular(n: int) -> Instance:
    return _instance("circular", n, "xy", [_poly((1, {1: n})), _poly((1, {0: n}))])


def hill(n: int) -> Instance:
    i, t = 1, 2  # h (state 0) occurs in no rate
    return _instance("hill", n, "hit", [
        _poly((n, {i: 2, t: n - 1})), _poly((-n, {i: 2, t: n - 1})), _poly((1, {})),
    ])  # fmt: skip


def _xs(n: int, prefix: str = "x") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def cubic_cycle(n: int) -> Instance:
    return _instance(
        "cubic_cycle", n, _xs(n), [_poly((1, {(i + 1) % n: 3})) for i in range(n)]
    )


def cubic_bicycle(n: int) -> Instance:
    rates = [_poly((1, {(i - 1) % n: 3}), (1, {(i + 1) % n: 3})) for i in range(n)]
    return _instance("cubic_bicycle", n, _xs(n), rates)


def hard(n: int) -> Instance:
    a, b, c = 0, 1, 2
    return _instance("hard", n, "abc", [
        _poly((1, {c: n}), (1, {a: 2, b: 2, c: 3})), _poly((1, {a: 2})), _poly((1, {b: 2})),
    ])  # fmt: skip


def long_monomial(n: int) -> Instance:
    everything = {j: 2 for j in range(n)}
    rates = [_poly((1, {(i + 1) % n: 2}), (1, everything)) for i in range(n)]
    return _instance("long_monomial", n, _xs(n), rates)


def duffing_chain(n: int) -> Instance:
    rates = [_poly((1, {n + i: 1})) for i in range(n)]
    for i in range(n):
        terms: list[Term] = [(F(-1, 10), {n + i: 1}), (-1, {i: 1}), (-1, {i: 3})]
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                terms += [(F(1, 2), {j: 1}), (F(-1, 2), {i: 1})]
        rates.append(_poly(*terms))
    return _instance("duffing_chain", n, _xs(n) + _xs(n, "y"), rates)


def multiplier_tree(n: int) -> Instance:
    rates = [_poly((1, {n + i: 1})) for i in range(n)]
    rates += [_poly((-1, {i: 1})) for i in range(n)]
    rates.append(_poly((1, dict.fromkeys(range(n), 1))))
    return _instance("multiplier_tree", n, _xs(n, "p") + _xs(n, "q") + ["y"], rates)


def cubic_cascade(n: int) -> Instance:
    rates = [_poly((-1, {0: 1}))]
    rates += [_poly((-1, {i: 1}), (1, {i - 1: 3})) for i in range(1, n)]
    return _instance("cubic_cascade", n, _xs(n), rates)


def product_ring(n: int) -> Instance:
    rates = []
    for i in range(n):
        exps: dict[int, int] = {}
        for j in ((i - 1) % n, i, (i + 1) % n):
            exps[j] = exps.get(j, 0) + 1
        rates.append(_poly((-1, {i: 1}), (1, exps)))
    return _instance("product_ring", n, _xs(n), rates)


_DENSE_RANDOM = {
    2: ("2*x0**3 - x0**2*x1 - 2*x0**2 + 5*x0*x1**2 + 6*x0*x1 + 3*x0 + x1**3 + 5*x1**2 - 9*x1 + 2",
        "-7*x0**3 + 9*x0**2*x1 - 6*x0**2 - 2*x0*x1**2 - x0*x1 - 4*x0 + 7*x1**3 - 6*x1**2 + 6*x1 + 8"),
    3: ("8*x0**3 - 4*x0**2*x1 + 6*x0**2*x2 + 6*x0**2 - 6*x0*x1**2 - x0*x1*x2 + 5*x0*x1 - 6*x0*x2**2 + 2*x0*x2 + 3*x0 - 7*x1**3 + 9*x1**2*x2 - x1**2 - 2*x1*x2**2 + 5*x1*x2 - 9*x1 + 7*x2**3 + x2**2 - 2*x2 + 2",
        "3*x0**3 + 9*x0**2*x2 - 8*x0**2 - 4*x0*x1**2 + 7*x0*x1*x2 + 5*x0*x2**2 + 5*x0*x2 - 6*x0 + 4*x1**3 + 6*x1**2*x2 + 7*x1**2 - 2*x1*x2**2 - 7*x1*x2 - x1 - 9*x2**3 + x2**2 - 7*x2 + 9",
        "-8*x0**3 - 4*x0**2*x1 + 8*x0**2*x2 - 10*x0**2 - 3*x0*x1**2 - 3*x0*x1*x2 + 9*x0*x1 - 6*x0*x2**2 + 5*x0*x2 - 10*x0 + 7*x1**3 + 4*x1**2*x2 - 8*x1*x2**2 - 3*x1*x2 - 8*x1 - 8*x2**3 + 2*x2 + 7"),
}  # fmt: skip


def dense_random(n: int) -> Instance:
    if n not in _DENSE_RANDOM:
        raise ValueError(f"dense_random is tabulated for n = 2 and 3 only, not {n}")
    names = _xs(n)
    return _instance(
        "dense_random", n, names, [from_text(s, names) for s in _DENSE_RANDOM[n]]
    )


def random_sparse(n: int, seed: int = 0) -> Instance:
    """x_i' = -x_i plus 1-3 random monomials of degree 3-4 in x_i and two others.

    Deterministic for a given (n, seed): only ``random.Random.randrange`` is used.
    """
    rng = random.Random(seed)
    rates = []
    for i in range(n):
        trio = (i, rng.randrange(n), rng.randrange(n))
        terms: list[Term] = [(-1, {i: 1})]
        for _ in range(1 + rng.randrange(3)):
            exps: dict[int, int] = {}
            for _ in range(3 + rng.randrange(2)):
                v = trio[rng.randrange(3)]
                exps[v] = exps.get(v, 0) + 1
            terms.append(
                (F(rng.randrange(1, 10) * (1 - 2 * rng.randrange(2)), 10), exps)
            )
        rates.append(_poly(*terms))
    return _instance("random_sparse", n, _xs(n), rates)


FIXED: dict[str, Callable[[], Instance]] = {
    f.__name__: f
    for f in (lorenz, rossler, van_der_pol, fitzhugh_nagumo, selkov, brusselator, bush)
}
FAMILIES: dict[str, Callable[[int], Instance]] = {
    f.__name__: f
    for f in (monomial, hill, circular, dense_scalar, cubic_cycle, cubic_bicycle,
              duffing_chain, multiplier_tree, cubic_cascade, product_ring, hard,
              long_monomial, dense_random, random_sparse)
}  # fmt: skip
_TABLE_ORDER = ("monomial", "hill", "circular", "dense_scalar", "cubic_cycle",
                "cubic_bicycle", "duffing_chain", "multiplier_tree", "cubic_cascade",
                "product_ring", "hard", "long_monomial", "dense_random")  # fmt: skip


def _exact(c: float) -> Fraction:
    """The small rational a float coefficient was made from (or the float exactly)."""
    q = Fraction(c).limit_denominator(10**6)
    return q if float(q) == c else Fraction(c)


def to_text(instance: Instance) -> tuple[str, ...]:
    """Each rate as a polynomial string over the names with exact coefficients.

    Terms come by degree, then by variable; e.g. ``-1/10*y + x**3``.
    """
    out = []
    for rate in instance.rates:
        text = ""
        for m in sorted(rate.terms, key=lambda m: (sum(e for _, e in m), m)):
            c = _exact(rate.terms[m])
            factors = [instance.names[v] + (f"**{e}" if e > 1 else "") for v, e in m]
            mag = str(abs(c))
            body = "*".join(factors if mag == "1" else [mag, *factors]) or mag
            sign = "-" if c < 0 else "+"
            text += f" {sign} {body}" if text else ("-" if c < 0 else "") + body
        out.append(text or "0")
    return tuple(out)


_TERM = re.compile(r"\s*([+-])?\s*([^+-]+)")


def from_text(text: str, names: tuple[str, ...] | list[str]) -> Poly:
    """Parse a polynomial written as :func:`to_text` writes it (``+``/``-`` between
    terms, ``*`` between factors, ``**`` for powers, ``p/q`` coefficients)."""
    index = {name: i for i, name in enumerate(names)}
    terms: list[Term] = []
    for sign, body in _TERM.findall(text.replace("**", "^")):
        coef, exps = F(-1 if sign == "-" else 1), {}
        for factor in body.strip().split("*"):
            base, _, power = factor.partition("^")
            if base in index:
                exps[index[base]] = exps.get(index[base], 0) + int(power or 1)
            else:
                coef *= F(base)
        terms.append((coef, exps))
    return _poly(*terms)


def size(instance: Instance) -> int:
    """Number of monomials over all rates (a size measure for tables)."""
    return sum(len(p.terms) for p in instance.rates)


INSTANCES: list[Instance] = [f() for f in FIXED.values()] + [
    FAMILIES[family](n)
    for family in _TABLE_ORDER
    for (name, n) in QBEE
    if name == family and n is not None
]
