"""The block registry: every kind of block as plain data, in one explicit table.

A block spec says which input ports a kind has and how many wires each takes,
which parameters it needs (with defaults), its equation as text for the docs,
and, for an algebraic block, the rule that lowers it to a polynomial in the
states.  The integrator is the one kind whose output is a state; the compiler
handles it in :mod:`analyzer.compile.lower`.  A function block (``exp``,
``sin``, ...) lowers to a new state through the context's ``function``
(the GPAC rules of :mod:`analyzer.functions`).

Edge weights apply to every input: a wire of weight w carries w times the
signal of the block it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import comb, prod
from types import MappingProxyType
from typing import Protocol

from analyzer.polynomial import Poly, total

REQUIRED = None
"""Marks a parameter that has no default and must be given."""


class Context(Protocol):
    """What a lowering rule may ask of the compiler besides its inputs."""

    clock: Poly | None  # the clock state's polynomial, when the circuit reads time

    def function(
        self, rule: str, argument: Poly, p: float = 0.0, output: bool = True
    ) -> Poly:
        """The state ``rule(argument)`` (made on first use) as a polynomial;
        ``output``: whether it is the block's output (which names it)."""
        ...


# Parameters; inputs (weights applied) by port; the context.
Lowering = Callable[[Mapping[str, float], Mapping[str, list[Poly]], Context], Poly]


@dataclass(frozen=True)
class Port:
    """An input port: its name and how many wires it takes (``most=None``: any)."""

    name: str
    fewest: int = 0
    most: int | None = None


@dataclass(frozen=True)
class BlockSpec:
    """One kind of block, as data.

    Parameters
    ----------
    kind : str
        The value of the node attribute ``kind``.
    summary : str
        One line for listings and the block reference.
    equation : str
        The block's equation, written with its port names.
    ports : tuple of Port
        The input ports; a wire with no ``port`` attribute goes to ``in``.
    params : mapping
        Parameter name to default (``REQUIRED`` when it has none).
    inputs : (int, int | None)
        How many wires the block takes over all its ports together.
    lower : callable or None
        For algebraic blocks, ``lower(params, inputs, context) -> Poly``; None
        for the integrator, whose output is a state.
    function : bool
        Whether it is an elementary-function block (its output becomes a state).
    """

    kind: str
    summary: str
    equation: str
    ports: tuple[Port, ...] = ()
    params: Mapping[str, float | None] = field(default_factory=dict)
    inputs: tuple[int, int | None] = (0, None)
    lower: Lowering | None = None
    function: bool = False

    @property
    def is_source(self) -> bool:
        """Whether the block takes no input at all."""
        return not self.ports

    @property
    def port_names(self) -> tuple[str, ...]:
        """The names of the input ports."""
        return tuple(p.name for p in self.ports)


def _adder(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: Context
) -> Poly:
    return total(inputs.get("in", []))


def _multiplier(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: Context
) -> Poly:
    factors = inputs.get("a", []) + inputs.get("b", []) + inputs.get("in", [])
    return prod(factors[1:], start=factors[0])


def _gain(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: Context
) -> Poly:
    return inputs["in"][0].scale(params["k"])


def _constant(params: Mapping[str, float], inputs: object, _: Context) -> Poly:
    return Poly.const(params["value"])


def _time(params: object, inputs: object, context: Context) -> Poly:
    assert context.clock is not None, "a circuit with a time block has a clock"
    return context.clock


def _function(rule: str, p: float = 0.0) -> Lowering:
    def lower(
        params: Mapping[str, float], inputs: Mapping[str, list[Poly]], context: Context
    ) -> Poly:
        return context.function(rule, inputs["in"][0], p)

    return lower


MAX_POLYNOMIAL_POWER = 64
"""The largest integer |p| a power block computes as a polynomial (in u or 1/u)."""

MAX_EXPANDED_TERMS = 1000
"""The most terms u^p may have when expanded; beyond, u^p becomes a state."""


