r"""Elementary functions as states: the rules that make them polynomial (Shannon's GPAC).

A function block f(u) becomes a new state w = f(u) whose derivative is a
polynomial in the states times u' (chain rule), with f' itself written through
states (Shannon 1941; Graça & Costa 2003):

=============  ============================  =======================
rule           state                         derivative
=============  ============================  =======================
``exp``        e = exp(u)                    e' = e·u'
``sin``        s = sin(u), with c = cos(u)   s' = c·u'
``cos``        c = cos(u), with s = sin(u)   c' = −s·u'
``tanh``       τ = tanh(u)                   τ' = (1 − τ²)·u'
``logistic``   σ = 1/(1 + exp(−u))           σ' = (σ − σ²)·u'
``reciprocal`` r = 1/u                       r' = −r²·u'
``log``        ℓ = ln(u), with r = 1/u       ℓ' = r·u'
``power``      w = u^p, with r = 1/u         w' = p·w·r·u'
``integer_``   w = u^p (p an integer too     w' = p·w·r·u'
``power``      large to expand), r = 1/u
=============  ============================  =======================

This module holds the rules as data; :mod:`analyzer.compile.polynomialize`
applies them while lowering, and :class:`analyzer.readout.Readout` evaluates
the states numerically from the integrators (for initial values, and for
reading signals from a trajectory).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analyzer.polynomial import Poly

# The factor f'(u) in w' = f'(u)·u', as a polynomial in the rule's own state
# (``own``) and its companions (``other(rule)``), for the exponent ``p``.
Factor = Callable[[Poly, Callable[[str], Poly], float], Poly]


@dataclass(frozen=True)
class Rule:
    """How one elementary function becomes a state.

    Parameters
    ----------
    name : str
        The rule's name (``"exp"``).
    formula : str
        The function of the input u, for messages (``"exp(u)"``).
    value : callable
        ``value(u, p)``: the function, numerically (numpy).
    factor : callable
        ``factor(own, other, p)``: f'(u) as a polynomial in states.
    companions : tuple of str
        Rules whose states this one's derivative needs (sin needs cos).
    domain : str or None
        ``"nonzero"`` or ``"positive"``: where u must stay; None for everywhere.
    """

    name: str
    formula: str
    value: Callable[[Any, float], Any]
    factor: Factor
    companions: tuple[str, ...] = ()
    domain: str | None = None


def _logistic(u: Any, p: float) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(u, dtype=float)))  # no overflow


_ONE = Poly.const(1.0)

RULES = {
    rule.name: rule
    for rule in (
        Rule("exp", "exp(u)", lambda u, p: np.exp(u), lambda own, other, p: own),
        Rule(
            "sin", "sin(u)", lambda u, p: np.sin(u),
            lambda own, other, p: other("cos"), ("cos",),
        ),
        Rule(
            "cos", "cos(u)", lambda u, p: np.cos(u),
            lambda own, other, p: other("sin").scale(-1.0), ("sin",),
        ),
        Rule(
            "tanh", "tanh(u)", lambda u, p: np.tanh(u),
            lambda own, other, p: _ONE + (own * own).scale(-1.0),
        ),
        Rule(
            "logistic", "1/(1 + exp(-u))", _logistic,
            lambda own, other, p: own + (own * own).scale(-1.0),
        ),
        Rule(
            "reciprocal", "1/u", lambda u, p: 1.0 / np.asarray(u, dtype=float),
            lambda own, other, p: (own * own).scale(-1.0), domain="nonzero",
        ),
        Rule(
            "log", "ln(u)", lambda u, p: np.log(u),
            lambda own, other, p: other("reciprocal"), ("reciprocal",), "positive",
        ),
        Rule(
            "power", "u^p", lambda u, p: np.power(np.asarray(u, dtype=float), p),
            lambda own, other, p: (own * other("reciprocal")).scale(p),
            ("reciprocal",), "positive",
        ),
        Rule(
            "integer_power", "u^p", lambda u, p: np.power(np.asarray(u, dtype=float), p),
            lambda own, other, p: (own * other("reciprocal")).scale(p),
            ("reciprocal",), "nonzero",
        ),
    )
}  # fmt: skip
"""Every polynomialization rule, by name."""

DOMAINS = {"nonzero": "nonzero numbers", "positive": "positive numbers"}


def formula(rule: str, p: float = 0.0) -> str:
    """The function a rule computes, for messages: ``exp(u)``, ``u^0.5``."""
    return RULES[rule].formula.replace("u^p", f"u^{p:g}")


def in_domain(domain: str | None, u: Any) -> Any:
    """Whether ``u`` (a number or an array) lies in ``domain``."""
    u = np.asarray(u, dtype=float)
    if domain == "nonzero":
        return np.isfinite(u) & (u != 0.0)
    if domain == "positive":
        return np.isfinite(u) & (u > 0.0)
    return np.isfinite(u)


@dataclass(frozen=True)
class FunctionState:
    """A state that a function block (or an implicit loop) introduced.

    Parameters
    ----------
    index : int
        Its index among the states.
    name : str
        Its state name: the block's name, or ``block.rule`` for a companion.
    rule : str
        A key of :data:`RULES`.
    argument : Poly
        The input u as a polynomial in the states before this one.
    p : float
        The exponent of a ``power`` state (0 otherwise).
    block : hashable
        The block that introduced it.
    kind : str
        That block's kind (``"implicit loop"`` for a loop's 1/det).
    label : str
        How messages name it: ``block 'f' (log)``, or a loop's cycle.
    """

    index: int
    name: str
    rule: str
    argument: Poly
    p: float
    block: Hashable
    kind: str
    label: str

    @property
    def domain(self) -> str | None:
        """Where the input must stay, from the rule."""
        return RULES[self.rule].domain

    def value(self, rows: Any) -> Any:
        """The state's value from the values of the states before it."""
        return RULES[self.rule].value(self.argument.evaluate(rows), self.p)


def complete(functions: Sequence[FunctionState], rows: Any) -> Any:
    """Append the function states, in order, to the rows of base-state values.

    ``rows`` has shape (n_base, ...); the result (n_base + len(functions), ...).
    """
    rows = np.asarray(rows, dtype=float)
    if not functions:
        return rows
    values = list(rows)
    with np.errstate(all="ignore"):  # outside a domain: nan, which the guard reports
        for state in functions:
            values.append(np.broadcast_to(state.value(values), rows.shape[1:]))
    return np.array(values, dtype=float)
