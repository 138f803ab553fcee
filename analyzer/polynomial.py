"""Sparse multivariate polynomials with float coefficients, our own and small.

A monomial is a tuple of ``(variable, exponent)`` pairs sorted by variable, with
every exponent positive; the empty tuple is the monomial 1.  A polynomial maps
monomials to non-zero coefficients.  Variables are state indices, so the
arithmetic never sees a name.  Sparse tuples keep a product of two monomials
proportional to their supports, which is what keeps lowering linear in the size
of a circuit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import product
from math import prod
from typing import Any

import numpy as np

Monomial = tuple[tuple[int, int], ...]

ONE: Monomial = ()


def variable(index: int) -> Monomial:
    """The monomial ``y_index``."""
    return ((index, 1),)


def degree(m: Monomial) -> int:
    """Total degree of a monomial."""
    return sum(e for _, e in m)


def multiply(a: Monomial, b: Monomial) -> Monomial:
    """The product of two monomials (exponents add)."""
    if not a:
        return b
    if not b:
        return a
    exps = dict(a)
    for v, e in b:
        exps[v] = exps.get(v, 0) + e
    return tuple(sorted(exps.items()))


def divide(a: Monomial, b: Monomial) -> Monomial | None:
    """``a / b`` if ``b`` divides ``a``, else None."""
    exps = dict(a)
    for v, e in b:
        left = exps.get(v, 0) - e
        if left < 0:
            return None
        if left:
            exps[v] = left
        else:
            del exps[v]
    return tuple(sorted(exps.items()))


def divisors(m: Monomial) -> Iterator[Monomial]:
    """Every monomial dividing ``m``, 1 and ``m`` included, in a fixed order."""
    variables = [v for v, _ in m]
    for exps in product(*(range(e + 1) for _, e in m)):
        yield tuple((v, e) for v, e in zip(variables, exps, strict=True) if e)


def count_divisors(m: Monomial) -> int:
    """How many monomials divide ``m``: the product of (exponent + 1)."""
    return prod(e + 1 for _, e in m)


def evaluate_monomial(m: Monomial, y: Any) -> Any:
    """The value of ``m`` at the state vector (or array of columns) ``y``.

    A value beyond the float range is ``inf`` (as in numpy), never an
    ``OverflowError``.

    Examples
    --------
    >>> evaluate_monomial(((0, 2), (1, 1)), [3.0, 2.0])
    18.0
    >>> float(evaluate_monomial(((0, 2),), [1e200]))
    inf
    """
    value: Any = 1.0
    try:
        for v, e in m:
            value = value * (y[v] if e == 1 else y[v] ** e)
    except OverflowError:  # a Python float to a power beyond the float range
        with np.errstate(over="ignore", invalid="ignore"):
            value = 1.0
            for v, e in m:
                value = value * np.power(np.float64(y[v]), e)
    return value


MAX_DEGREE = 64
"""The highest total degree a polynomial signal or rate may have."""

MAX_PRODUCT = 1_000_000
"""The most term-by-term products one polynomial multiplication may take."""


class TooLargeError(ValueError):
    """A polynomial product beyond :data:`MAX_DEGREE` or :data:`MAX_PRODUCT`.

    The compiler turns it into a :class:`~analyzer.errors.CircuitError` that
    names the block whose signal it is.
    """


class Poly:
    """A polynomial: a mapping from monomials to non-zero float coefficients.

    Values are immutable by convention; every operation returns a new one.

    Examples
    --------
    >>> x, v = Poly.var(0), Poly.var(1)
    >>> p = (x + v) * x
    >>> p.terms == {((0, 2),): 1.0, ((0, 1), (1, 1)): 1.0}
    True
    >>> p.degree()
    2
    """

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[Monomial, float] | None = None) -> None:
        self.terms: dict[Monomial, float] = (
            {m: c for m, c in terms.items() if c != 0.0} if terms else {}
        )

    @classmethod
    def const(cls, value: float) -> Poly:
        """The constant polynomial ``value``."""
        return cls({ONE: float(value)})

    @classmethod
    def var(cls, index: int) -> Poly:
        """The polynomial ``y_index``."""
        return cls({variable(index): 1.0})

    def __add__(self, other: Poly) -> Poly:
        terms = dict(self.terms)
        for m, c in other.terms.items():
            terms[m] = terms.get(m, 0.0) + c
        return Poly(terms)

    def __mul__(self, other: Poly | float) -> Poly:
        if not isinstance(other, Poly):
            return self.scale(other)
        _check_product(self, other)
        terms: dict[Monomial, float] = {}
        for ma, ca in self.terms.items():
            for mb, cb in other.terms.items():
                m = multiply(ma, mb)
                terms[m] = terms.get(m, 0.0) + ca * cb
        return Poly(terms)

    __rmul__ = __mul__

    def scale(self, k: float) -> Poly:
        """``k`` times this polynomial."""
        return Poly({m: k * c for m, c in self.terms.items()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Poly) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(frozenset(self.terms.items()))

    def __repr__(self) -> str:
        return f"Poly({self.terms!r})"

    def __pow__(self, k: int) -> Poly:
        if k < 0:
            raise ValueError(f"a polynomial power needs k >= 0, got {k}")
        if k > 1 and self.degree() * k > MAX_DEGREE:
            raise TooLargeError(
                f"its signal would be a polynomial of degree {self.degree() * k:g} "
                f"in the states, above the compiler's limit of {MAX_DEGREE}"
            )
        result, base = Poly.const(1.0), self
        while k:  # by squaring: log2(k) products
            if k & 1:
                result = result * base
            k >>= 1
            if k:
                base = base * base
        return result

    def evaluate(self, y: Any) -> Any:
        """The value at the state vector (or array of columns) ``y``."""
        value: Any = 0.0
        for m, c in self.terms.items():
            value = value + c * evaluate_monomial(m, y)
        return value

    def is_zero(self) -> bool:
        """Whether every coefficient is zero."""
        return not self.terms

    def degree(self) -> int:
        """Total degree (0 for the zero polynomial)."""
        return max((degree(m) for m in self.terms), default=0)

    def variables(self) -> set[int]:
        """The variables that occur in some monomial."""
        return {v for m in self.terms for v, _ in m}

    def time_derivative(self, rates: Mapping[int, Poly]) -> Poly:
        """d/dt of this polynomial, given each variable's derivative ``rates[v]``.

        The chain and product rules: d/dt y^a = sum_v a_v y^(a - e_v) y_v'.
        Variables missing from ``rates`` are constant.
        """
        terms: dict[Monomial, float] = {}
        for m, c in self.terms.items():
            for v, e in m:
                rate = rates.get(v)
                if rate is None:
                    continue
                rest = divide(m, variable(v))
                assert rest is not None
                for mr, cr in rate.terms.items():
                    mm = multiply(rest, mr)
                    terms[mm] = terms.get(mm, 0.0) + c * e * cr
        return Poly(terms)


def _check_product(a: Poly, b: Poly) -> None:
    """Refuse a product that is too large to form or to quadratize quickly."""
    if len(a.terms) * len(b.terms) > MAX_PRODUCT:
        raise TooLargeError(
            f"multiplying polynomials of {len(a.terms)} and {len(b.terms)} terms "
            f"takes more than {MAX_PRODUCT} products, the compiler's limit"
        )
    if a.terms and b.terms and a.degree() + b.degree() > MAX_DEGREE:
        raise TooLargeError(
            f"its signal would be a polynomial of degree "
            f"{a.degree() + b.degree()} in the states, above the compiler's "
            f"limit of {MAX_DEGREE}"
        )


def total(polys: Iterable[Poly]) -> Poly:
    """The sum of many polynomials, in one pass."""
    terms: dict[Monomial, float] = {}
    for p in polys:
        for m, c in p.terms.items():
            terms[m] = terms.get(m, 0.0) + c
    return Poly(terms)


def lie_monomials(m: Monomial, rhs: Mapping[int, Poly]) -> set[Monomial]:
    """The monomials that may occur in d/dt y^m when y_v' = rhs[v].

    Exponent bookkeeping only, so accidental cancellation never hides a
    monomial that a lift must be able to represent.
    """
    out: set[Monomial] = set()
    for v, _ in m:
        rest = divide(m, variable(v))
        assert rest is not None
        for q in rhs[v].terms:
            out.add(multiply(rest, q))
    return out