def _power(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], context: Context
) -> Poly:
    """u^p: a polynomial for p = 0, 1, 2, ...; (1/u)^k for p = -k; else a state.

    An integer power too large to expand (|p| above
    :data:`MAX_POLYNOMIAL_POWER`, or u^p of more than
    :data:`MAX_EXPANDED_TERMS` terms) is a state w = u^p too, with
    w' = p·w·(1/u)·u', so its input must stay nonzero.
    """
    p, u = params["p"], inputs["in"][0]
    if p != int(p):
        return context.function("power", u, p)
    k = abs(int(p))
    if k > MAX_POLYNOMIAL_POWER:
        return context.function("integer_power", u, p)
    if p >= 0:
        # terms of u^k at most: multisets of k of u's terms (u may be 0)
        if comb(k + max(len(u.terms), 1) - 1, k) > MAX_EXPANDED_TERMS:
            return context.function("integer_power", u, p)
        return u**k
    return context.function("reciprocal", u, output=p == -1) ** k


def _function_spec(
    kind: str, summary: str, equation: str, rule: str, p: float = 0.0
) -> BlockSpec:
    return BlockSpec(
        kind=kind, summary=summary, equation=equation, ports=(Port("in", 1, 1),),
        inputs=(1, 1), lower=_function(rule, p), function=True,
    )  # fmt: skip


_SPECS = (
    BlockSpec(
        kind="integrator",
        summary="integrates the sum of its inputs with respect to time or to wrt",
        equation="dw = (Σ weight·in) d(wrt);  w(t0) = initial  (wrt defaults to t)",
        ports=(Port("in"), Port("wrt", 0, 1)),
        params={"initial": 0.0},
    ),
    BlockSpec(
        kind="adder",
        summary="weighted sum of its inputs",
        equation="out = Σ weight·in",
        ports=(Port("in", 1),),
        inputs=(1, None),
        lower=_adder,
    ),
    BlockSpec(
        kind="multiplier",
        summary="product of its two inputs (both may come from one block: x²)",
        equation="out = a·b",
        ports=(Port("a", 0, 1), Port("b", 0, 1), Port("in", 0, 2)),
        inputs=(2, 2),
        lower=_multiplier,
    ),
    BlockSpec(
        kind="gain",
        summary="multiplies its one input by a constant k",
        equation="out = k·in",
        ports=(Port("in", 1, 1),),
        params={"k": REQUIRED},
        inputs=(1, 1),
        lower=_gain,
    ),
    BlockSpec(
        kind="constant",
        summary="a constant signal",
        equation="out = value",
        params={"value": REQUIRED},
        inputs=(0, 0),
        lower=_constant,
    ),
    BlockSpec(
        kind="time",
        summary="the independent variable t",
        equation="out = t",
        inputs=(0, 0),
        lower=_time,
    ),
    _function_spec("exp", "the exponential of its input", "out = exp(in)", "exp"),
    _function_spec("sin", "the sine of its input", "out = sin(in)", "sin"),
    _function_spec("cos", "the cosine of its input", "out = cos(in)", "cos"),
    _function_spec(
        "tanh", "the hyperbolic tangent of its input", "out = tanh(in)", "tanh"
    ),
    _function_spec(
        "logistic",
        "the logistic sigmoid of its input",
        "out = 1/(1 + exp(-in))",
        "logistic",
    ),
    _function_spec(
        "reciprocal", "one over its input (input nonzero)", "out = 1/in", "reciprocal"
    ),
    _function_spec(
        "log",
        "the natural logarithm of its input (input positive)",
        "out = ln(in)",
        "log",
    ),
    _function_spec(
        "sqrt",
        "the square root of its input (input positive)",
        "out = √in",
        "power",
        0.5,
    ),
    BlockSpec(
        kind="power",
        summary="its input to a real power p (input positive unless p is an integer)",
        equation="out = in^p",
        ports=(Port("in", 1, 1),),
        params={"p": REQUIRED},
        inputs=(1, 1),
        lower=_power,
        function=True,
    ),
)

BLOCKS: Mapping[str, BlockSpec] = MappingProxyType({s.kind: s for s in _SPECS})
"""Every kind of block, by the value of its ``kind`` attribute."""
