"""exp, 1/s, ln, tanh and the logistic sigmoid as programs of quadratic segments.

The functions a differential analyzer can generate from time are the components
of solutions of polynomial initial-value problems (Graça and Costa, J.
Complexity 19, 2003; not all differentially algebraic functions, as Shannon
claimed in 1941, since they are analytic: Bournez, Graça and Pouly,
arXiv:1602.00546); exp, ln, tanh and 1/x are the classic examples.  Here they are functions of an *input*, as in the quadratic
neural ODEs of Hanson & Raginsky (2025), y' = A(t) y + Q(t)(y, y) + b(t) with
controls constant on each segment: the input sits in a held register, the
ancillas start at 0, and the result is read at the end.  Each construction is
exact in exact arithmetic (its flow has a closed form), so the only error is
the solver's.

=================  ================================================  =  =  ========
circuit            segments (registers not named hold)               W  D  domain
=================  ================================================  =  =  ========
exp                z' = x z + x;  read z + 1 = e^x                   2  1  all x
reciprocal         w' = s - 1;  then w' = -w²;  read 1 - w = 1/s     2  2  s > 0
ln                 q' = s - 1;  then q' = -q², L' = q;  read L       3  2  s > 0
tanh               u' = x - u v, v' = x² - v²;  read u = tanh x      3  1  all x
logistic           p' = 1/2, r' = x/2;  then p' = r - r p,           3  2  all x
                   r' = x r - r²;  read p = σ(x)
steep logistic     as logistic with x - a, run for time β,           3  2  all x
                   every coefficient at most 1 in size
=================  ================================================  =  =  ========

Every segment lasts one time unit except the steep logistic's.  W counts the
states including the input register, D the segments.  The Riccati
equations w' = -w² blow up in finite time when w(0) < -1, i.e. s < 0, and
w(0) = -1 (s = 0) reaches -∞ at t = 1: hence the open domain s > 0.  tanh needs
the lift v = x u (u' = x(1 - u²) is cubic); the logistic the lift r = x p.

Tolerances (see the tests): the DOP853 error at rtol 1e-10 is 1e-12..1e-10,
largest where the solution grows (exp(2.5)) or the Riccati transient is fast;
RK45 at rtol 1e-6 gives 1e-8..1e-5.  The accepted errors leave a margin of ten
or more.

Conditioning within the domain: near s = 0 the Riccati solution
w = (s - 1)/(1 + (s - 1) t) is steep at the end of the segment and the relative
error of 1/s grows like rtol/s² (1e-3 at s = 1e-8 with DOP853 at rtol 1e-10,
4e-4 at s = 1e-3 with RK45 at rtol 1e-6); the paper suggests keeping
s >= 0.05.  For large s the register starts at s - 1 and falls within about
1/s, which floating point resolves for s up to about 1e13; beyond, the solver
stops with a SimulationError rather than return a wrong value.  Likewise exp
refuses (SimulationError) once e^x passes the simulator's blow-up guard of
1e100, i.e. x above about 230.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from analyzer.circuit import Circuit
from analyzer.schedule import Segment
from circuits.elementary_base import (
    POSITIVE,
    REALS,
    ElementaryCircuit,
    add,
    check_positive,
    input_register,
    multiply,
)

_BLOWUP = "the Riccati segment w' = -w² blows up for s <= 0"


def exp_circuit() -> ElementaryCircuit:
    """e^x: z' = x z + x from z = 0 for one unit, so z(1) = e^x - 1 (W = 2, D = 1).

    Examples
    --------
    >>> f = exp_circuit()
    >>> np.round(f([0.0, 1.0, -3.0]), 8)
    array([1.        , 2.71828183, 0.04978707])
    >>> f.width, f.depth
    (2, 1)
    """
    c = Circuit()
    input_register(c, "x")
    c.integrator("z")
    multiply(c, "xz", "x", "z")
    c.connect("xz", "z")
    c.connect("x", "z")
    c.constant("one", value=1.0)
    add(c, "out", {"z": 1.0, "one": 1.0})
    return ElementaryCircuit(
        "exp", c, (Segment(1.0, ("z",), "exp"),), ("x",), "out", REALS, np.exp
    )


def add_riccati_register(c: Circuit, register: str, source: str) -> tuple[dict, dict]:
    """Wire ``register`` to load ``source`` (first segment) then run w' = -w².

    The two paths go through the gains ``load`` and ``riccati``; the returned
    settings switch between them, as potentiometers set between segments.
    """
    c.integrator(register)
    c.gain("load", k=0.0)
    c.connect(source, "load")
    c.connect("load", register)
    multiply(c, register * 2, register, register)
    c.gain("riccati", k=0.0)
    c.connect(register * 2, "riccati")
    c.connect("riccati", register)
    load = {"load": {"k": 1.0}, "riccati": {"k": 0.0}}
    riccati = {"load": {"k": 0.0}, "riccati": {"k": -1.0}}
    return load, riccati


def reciprocal_circuit() -> ElementaryCircuit:
    """1/s: load w = s - 1, then w' = -w² for one unit; 1 - w(1) = 1/s (W = 2, D = 2).

    Examples
    --------
    >>> f = reciprocal_circuit()
    >>> np.round(f([0.2, 4.0]), 7)  # 1/0.2 is good to 1e-8: seven digits
    array([5.  , 0.25])
    >>> f(0.0)
    Traceback (most recent call last):
    ...
    ValueError: reciprocal: input 's' must lie in (0, inf) (...); got 0. ...
    """
    c = Circuit()
    input_register(c, "s")
    c.constant("one", value=1.0)
    add(c, "s_minus_1", {"s": 1.0, "one": -1.0})
    load, riccati = add_riccati_register(c, "w", "s_minus_1")
    add(c, "out", {"one": 1.0, "w": -1.0})
    schedule = (
        Segment(1.0, ("w",), "load", settings=load),
        Segment(1.0, ("w",), "riccati", settings=riccati),
    )
    return ElementaryCircuit(
        "reciprocal", c, schedule, ("s",), "out", POSITIVE,
        lambda s: 1.0 / np.asarray(s, dtype=float), _BLOWUP,
    )  # fmt: skip


def ln_circuit() -> ElementaryCircuit:
    """ln s: load q = s - 1, then q' = -q², L' = q for one unit (W = 3, D = 2).

    L(t) = ln(1 + (s - 1) t), the lift q = (s - 1) e^{-L} of L' = (s - 1) e^{-L}.

    Examples
    --------
    >>> f = ln_circuit()
    >>> np.round(f([0.05, 1.0, 100.0]), 7)  # ln 100 is good to 1e-8: seven digits
    array([-2.9957323,  0.       ,  4.6051702])
    >>> f.width, f.depth
    (3, 2)
    """
    c = Circuit()
    input_register(c, "s")
    c.constant("one", value=1.0)
    add(c, "s_minus_1", {"s": 1.0, "one": -1.0})
    load, riccati = add_riccati_register(c, "q", "s_minus_1")
    c.integrator("L")
    c.connect("q", "L")
    schedule = (
        Segment(1.0, ("q",), "load", settings=load),
        Segment(1.0, ("q", "L"), "ln", settings=riccati),
    )
    return ElementaryCircuit(
        "ln", c, schedule, ("s",), "L", POSITIVE, np.log,
        "the Riccati segment q' = -q² blows up for s <= 0",
    )  # fmt: skip


def tanh_circuit() -> ElementaryCircuit:
    """tanh x: u' = x - u v, v' = x² - v² from 0 for one unit (W = 3, D = 1).

    u(t) = tanh(x t) and v = x u: the lift of the cubic u' = x (1 - u²).

    Examples
    --------
    >>> f = tanh_circuit()
    >>> np.round(f([-2.0, 0.3, 5.0]), 8)
    array([-0.96402758,  0.29131261,  0.9999092 ])
    """
    c = Circuit()
    input_register(c, "x")
    c.integrator("u")
    c.integrator("v")
    multiply(c, "uv", "u", "v")
    multiply(c, "xx", "x", "x")
    multiply(c, "vv", "v", "v")
    add(c, "du", {"x": 1.0, "uv": -1.0})
    add(c, "dv", {"xx": 1.0, "vv": -1.0})
    c.connect("du", "u")
    c.connect("dv", "v")
    return ElementaryCircuit(
        "tanh", c, (Segment(1.0, ("u", "v"), "tanh"),), ("x",), "u", REALS, np.tanh
    )


def add_logistic(
    c: Circuit, load_from: str, load_gain: float, rate_from: str, scale: float = 1.0
) -> tuple[dict, dict]:
    """Wire the registers p, r of the lifted logistic equation.

    First segment (duration ``scale``): p' = 1/(2 scale), r' = load_gain·load_from
    / scale.  Second: p' = (r - r p)/scale, r' = (rate_from·r - r²)/scale.  The
    returned settings select the paths, through the gains ``bias``, ``load``,
    ``kp`` and ``kr``.
    """
    c.integrator("p")
    c.integrator("r")
    c.constant("half", value=0.5)
    c.gain("bias", k=0.0)
    c.connect("half", "bias")
    c.connect("bias", "p")
    c.gain("load", k=0.0)
    c.connect(load_from, "load")
    c.connect("load", "r")
    multiply(c, "rp", "r", "p")
    add(c, "dp", {"r": 1.0, "rp": -1.0})
    c.gain("kp", k=0.0)
    c.connect("dp", "kp")
    c.connect("kp", "p")
    multiply(c, "growth", rate_from, "r")
    multiply(c, "rr", "r", "r")
    add(c, "dr", {"growth": 1.0, "rr": -1.0})
    c.gain("kr", k=0.0)
    c.connect("dr", "kr")
    c.connect("kr", "r")
    init = {"bias": 1.0 / scale, "load": load_gain / scale, "kp": 0.0, "kr": 0.0}
    run = {"bias": 0.0, "load": 0.0, "kp": 1.0 / scale, "kr": 1.0 / scale}
    return (
        {g: {"k": k} for g, k in init.items()},
        {g: {"k": k} for g, k in run.items()},
    )


def logistic_circuit() -> ElementaryCircuit:
    """σ(x) = 1/(1 + e^{-x}): p = 1/2, r = x/2, then p' = r - r p, r' = x r - r².

    The lift r = x p of the logistic equation p' = x p (1 - p), so
    p(t) = σ(x t).  W = 3, D = 2.

    Examples
    --------
    >>> f = logistic_circuit()
    >>> np.round(f([-3.0, 0.0, 2.0]), 8)
    array([0.04742587, 0.5       , 0.88079708])
    """
    c = Circuit()
    input_register(c, "x")
    init, run = add_logistic(c, "x", 0.5, "x")
    schedule = (
        Segment(1.0, ("p", "r"), "init", settings=init),
        Segment(1.0, ("p", "r"), "logistic", settings=run),
    )
    return ElementaryCircuit("logistic", c, schedule, ("x",), "p", REALS, expit)


def steep_logistic_circuit(beta: float, a: float = 0.0) -> ElementaryCircuit:
    """σ(β(x - a)) with every coefficient at most 1 in size, run for time β.

    Init: p' = 1/2, r' = (x - a)/2 for one unit; then p' = r - r p,
    r' = x r - a r - r² for time β: steepness bought with time, not gain.
    For |a| > 1 both segments are slowed by c = |a| (fields divided by c,
    durations times c) so that the coefficient -a of r stays bounded: time
    scaling, as on an analog computer.  W = 3, D = 2.

    Parameters
    ----------
    beta : float
        Steepness (positive); the logistic segment lasts β·max(1, |a|).
    a : float
        The centre.

    Examples
    --------
    >>> f = steep_logistic_circuit(32.0, 0.3125)
    >>> np.round(f([0.3125, 0.37]), 8)
    array([0.5       , 0.86294871])
    >>> f.duration
    33.0
    """
    check_positive("steep logistic", beta=beta)
    if not math.isfinite(a):
        raise ValueError(f"steep logistic: a must be finite, got {a!r}")
    slow = max(1.0, abs(a))
    c = Circuit()
    input_register(c, "x")
    shifted = "x"
    if a != 0.0:
        c.constant("one", value=1.0)
        shifted = add(c, "x_minus_a", {"x": 1.0, "one": -a})
    init, run = add_logistic(c, shifted, 0.5, shifted, scale=slow)
    schedule = (
        Segment(slow, ("p", "r"), "init", settings=init),
        Segment(slow * beta, ("p", "r"), "logistic", settings=run),
    )
    return ElementaryCircuit(
        f"steep logistic (beta={beta:g}, a={a:g})", c, schedule, ("x",), "p", REALS,
        lambda x: expit(beta * (np.asarray(x, dtype=float) - a)),
    )  # fmt: skip
