"""The block registry: every kind of block as plain data, in one explicit table.

A block spec says which input ports a kind has and how many wires each takes,
which parameters it needs (with defaults), its equation as text for the docs,
and, for an algebraic block, the rule that lowers it to a polynomial in the
states.  The integrator is the one kind whose output is a state; the compiler
handles it in :mod:`analyzer.compile.lower`.

Edge weights apply to every input: a wire of weight w carries w times the
signal of the block it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import prod
from types import MappingProxyType

from analyzer.polynomial import Poly, total

REQUIRED = None
"""Marks a parameter that has no default and must be given."""

# Inputs of one block, weights applied, by port; the clock polynomial (or None).
Lowering = Callable[[Mapping[str, float], Mapping[str, list[Poly]], Poly | None], Poly]


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
        For algebraic blocks, ``lower(params, inputs, clock) -> Poly``; None for
        the integrator, whose output is a state.
    """

    kind: str
    summary: str
    equation: str
    ports: tuple[Port, ...] = ()
    params: Mapping[str, float | None] = field(default_factory=dict)
    inputs: tuple[int, int | None] = (0, None)
    lower: Lowering | None = None

    @property
    def is_source(self) -> bool:
        """Whether the block takes no input at all."""
        return not self.ports

    @property
    def port_names(self) -> tuple[str, ...]:
        """The names of the input ports."""
        return tuple(p.name for p in self.ports)


def _adder(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: object
) -> Poly:
    return total(inputs.get("in", []))


def _multiplier(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: object
) -> Poly:
    factors = inputs.get("a", []) + inputs.get("b", []) + inputs.get("in", [])
    return prod(factors[1:], start=factors[0])


def _gain(
    params: Mapping[str, float], inputs: Mapping[str, list[Poly]], _: object
) -> Poly:
    return inputs["in"][0].scale(params["k"])


def _constant(params: Mapping[str, float], inputs: object, _: object) -> Poly:
    return Poly.const(params["value"])


def _time(params: object, inputs: object, clock: Poly | None) -> Poly:
    assert clock is not None, "the compiler gives a circuit with a time block a clock"
    return clock


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
)

BLOCKS: Mapping[str, BlockSpec] = MappingProxyType({s.kind: s for s in _SPECS})
"""Every kind of block, by the value of its ``kind`` attribute."""
