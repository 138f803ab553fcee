"""The common interface of the elementary-function circuits.

An elementary circuit is a circuit of integrators, adders, multipliers, gains
and constants together with a program: a list of segments, each naming the
integrators that OPERATE while every other integrator HOLDs, and the gain
settings in force (a hybrid computer's digitally set potentiometers).  This is
the model of Hanson & Raginsky,

    y' = A(t) y + Q(t)(y, y) + b(t),   (A, Q, b) constant on each of D segments,

with the input in held registers, zero-initialised ancillas, and the result
read from one block at the end.  :class:`ElementaryCircuit` bundles the
circuit, its program, the input and output names, the input domain and a numpy
reference, and evaluates a whole array of inputs in one vectorised run.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from analyzer.circuit import Circuit
from analyzer.schedule import Program, Segment, compile_schedule
from analyzer.simulate import simulate

_SHOWN = 5  # offending values quoted in a domain error


@dataclass(frozen=True)
class Interval:
    """An interval of the real line, each end open or closed.

    Examples
    --------
    >>> positive = Interval(0.0, math.inf)
    >>> str(positive), positive.contains([-1.0, 0.0, 2.0]).tolist()
    ('(0, inf)', [False, False, True])
    >>> str(Interval())
    '(-inf, inf)'
    """

    lo: float = -math.inf
    hi: float = math.inf
    closed_lo: bool = False
    closed_hi: bool = False

    def contains(self, x: Any) -> np.ndarray:
        """Elementwise membership (NaN is never inside)."""
        x = np.asarray(x, dtype=float)
        above = x >= self.lo if self.closed_lo else x > self.lo
        below = x <= self.hi if self.closed_hi else x < self.hi
        return above & below & np.isfinite(x)

    def __str__(self) -> str:
        left = "[" if self.closed_lo else "("
        right = "]" if self.closed_hi else ")"
        return f"{left}{self.lo:g}, {self.hi:g}{right}"


REALS = Interval()
POSITIVE = Interval(0.0, math.inf)


@dataclass(frozen=True, eq=False)
class ElementaryCircuit:
    """A circuit with its program that computes one function of held inputs.

    Parameters
    ----------
    name : str
        The function's name, used in messages.
    circuit : Circuit
        Integrators (input registers and zero-initialised ancillas), adders,
        multipliers, gains and constants.
    schedule : tuple of Segment
        The program: which integrators operate in each segment, and the gain
        settings in force.
    inputs : tuple of str
        The input registers, set through ``initial=`` and (except in the lifting
        demonstration) held throughout.
    output : str or tuple of str
        The block (or blocks) whose final value is the result.
    domain : Interval
        Where every input must lie; outside it the run would blow up or be
        meaningless, so such inputs are refused before anything is simulated.
    reference : callable
        The numpy function the circuit computes, ``reference(*inputs)``.
    domain_reason : str
        Why the domain is what it is (quoted in the error).

    Attributes
    ----------
    program : Program
        The compiled schedule (compiled once, on first use).
    width : int
        W, the paper's number of states: the most states a segment's quadratic
        system has.  Input registers count; for a circuit that is already
        quadratic this is the number of integrators, and lifted states count
        where the compiler adds them.
    depth : int
        D, the number of segments.
    """

    name: str
    circuit: Circuit
    schedule: tuple[Segment, ...]
    inputs: tuple[str, ...]
    output: str | tuple[str, ...]
    domain: Interval
    reference: Callable[..., np.ndarray]
    domain_reason: str = ""

    @cached_property
    def program(self) -> Program:
        """The schedule compiled: one quadratic system per segment."""
        return compile_schedule(self.circuit, self.schedule)

    @property
    def width(self) -> int:
        """W: states of the widest segment system, input registers included."""
        return self.program.width

    @property
    def depth(self) -> int:
        """D: the number of segments."""
        return self.program.depth

    @property
    def duration(self) -> float:
        """T: the total running time of the program."""
        return self.program.duration

    def check_domain(self, *x: Any) -> None:
        """Raise ValueError if any input lies outside the domain.

        Raises
        ------
        ValueError
            Naming the function, its domain and the offending values.
        """
        for register, values in zip(self.inputs, x, strict=True):
            values = np.asarray(values, dtype=float).ravel()
            bad = values[~self.domain.contains(values)]
            if bad.size:
                shown = ", ".join(f"{v:g}" for v in bad[:_SHOWN])
                more = f" and {bad.size - _SHOWN} more" if bad.size > _SHOWN else ""
                why = f" ({self.domain_reason})" if self.domain_reason else ""
                raise ValueError(
                    f"{self.name}: input {register!r} must lie in {self.domain}"
                    f"{why}; got {shown}{more}. Pass only inputs in the domain."
                )

    def __call__(
        self,
        *x: Any,
        rtol: float = 1e-10,
        atol: float = 1e-12,
        method: str = "DOP853",
    ) -> np.ndarray:
        """Evaluate the circuit on arrays of inputs in one vectorised run.

        Parameters
        ----------
        *x : array_like
            One array per input register (broadcast together).
        rtol, atol : float
            Solver tolerances.
        method : str
            A scipy solver name (or ``"auto"``).

        Returns
        -------
        ndarray
            The output at the end of the program, shaped like the inputs (with
            a leading axis when there are several outputs).

        Raises
        ------
        ValueError
            For a wrong number of inputs, or inputs outside the domain (before
            anything is simulated).
        """
        if len(x) != len(self.inputs):
            raise TypeError(
                f"{self.name}: takes {len(self.inputs)} input(s) "
                f"({', '.join(self.inputs)}), got {len(x)}"
            )
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in x))
        self.check_domain(*arrays)
        shape = arrays[0].shape
        outputs = (self.output,) if isinstance(self.output, str) else self.output
        if arrays[0].size == 0:
            values = np.empty((len(outputs), *shape))
        else:
            initial = {
                register: a.ravel()
                for register, a in zip(self.inputs, arrays, strict=True)
            }
            traj = simulate(
                self.circuit, None, schedule=self.program, initial=initial,
                method=method, rtol=rtol, atol=atol, dense_output=False,
                t_eval=[self.program.duration],
            )  # fmt: skip
            values = np.stack([traj[o][:, -1].reshape(shape) for o in outputs])
        return values[0] if isinstance(self.output, str) else values


@dataclass(frozen=True, eq=False)
class ReluSurrogate(ElementaryCircuit):
    """An elementary circuit that approximates ReLU with a known worst-case gap.

    Parameters
    ----------
    beta : float
        The steepness; the gap shrinks like 1/beta.
    gap_constant : float
        kappa in sup_x |ReLU(x) - f(x)| = kappa / beta.
    """

    beta: float = 1.0
    gap_constant: float = 0.0

    def relu_gap(self) -> float:
        """The exact worst-case gap sup_x |ReLU(x) - f(x)| = gap_constant / beta."""
        return self.gap_constant / self.beta


def input_register(c: Circuit, name: str) -> str:
    """Add a held input register (an integrator in group ``input``)."""
    c.integrator(name)
    c.graph.nodes[name]["group"] = "input"
    return name


def multiply(c: Circuit, name: str, a: str, b: str) -> str:
    """Add a multiplier ``name`` = a·b (a squarer when a == b)."""
    c.multiplier(name)
    c.connect(a, name, port="a")
    c.connect(b, name, port="b")
    return name


def add(c: Circuit, name: str, terms: Mapping[str, float]) -> str:
    """Add an adder ``name`` = Σ weight·source."""
    c.adder(name)
    for source, weight in terms.items():
        c.connect(source, name, weight=weight)
    return name


def check_positive(function: str, **params: float) -> None:
    """Raise ValueError unless every parameter is a positive finite number."""
    for param, value in params.items():
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (real and math.isfinite(value) and value > 0):
            raise ValueError(
                f"{function}: {param} must be a positive finite number, got {value!r}"
            )
