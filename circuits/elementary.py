"""Elementary functions computed by programs of quadratic segments.

History: the functions Shannon's general purpose analog computer (1941)
generates from time are the components of solutions of polynomial
initial-value problems (Graça and Costa, J. Complexity 19, 2003), exp, ln, tanh
and 1/x among them.  Shannon took them to be exactly the differentially
algebraic functions; they are a strict subclass, for they are analytic
(Bournez, Graça and Pouly, Information and Computation, 2017, arXiv:1602.00546)
and e^(-1/t²), which satisfies t³y' = 2y, is not analytic at 0.  Bournez,
Campagnolo, Graça and Hainry (J. Complexity 23, 2007) showed that polynomial
ODEs compute every computable real function on compact intervals when the
result is read as a limit.  Hanson & Raginsky,
"Expressivity of Quadratic Neural ODEs" (2025), make this quantitative for the
model

    y' = A(t) y + Q(t)(y, y) + b(t),   y(0) = (x, 0, ..., 0),   f(x) = c·y(T),

with controls (A, Q, b) constant on each of D segments and W states.  The
circuits here are such programs, built as real circuits of integrators, adders,
multipliers, gains and constants: the input sits in a held register, the
ancillas start at zero, integrators not named by a segment HOLD, and where a
register's dynamics change between segments the gains are reset per segment
(``settings``), as a hybrid computer set its potentiometers.

===============================  =  =  ==========  ==============================
factory                          W  D  domain      computes
===============================  =  =  ==========  ==============================
:func:`exp_circuit`              2  1  all x       e^x
:func:`reciprocal_circuit`       2  2  s > 0       1/s
:func:`ln_circuit`               3  2  s > 0       ln s
:func:`tanh_circuit`             3  1  all x       tanh x
:func:`logistic_circuit`         3  2  all x       σ(x) = 1/(1 + e^{-x})
:func:`steep_logistic_circuit`   3  2  all x       σ(β(x - a)), gains ≤ 1
:func:`swish_circuit`            5  3  all x       x σ(βx), within κ/β of ReLU
:func:`softplus_circuit`         5  4  all x       ln(1 + e^{βx})/β, ln 2/β
:func:`affine_circuit`           d+m 1 all h       W h + b
:func:`product_circuit`          3  1  all a, b    a b
:func:`square_circuit`           2  1  all a       a²
:func:`cubic_decay_circuit`      2  1  all x0      x' = -x³ (lifted by the compiler)
===============================  =  =  ==========  ==============================

W counts the states of the quadratic system, input registers included; D the
segments.  The equations, domains and tolerances are documented in
:mod:`circuits.elementary_functions`, :mod:`circuits.elementary_relu` and
:mod:`circuits.elementary_primitives`; the common interface in
:mod:`circuits.elementary_base`.

Examples
--------
>>> import numpy as np
>>> from circuits.elementary import ELEMENTARY
>>> f = ELEMENTARY["reciprocal"]()
>>> f.width, f.depth, str(f.domain)
(2, 2, '(0, inf)')
>>> np.round(f([0.5, 8.0]), 10)
array([2.   , 0.125])
>>> # within rtol 1e-10 × G 10 × max(1, |1/s|) (tests/test_elementary.py): 2e-9
>>> bool(np.abs(f([0.5, 8.0]) - f.reference([0.5, 8.0])).max() < 2e-9)
True
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from circuits.elementary_base import (
    POSITIVE,
    REALS,
    ElementaryCircuit,
    Interval,
    ReluSurrogate,
)
from circuits.elementary_functions import (
    exp_circuit,
    ln_circuit,
    logistic_circuit,
    reciprocal_circuit,
    steep_logistic_circuit,
    tanh_circuit,
)
from circuits.elementary_primitives import (
    affine_circuit,
    cubic_decay_circuit,
    product_circuit,
    square_circuit,
)
from circuits.elementary_relu import (
    RELU_GAP_SOFTPLUS,
    RELU_GAP_SWISH,
    softplus_circuit,
    swish_circuit,
)

__all__ = [
    "ELEMENTARY",
    "POSITIVE",
    "REALS",
    "RELU_GAP_SOFTPLUS",
    "RELU_GAP_SWISH",
    "ElementaryCircuit",
    "Interval",
    "ReluSurrogate",
    "affine_circuit",
    "cubic_decay_circuit",
    "exp_circuit",
    "ln_circuit",
    "logistic_circuit",
    "product_circuit",
    "reciprocal_circuit",
    "softplus_circuit",
    "square_circuit",
    "steep_logistic_circuit",
    "swish_circuit",
    "tanh_circuit",
]

ELEMENTARY: MappingProxyType[str, Callable[..., ElementaryCircuit]] = MappingProxyType(
    {
        "exp": exp_circuit,
        "reciprocal": reciprocal_circuit,
        "ln": ln_circuit,
        "tanh": tanh_circuit,
        "logistic": logistic_circuit,
        "steep_logistic": steep_logistic_circuit,
        "swish": swish_circuit,
        "softplus": softplus_circuit,
        "affine": affine_circuit,
        "product": product_circuit,
        "square": square_circuit,
        "cubic_decay": cubic_decay_circuit,
    }
)
"""The factories by name (those with parameters need them: beta, a, weights...)."""
