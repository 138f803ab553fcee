"""Lowering: a validated circuit becomes a polynomial ODE system.

Every integrator output (and the clock, when the circuit reads time) is a
state.  Every other block's signal becomes a polynomial in the states, block by
block in dependency order; a linear algebraic loop through adders and gains is
solved exactly as one linear system.  Each state's derivative is then a
polynomial: for an integrator dw = u dv, so w' = u · v' with v' from the chain
and product rules (v' = 1 when v is time).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from analyzer.blocks import BLOCKS
from analyzer.compile.loops import solve_loop
from analyzer.compile.polynomialize import Polynomializer
from analyzer.errors import CircuitError
from analyzer.functions import FunctionState, formula
from analyzer.netlist import Netlist
from analyzer.polynomial import Poly, TooLargeError, total
from analyzer.validate import cycle_text, wrt_source


@dataclass(frozen=True)
class PolynomialSystem:
    """y' = P(y) of any degree, with every block's signal as a polynomial in y.

    Parameters
    ----------
    names : tuple of str
        The states: the integrators sorted by name, then the clock ``t``,
        then the states function blocks introduced.
    y0 : tuple of float
        Initial values at ``t0``.
    rates : tuple of Poly
        ``rates[i]`` is y_i' as a polynomial in the states.
    signals : mapping
        Block name -> its signal as a polynomial in the states.
    t0 : float
        Start time (the clock's initial value).
    clock : int or None
        Index of the clock state, if the circuit reads time.
    functions : tuple of FunctionState
        The states function blocks introduced, in order (they come last).
    """

    names: tuple[str, ...]
    y0: tuple[float, ...]
    rates: tuple[Poly, ...]
    signals: Mapping[Hashable, Poly]
    t0: float = 0.0
    clock: int | None = None
    functions: tuple[FunctionState, ...] = ()

    @property
    def n_base(self) -> int:
        """How many states are integrators or the clock."""
        return len(self.names) - len(self.functions)


def lower(
    netlist: Netlist, *, t0: float = 0.0, hold: Collection[Hashable] = ()
) -> PolynomialSystem:
    """Lower a validated circuit to a polynomial system (pure).

    Integrators named in ``hold`` are in HOLD mode: their rate is zero, so they
    keep their value (and count as constants in every chain rule).

    Examples
    --------
    x' = x·x·x (a multiplier chain) lowers to one cubic rate:

    >>> from analyzer import Circuit
    >>> from analyzer.validate import validate
    >>> c = Circuit()
    >>> c.integrator("x", initial=0.5); c.multiplier("x2"); c.multiplier("x3")
    'x'
    'x2'
    'x3'
    >>> c.connect("x", "x2"); c.connect("x", "x2")
    >>> c.connect("x2", "x3"); c.connect("x", "x3"); c.connect("x3", "x")
    >>> lower(validate(c)).rates[0].terms
    {((0, 3),): 1.0}
    """
    integrators = netlist.integrators()
    names = [str(n) for n in integrators]
    y0 = [float(netlist.attrs[n].get("initial", 0.0)) for n in integrators]
    clock = None
    if any(netlist.kind(n) == "time" for n in netlist.blocks):
        clock = len(names)
        names.append(fresh_name("t", set(names)))
        y0.append(float(t0))
    if len(set(names)) != len(names):
        clashes = sorted({n for n in names if names.count(n) > 1})
        raise CircuitError(
            f"integrators named {n!r} with different types clash as state names; "
            "rename one"
            for n in clashes
        )
    signals: dict[Hashable, Poly] = {w: Poly.var(i) for i, w in enumerate(integrators)}
    functions = Polynomializer(
        names, y0, Poly.var(clock) if clock is not None else None
    )
    for group in netlist.algebraic_order[0]:
        try:
            if len(group) > 1 or any(
                w.src == group[0] for w in netlist.wires[group[0]]
            ):
                signals.update(solve_loop(netlist, group, signals, functions))
            else:
                block = group[0]
                context = functions.at(block, netlist.kind(block))
                signals[block] = _lower_block(netlist, block, signals, context)
        except TooLargeError as err:
            what = cycle_text(netlist, group) if len(group) > 1 else None
            raise CircuitError(
                [f"{what or netlist.label(group[0])}: {err}; {_SMALLER}"]
            ) from None
    if functions.problems:
        raise CircuitError(functions.problems)
    rates = _rates(netlist, integrators, signals, clock, frozenset(hold), functions)
    ordered = {n: signals[n] for n in netlist.blocks}
    problems = _overflow_problems(netlist, names, y0, rates, ordered, functions)
    if problems:
        raise CircuitError(problems)
    return PolynomialSystem(
        tuple(names), tuple(y0), tuple(rates), ordered, float(t0), clock,
        tuple(functions.states),
    )  # fmt: skip


_SMALLER = (
    "the compiler refuses it rather than take very long; lower the degree "
    "(use an integrator for a repeated factor, or a power block with a "
    "non-integer exponent)"
)


def _finite(poly: Poly) -> bool:
    return all(math.isfinite(c) for c in poly.terms.values())


def _overflow_problems(
    netlist: Netlist,
    names: list[str],
    y0: list[float],
    rates: list[Poly],
    signals: Mapping[Hashable, Poly],
    functions: Polynomializer,
) -> list[str]:
    """Initial values, rates and signals that overflowed the float range."""
    problems = []
    made = {state.index: state for state in functions.states}
    fix = "scale the gains, weights or initial values down"
    for i, (name, value, rate) in enumerate(zip(names, y0, rates, strict=True)):
        state = made.get(i)
        label = state.label if state else f"block {name!r} (integrator)"
        if state and not math.isfinite(value):
            u0 = state.argument.evaluate(y0)
            problems.append(
                f"{label}: port 'in': its input is {u0:.6g} at t0, where "
                f"{formula(state.rule, state.p)} = {value} is beyond the float range "
                "(about 1.8e308); change the initial values or the wiring so that "
                "it starts in range"
            )
        if not _finite(rate):
            problems.append(
                f"{label}: the rate of state {name!r} has a coefficient that "
                f"overflows the float range (about 1.8e308); {fix}"
            )
    for block, signal in signals.items():
        if not _finite(signal):
            problems.append(
                f"{netlist.label(block)}: its signal has a coefficient that "
                f"overflows the float range (about 1.8e308); {fix}"
            )
    return problems


def fresh_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name#2``, ``name#3``, ... whichever is not taken yet."""
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name}#{k}"
    return candidate


