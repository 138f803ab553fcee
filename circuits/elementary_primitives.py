"""Affine maps, products and the lifting of a cubic: the smallest programs.

In the quadratic model y' = A(t) y + Q(t)(y, y) + b(t) of Hanson & Raginsky,
a segment whose sources are frozen simply adds to its targets: with h held,
z' = W h + b for one unit adds W h + b to z (the A and b parts), and with u,
v held, z' = u v adds the product (the Q part).  These are the adder and the
multiplier of a differential analyzer used as one-step instructions.

==========  ===========================  =======  =  =====================
circuit     segment                      W        D  result
==========  ===========================  =======  =  =====================
affine      z' = W h + b                 d + m    1  z = W h + b
product     z' = a b                     3        1  z = a b
square      q' = a²                      2        1  q = a²
cubic       x' = -x³ (for time T)        2 (1+1)  1  x0 / sqrt(1 + 2 x0² T)
==========  ===========================  =======  =  =====================

The cubic is the lifting demonstration: x' = -x³ is not quadratic, but with
w = x² it becomes x' = -x w, w' = -2 w².  The circuit is written with the cubic
term as two multipliers; the compiler finds the lift itself and adds the
state ``x^2`` (so W = 2 states from one integrator), re-initialised from x.
All four are exact and non-stiff: the errors stay near rounding (the affine
and product ones integrate constants), 1e-13 for the cubic at rtol 1e-10.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from analyzer.circuit import Circuit
from analyzer.schedule import Segment
from circuits.elementary_base import (
    REALS,
    ElementaryCircuit,
    check_positive,
    input_register,
    multiply,
)


def affine_circuit(weights: ArrayLike, bias: ArrayLike) -> ElementaryCircuit:
    """z = W h + b in one segment with h held (W = d + m, D = 1).

    Parameters
    ----------
    weights : array_like, shape (m, d)
        The matrix W: the wire weights from h_j into z_i.
    bias : array_like, shape (m,)
        The constants b_i.

    Returns
    -------
    ElementaryCircuit
        Inputs ``h1..hd``, outputs ``z1..zm``; calling it returns shape
        (m, ...).

    Examples
    --------
    >>> f = affine_circuit([[1.0, 2.0], [-0.5, 3.0]], [0.1, -1.0])
    >>> np.round(f(0.3, -0.7), 12)
    array([-1.  , -3.25])
    >>> f.width, f.depth
    (4, 1)
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    b = np.asarray(bias, dtype=float).ravel()
    if w.ndim != 2 or b.shape != (w.shape[0],):
        raise ValueError(
            f"affine: weights must be (m, d) and bias (m,); got {w.shape} and {b.shape}"
        )
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise ValueError("affine: weights and bias must be finite")
    m, d = w.shape
    c = Circuit()
    inputs = tuple(input_register(c, f"h{j + 1}") for j in range(d))
    outputs = tuple(f"z{i + 1}" for i in range(m))
    for z in outputs:
        c.integrator(z)
    for i, z in enumerate(outputs):
        for j, h in enumerate(inputs):
            if w[i, j] != 0.0:
                c.connect(h, z, weight=float(w[i, j]))
        if b[i] != 0.0:
            c.constant(f"b{i + 1}", value=float(b[i]))
            c.connect(f"b{i + 1}", z)

    def reference(*h: ArrayLike) -> np.ndarray:
        stacked = np.stack(np.broadcast_arrays(*(np.asarray(v, float) for v in h)))
        return np.tensordot(w, stacked, axes=1) + b.reshape(
            -1, *[1] * (stacked.ndim - 1)
        )

    schedule = (Segment(1.0, outputs, "affine"),)
    return ElementaryCircuit("affine", c, schedule, inputs, outputs, REALS, reference)


def product_circuit() -> ElementaryCircuit:
    """z = a·b in one segment with a, b held (W = 3, D = 1).

    Examples
    --------
    >>> f = product_circuit()
    >>> round(float(f(1.7, -0.3)), 11)  # rounding only, ≤ 1e-12
    -0.51
    """
    c = Circuit()
    input_register(c, "a")
    input_register(c, "b")
    c.integrator("z")
    multiply(c, "ab", "a", "b")
    c.connect("ab", "z")
    return ElementaryCircuit(
        "product", c, (Segment(1.0, ("z",), "product"),), ("a", "b"), "z", REALS,
        lambda a, b: np.asarray(a, dtype=float) * np.asarray(b, dtype=float),
    )  # fmt: skip


def square_circuit() -> ElementaryCircuit:
    """q = a² in one segment with a held (W = 2, D = 1).

    Examples
    --------
    >>> np.round(square_circuit()([1.7, -3.0]), 12)
    array([2.89, 9.  ])
    """
    c = Circuit()
    input_register(c, "a")
    c.integrator("q")
    multiply(c, "aa", "a", "a")
    c.connect("aa", "q")
    return ElementaryCircuit(
        "square", c, (Segment(1.0, ("q",), "square"),), ("a",), "q", REALS,
        np.square,
    )  # fmt: skip


def cubic_decay_circuit(duration: float = 2.0) -> ElementaryCircuit:
    """x' = -x³ for time T from x(0) = x0: x(T) = x0 / sqrt(1 + 2 x0² T).

    The input register operates (it is the state).  The compiler lifts the
    cubic with the state ``x^2``: x' = -x·x^2, x^2' = -2·x^2·x^2, so W = 2.

    Parameters
    ----------
    duration : float
        T, the length of the single segment.

    Examples
    --------
    >>> f = cubic_decay_circuit()
    >>> round(float(f(3.0)), 9), 3 / 37 ** 0.5  # good to 1e-10: nine digits
    (0.493196962, 0.4931969619160719)
    >>> f.program.segments[0][1].names, (f.width, f.depth)
    (('x', 'x^2'), (2, 1))
    """
    check_positive("cubic decay", duration=duration)
    c = Circuit()
    c.integrator("x")
    multiply(c, "x2", "x", "x")
    multiply(c, "x3", "x2", "x")
    c.connect("x3", "x", weight=-1.0)

    def reference(x0: ArrayLike) -> np.ndarray:
        x0 = np.asarray(x0, dtype=float)
        return x0 / np.sqrt(1.0 + 2.0 * x0**2 * duration)

    return ElementaryCircuit(
        "cubic decay", c, (Segment(float(duration), ("x",), "decay"),), ("x",), "x",
        REALS, reference,
    )  # fmt: skip
