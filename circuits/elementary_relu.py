"""Smooth surrogates of ReLU: swish x·σ(βx) and softplus (1/β) ln(1 + e^{βx}).

Every segment's flow is real-analytic in the state, so the map from the input
to y(T) is analytic and ReLU itself cannot be computed exactly by a quadratic
program (Hanson & Raginsky's model y' = A(t) y + Q(t)(y, y) + b(t)); it can be
approached at rate 1/β, with an exactly known worst-case gap.

=========  =================================================  =  =  ===========
circuit    segments (registers not named hold)                W  D  ReLU gap
=========  =================================================  =  =  ===========
swish      z' = βx, p' = 1/2, r' = βx/2;  then p' = r - r p,   5  3  κ/β
           r' = z r - r²;  then o' = p x;  read o
softplus   z' = βx;  then e' = z e + z;  then q' = e + 1;      5  4  ln 2/β
           then q' = -q², L' = q/β;  read L
softplus,  z' = βx, p' = 1/2, r' = βx/2, L' = ln 2/β;  then    5  2  ln 2/β
logistic   p' = r - r p, r' = z r - r², L' = r/β;  read L
=========  =================================================  =  =  ===========

Each segment lasts one unit; the W = 5 registers are x (input), z, p, r, o for
swish, x, z, e, q, L for softplus and x, z, p, r, L for its logistic route.
Swish is the logistic circuit on z = βx followed by a product.  Softplus, as
the paper builds it, is the exp circuit on z = βx followed by the ln circuit on
1 + e^{βx} (whose q starts at e^{βx}, so q' = e + 1 loads it), with the 1/β
folded into L's gain.  Both are defined for every real x, but the ln circuit's
Riccati transient lasts about e^{-βx}, which floating point resolves only for
βx up to about 30 (beyond, a SimulationError, never a wrong number).  The
logistic route integrates d/dt ln(1 + e^{zt}) = z σ(zt) = r instead; its
registers stay within |βx| and it works for every x, in two segments.

Gaps: for x > 0, ReLU(x) - x σ(βx) = x/(1 + e^{βx}), and for x < 0 the same
with |x|, so sup |ReLU - swish_β| = κ/β with κ = max_{t≥0} t/(1 + e^t)
(:data:`RELU_GAP_SWISH`).  softplus_β(x) - ReLU(x) = ln(1 + e^{-β|x|})/β,
largest at x = 0: ln 2/β (:data:`RELU_GAP_SOFTPLUS`).

Tolerances (see the tests): DOP853 at rtol 1e-10 gives errors near 1e-13
(swish, logistic softplus) and 1e-11 (exp-ln softplus, whose Riccati register
starts at e^{βx} and falls fast); RK45 at rtol 1e-6 gives about 1e-8, 1e-7 and
2e-6; the tests accept ten times more.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from analyzer.circuit import Circuit
from analyzer.schedule import Segment
from circuits.elementary_base import (
    REALS,
    ReluSurrogate,
    add,
    check_positive,
    input_register,
    multiply,
)
from circuits.elementary_functions import add_logistic, add_riccati_register

# κ = max_{t≥0} t/(1 + e^t).  Setting the derivative to zero gives
# 1 + e^t = t e^t, i.e. t* = 1 + e^{-t*}; there κ = t*/(t* e^{t*}) = e^{-t*}
# = t* - 1, so κ e^κ = e^{-1}: κ = W(1/e) (Lambert W), t* = 1.27846...
# The tests recompute it with scipy.special.lambertw and scipy.optimize.
RELU_GAP_SWISH = 0.2784645427610738
"""κ: sup_x |ReLU(x) - x σ(βx)| = κ/β."""

RELU_GAP_SOFTPLUS = math.log(2.0)
"""ln 2: sup_x |ReLU(x) - softplus_β(x)| = ln 2/β, attained at x = 0."""


def swish_circuit(beta: float) -> ReluSurrogate:
    """x·σ(βx), a ReLU surrogate within κ/β of it (W = 5, D = 3).

    Parameters
    ----------
    beta : float
        Steepness (positive).

    Examples
    --------
    >>> f = swish_circuit(50.0)
    >>> np.round(f([-0.1, 0.0, 0.1]), 7)  # f(0.1) is 9e-11 from an 8-digit edge
    array([-0.0006693,  0.       ,  0.0993307])
    >>> round(f.relu_gap(), 10), (f.width, f.depth)
    (0.0055692909, (5, 3))
    """
    check_positive("swish", beta=beta)
    c = Circuit()
    input_register(c, "x")
    c.integrator("z")
    c.gain("beta", k=beta)
    c.connect("x", "beta")
    c.connect("beta", "z")
    init, run = add_logistic(c, "x", beta / 2.0, "z")
    c.integrator("o")
    multiply(c, "px", "p", "x")
    c.connect("px", "o")
    schedule = (
        Segment(1.0, ("z", "p", "r"), "scale and init", settings=init),
        Segment(1.0, ("p", "r"), "logistic", settings=run),
        Segment(1.0, ("o",), "product"),
    )
    return ReluSurrogate(
        f"swish (beta={beta:g})", c, schedule, ("x",), "o", REALS,
        lambda x: np.asarray(x, dtype=float) * expit(beta * np.asarray(x, dtype=float)),
        beta=beta, gap_constant=RELU_GAP_SWISH,
    )  # fmt: skip


def softplus_circuit(beta: float, route: str = "exp-ln") -> ReluSurrogate:
    """(1/β) ln(1 + e^{βx}), a ReLU surrogate within ln 2/β of it.

    Parameters
    ----------
    beta : float
        Steepness (positive).
    route : {"exp-ln", "logistic"}
        ``"exp-ln"`` is the paper's construction (W = 5, D = 4): e^{βx} by the
        exp circuit, then the ln circuit on 1 + e^{βx}.  Its Riccati register
        starts at e^{βx} and must resolve a transient of length e^{-βx}, which
        floating point cannot below about 1e-13 of the time elapsed: for βx
        above about 30 the solver stops with a SimulationError.
        ``"logistic"`` (W = 5, D = 2) integrates the derivative instead,
        d/dt ln(1 + e^{zt}) = z σ(zt) = r, with the logistic registers p, r of
        z = βx: L = ln 2/β, then L' = r/β beside the logistic segment.  Every
        register stays within |βx|, so it works for every x.

    Examples
    --------
    >>> f = softplus_circuit(10.0)
    >>> np.round(f([0.0, 1.0, 2.0]), 8)
    array([0.06931472, 1.00000454, 2.        ])
    >>> round(f.relu_gap(), 12), (f.width, f.depth)
    (0.069314718056, (5, 4))
    >>> g = softplus_circuit(50.0, route="logistic")
    >>> np.round(g([-2.0, 0.0, 2.0]), 8), (g.width, g.depth)
    (array([0.        , 0.01386294, 2.        ]), (5, 2))
    """
    check_positive("softplus", beta=beta)
    if route not in ("exp-ln", "logistic"):
        raise ValueError(
            f"softplus: unknown route {route!r}; use 'exp-ln' or 'logistic'"
        )
    c = Circuit()
    input_register(c, "x")
    c.integrator("z")
    c.gain("beta", k=beta)
    c.connect("x", "beta")
    c.connect("beta", "z")
    if route == "logistic":
        schedule = _softplus_by_logistic(c, beta)
    else:
        schedule = _softplus_by_exp_and_ln(c, beta)
    return ReluSurrogate(
        f"softplus (beta={beta:g})", c, schedule, ("x",), "L", REALS,
        lambda x: np.logaddexp(0.0, beta * np.asarray(x, dtype=float)) / beta,
        beta=beta, gap_constant=RELU_GAP_SOFTPLUS,
    )  # fmt: skip


def _softplus_by_exp_and_ln(c: Circuit, beta: float) -> tuple[Segment, ...]:
    """e = e^{βx} - 1 by the exp circuit on z, then L = ln(1 + e^{βx})/β."""
    c.integrator("e")
    multiply(c, "ze", "z", "e")
    c.connect("ze", "e")
    c.connect("z", "e")
    c.constant("one", value=1.0)
    add(c, "e_plus_1", {"e": 1.0, "one": 1.0})
    load, riccati = add_riccati_register(c, "q", "e_plus_1")
    c.integrator("L")
    c.gain("scale", k=1.0 / beta)
    c.connect("q", "scale")
    c.connect("scale", "L")
    return (
        Segment(1.0, ("z",), "scale"),
        Segment(1.0, ("e",), "exp"),
        Segment(1.0, ("q",), "load", settings=load),
        Segment(1.0, ("q", "L"), "ln", settings=riccati),
    )


def _softplus_by_logistic(c: Circuit, beta: float) -> tuple[Segment, ...]:
    """L = ln 2/β with the logistic init, then L' = r/β beside the logistic."""
    init, run = add_logistic(c, "x", beta / 2.0, "z")
    c.integrator("L")
    c.constant("ln2", value=math.log(2.0))
    c.gain("offset", k=0.0)
    c.connect("ln2", "offset")
    c.connect("offset", "L")
    c.gain("scale", k=0.0)
    c.connect("r", "scale")
    c.connect("scale", "L")
    init = {**init, "offset": {"k": 1.0 / beta}, "scale": {"k": 0.0}}
    run = {**run, "offset": {"k": 0.0}, "scale": {"k": 1.0 / beta}}
    return (
        Segment(1.0, ("z", "p", "r", "L"), "scale and init", settings=init),
        Segment(1.0, ("p", "r", "L"), "logistic", settings=run),
    )