def _inputs(
    netlist: Netlist, block: Hashable, signals: Mapping[Hashable, Poly]
) -> dict[str, list[Poly]]:
    """The block's input polynomials by port, weights applied, in a fixed order."""
    by_port: dict[str, list[Poly]] = defaultdict(list)
    for wire in netlist.wires[block]:
        poly, weight = signals[wire.src], float(wire.weight)
        by_port[wire.port].append(poly if weight == 1.0 else poly.scale(weight))
    return by_port


def _lower_block(
    netlist: Netlist,
    block: Hashable,
    signals: Mapping[Hashable, Poly],
    context: Polynomializer,
) -> Poly:
    attrs = netlist.attrs[block]
    spec = BLOCKS[attrs["kind"]]
    assert spec.lower is not None
    params = {p: float(attrs.get(p, default)) for p, default in spec.params.items()}  # type: ignore[arg-type]
    return spec.lower(params, _inputs(netlist, block, signals), context)


def _rates(
    netlist: Netlist,
    integrators: list[Hashable],
    signals: Mapping[Hashable, Poly],
    clock: int | None,
    hold: frozenset[Hashable],
    functions: Polynomializer,
) -> list[Poly]:
    """Each state's rate: w' = (Σ in)·v' for integrators, t' = 1 for the clock,
    0 for integrators in HOLD, f'(u)·u' for function states."""
    rates = _Rates()
    labels = {i: netlist.label(w) for i, w in enumerate(integrators)}
    labels.update({state.index: state.label for state in functions.states})
    for i, w in enumerate(integrators):
        if w in hold:
            rates.known[i] = Poly()
            continue
        integrand = total(_inputs(netlist, w, signals).get("in", []))
        source = wrt_source(netlist, w)
        if source is None:
            rates.known[i] = integrand
        else:  # v' needs the rates of the states in v: computed on demand
            variable = signals[source[0]].scale(source[1])
            rates.pending[i] = partial(_times_rate, integrand, variable, rates)
    if clock is not None:
        rates.known[clock] = Poly.const(1.0)
    for state in functions.states:
        rates.pending[state.index] = partial(functions.rate, state, rates)
    out = []
    for i in range(len(functions.names)):
        try:
            out.append(rates[i])
        except TooLargeError as err:
            message = str(err).replace("its signal", "its rate")
            raise CircuitError([f"{labels[i]}: {message}; {_SMALLER}"]) from None
    return out


def _times_rate(integrand: Poly, variable: Poly, rates: Mapping[int, Poly]) -> Poly:
    return integrand * variable.time_derivative(rates)


class _Rates(Mapping[int, Poly]):
    """State rates, each computed on first use from the rates it needs.

    Validation has refused integrators whose variables depend on each other's
    rates, so the recursion always ends.
    """

    def __init__(self) -> None:
        self.known: dict[int, Poly] = {}
        self.pending: dict[int, Callable[[], Poly]] = {}

    def __getitem__(self, index: int) -> Poly:
        if index not in self.known:
            self.known[index] = self.pending.pop(index)()
        return self.known[index]

    def __iter__(self) -> Iterator[int]:
        return iter({**self.pending, **self.known})

    def __len__(self) -> int:
        return len(self.known) + len(self.pending)
