"""Deep feedforward networks emulated by a quadratic neural ODE.

Hanson & Raginsky (2025), *Expressivity of Quadratic Neural ODEs*, show that
piecewise-constant quadratic vector fields reproduce deep feedforward networks:
alternate an affine segment (a linear map of frozen registers) with a segment
that runs a quadratic activation circuit.  :class:`NetworkEmulator` builds that
program as an analog circuit with fixed wiring (integrators, adders,
multipliers, gains, one constant) and a schedule of segments.

Per hidden layer ℓ with pre-activation ``a = W_ℓ h + b_ℓ`` (h frozen):

* tanh: load ``z' = a``; run ``u' = z - u v``, ``v' = z² - v²`` from 0, so
  ``u = tanh z`` after one unit of time (the lifting v = z u of the cubic
  u' = z(1 - u²));
* logistic: load ``z' = a``, ``p' = ½``, ``r' = a/2`` (in the same segment,
  since a only reads frozen registers); run ``p' = r - r p``, ``r' = z r - r²``,
  so ``p = σ(z)``;
* ReLU through a surrogate: swish ``z σ(βz)`` (the logistic circuit with gain
  β, ``p' = β(r - r p)``, ``r' = β(z r - r²)``, which leaves ``p = σ(βz)`` and
  ``r = z p``, the swish itself) or softplus ``(1/β) ln(1 + e^{βz})`` (one more
  register, loaded with ln2/β and then ``s' = r``, because
  d/dt ln(1 + e^{βzt}) / β = z σ(βzt)).

The last layer is linear: one affine segment into the output registers
``y0 .. y{m-1}`` (the paper's readout).  Inputs are held integrators
``x0 .. x{d-1}``; every other register starts at 0, as in the paper's model.

Layouts, widths W (integrators) and depths D (segments) for L hidden layers of
widths n_ℓ, input dimension d, m outputs:

* ``"fresh"``: new registers for every layer; W = d + 3Σn_ℓ + m (4Σn_ℓ for
  softplus), D = 2L + 1.
* ``"reuse"``: one set of scratch units (z, u, v or z, p, r) shared by all
  layers, plus a persistent output register per unit (two for swish and
  softplus, which keep a copy of the gate p): W = d + 3·max n_ℓ + Σn_ℓ + m
  (+Σn_ℓ for swish, softplus), D = 5L + 1.  After the affine and activation
  segments the output is copied (h' = u), then the scratch is cancelled
  *algebraically* with segments whose sources are frozen: v -= z·u (v = z u
  exactly), then u -= h and z -= W h + b (r -= z·p, p -= copy, z -= a for the
  logistic family).  Each of these segments integrates a constant, which the
  solver does exactly, so the scratch returns to 0 up to rounding and to the
  solver's error in the identity v = z u (about 1e-15 for tanh at the
  default tolerances).  Steep surrogates run at the explicit solver's
  stability limit, where that error is the per-step allowance of one state,
  √N·(atol + rtol·|z|) for N states in the run, carried from step to step:
  1.7e-8 for softplus at β = 50 on a batch of 26 inputs (N = 442).

  The uncompute never replays the activation segment backwards: the reversed
  Riccati flow u' = -(z - u v) is unstable (the forward flow contracts onto
  u = tanh z, so the backward flow expands every solver error), which left a
  scratch residue of 4e-6 at DOP853 rtol 1e-10 and 5e-2 at RK45 rtol 1e-6 on
  a 3-8-8-8-1 network, polluting every later layer.

Negated and alternative fields are programmed with fixed wiring: a register
driven by more than one field gets one gain per field, named
``"<register>.<field>"`` (e.g. ``"z_0.aff1"``, ``"u_1.run"``,
``"u_1.clear2"``), and each segment's ``settings`` sets every such
potentiometer to +1 or -1 for the field the register runs in that segment and
to 0 otherwise, like a hybrid computer's digitally set potentiometers.  The
mapping is in :attr:`NetworkEmulator.potentiometers`.

Accuracy: tanh and logistic are computed exactly by the flow, so the only
error is the solver's (about 1e-11 at DOP853 rtol 1e-10).  The ReLU surrogates
differ from ReLU by at most 0.27846/β (swish) or ln2/β (softplus) per unit;
:meth:`NetworkEmulator.error_bound` propagates those gaps through the later
layers (a telescoping sum over the layers).

Memory: a vectorised run keeps the solver's dense output for every step, about
17 numbers per register, input and step with DOP853 (some 2 GB for 1000 inputs
of a 3-16-16-16-1 network); ``batch_size`` splits very large batches.

Examples
--------
The 2-2-2-1 tanh network of the construction checklist:

>>> import numpy as np
>>> from circuits.feedforward import NetworkEmulator
>>> layers = [(np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([0.1, -0.3])),
...           (np.array([[2.0, -1.0], [1.0, 1.0]]), np.array([0.0, 0.2])),
...           (np.array([[1.5, -0.5]]), np.array([0.05]))]
>>> net = NetworkEmulator(layers)
>>> net.width, net.depth
(15, 5)
>>> round(float(net(np.array([0.4, -0.6]))[0]), 9)
1.285818699
>>> reuse = NetworkEmulator(layers, layout="reuse")
>>> reuse.width, reuse.depth
(13, 11)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from analyzer import Trajectory, simulate
from analyzer.schedule import compile_schedule
from circuits.feedforward_layout import (
    SWISH_GAP,
    activation_function,
    assemble,
    check_layers,
    choice,
    fresh_plan,
    relu_gap,
    reuse_plan,
)

ACTIVATIONS = ("tanh", "logistic", "relu")
SURROGATES = ("swish", "softplus")
LAYOUTS = ("fresh", "reuse")


class NetworkEmulator:
    """A feedforward network run as a scheduled quadratic circuit.

    Parameters
    ----------
    layers : list of (W, b)
        Weights (n_out × n_in) and biases (n_out,) of each layer.  The
        activation follows every layer but the last, which is linear.
    activation : {"tanh", "logistic", "relu"}
        The hidden activation.  ReLU is not the flow of any analytic field,
        so it is computed through ``surrogate``.
    surrogate : {"swish", "softplus"}, keyword-only
        For ``activation="relu"``: x σ(βx) or (1/β) ln(1 + e^{βx}).
    beta : float, keyword-only
        Steepness of the surrogate (default 50): gaps 0.2785/β and ln2/β.
    layout : {"fresh", "reuse"}, keyword-only
        Fresh registers for every layer, or shared scratch units uncomputed
        algebraically after every layer (see the module docstring).

    Attributes
    ----------
    circuit : Circuit
        The wiring: integrators ``x0..`` (inputs, held), the registers of
        every layer, ``y0..`` (outputs), adders, multipliers, potentiometers.
    schedule : list of Segment
        The program, one unit of time per segment.
    program : Program
        The schedule compiled once; every call reuses it.
    width, depth : int
        W (number of integrators) and D (number of segments).
    scratch : tuple of str
        The registers that the reuse layout returns to 0 (empty for "fresh").
    potentiometers : dict
        Gain name -> the register it drives (its field is the name's suffix).

    Examples
    --------
    A ReLU network through swish, within its error bound:

    >>> import numpy as np
    >>> layers = [(np.array([[1.0], [-1.0]]), np.array([0.0, 0.5])),
    ...           (np.array([[1.0, 2.0]]), np.array([0.0]))]
    >>> net = NetworkEmulator(layers, "relu", surrogate="swish", beta=50.0)
    >>> X = np.array([[0.3], [-0.2]])
    >>> error = np.abs(net(X) - net.reference(X))[:, 0]
    >>> bool(np.all(error <= net.error_bound(X) + 1e-9)), net.error_bound() < 0.02
    (True, True)
    """

    def __init__(
        self,
        layers: Sequence[tuple[Any, Any]],
        activation: str = "tanh",
        *,
        surrogate: str = "swish",
        beta: float = 50.0,
        layout: str = "fresh",
    ) -> None:
        self.layers = check_layers(layers)
        self.activation = choice("activation", activation, ACTIVATIONS)
        self.surrogate = choice("surrogate", surrogate, SURROGATES)
        self.layout = choice("layout", layout, LAYOUTS)
        real = isinstance(beta, numbers.Real) and not isinstance(beta, bool)
        if not (real and math.isfinite(beta) and beta > 0):
            raise ValueError(f"beta must be a positive finite number, got {beta!r}")
        self.beta = float(beta)
        self.d = self.layers[0][0].shape[1]
        self.m = self.layers[-1][0].shape[0]
        kind = self.surrogate if self.activation == "relu" else self.activation
        self.kind = kind
        planner = (
            fresh_plan if layout == "fresh" or len(self.layers) == 1 else reuse_plan
        )
        steep = self.beta if activation == "relu" else 1.0
        plan = planner(self.layers, kind, steep)
        self.circuit, self.schedule, self.potentiometers = assemble(plan)
        self.program = compile_schedule(self.circuit, self.schedule)
        self.scratch = tuple(r for r, g in plan.groups.items() if g == "scratch")
        self.inputs = tuple(f"x{j}" for j in range(self.d))
        self.outputs = tuple(f"y{k}" for k in range(self.m))

    def __repr__(self) -> str:
        sizes = "-".join(
            str(n) for n in [self.d] + [W.shape[0] for W, _ in self.layers]
        )
        act = self.activation + (
            f" via {self.surrogate} (beta={self.beta:g})"
            if self.activation == "relu"
            else ""
        )
        return (
            f"NetworkEmulator({sizes}, {act}, layout={self.layout!r}, "
            f"W={self.width}, D={self.depth})"
        )

    @property
    def width(self) -> int:
        """W: the number of integrators (registers), inputs and outputs included."""
        return self.program.width

    @property
    def depth(self) -> int:
        """D: the number of segments of the program."""
        return self.program.depth

    def _inputs(self, X: Any) -> tuple[np.ndarray, bool]:
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                "X must be a numeric array of shape (d,) or (B, d)"
            ) from None
        single = X.ndim == 1
        if X.ndim not in (1, 2) or X.shape[-1] != self.d or X.size == 0:
            raise ValueError(
                f"X must have shape ({self.d},) or (B, {self.d}) for this network "
                f"(d = {self.d} inputs); got shape {X.shape}"
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("X must be finite; it has nan or inf entries")
        return np.atleast_2d(X), single

    def run(
        self,
        X: Any,
        *,
        rtol: float = 1e-10,
        atol: float = 1e-12,
        method: str = "DOP853",
        t_eval: Any = None,
    ) -> Trajectory:
        """Simulate the program for the inputs X in one vectorised run.

        Parameters
        ----------
        X : array_like, shape (d,) or (B, d)
            Inputs, loaded into the held integrators ``x0 .. x{d-1}``.
        rtol, atol, method
            Passed to :func:`analyzer.simulate`.
        t_eval : array_like, optional
            Report times; by default only the end of the program.

        Returns
        -------
        Trajectory
            Every register and block; signals have a leading axis of length B
            when X has shape (B, d).

        Examples
        --------
        >>> net = NetworkEmulator(
        ...     [(np.array([[2.0]]), np.array([0.0])), (np.array([[1.0]]), np.zeros(1))],
        ...     layout="reuse",
        ... )
        >>> traj = net.run(np.array([0.5]))
        >>> round(float(traj["h1_0"][-1]), 10), float(abs(traj["u_0"][-1])) < 1e-12
        (0.761594156, True)
        """
        X, single = self._inputs(X)
        initial = {
            name: (X[0, j] if single else X[:, j]) for j, name in enumerate(self.inputs)
        }
        times = [self.program.duration] if t_eval is None else t_eval
        return simulate(
            self.circuit,
            None,
            schedule=self.program,
            initial=initial,
            t_eval=times,
            method=method,
            rtol=rtol,
            atol=atol,
            dense_output=t_eval is not None,  # only the end: keep nothing else
        )

    def __call__(
        self,
        X: Any,
        rtol: float = 1e-10,
        atol: float = 1e-12,
        method: str = "DOP853",
        *,
        batch_size: int | None = None,
    ) -> np.ndarray:
        """The network's output, from a simulation of the circuit.

        Parameters
        ----------
        X : array_like, shape (d,) or (B, d)
            Inputs.
        rtol, atol, method
            Solver settings, passed to :func:`analyzer.simulate`.
        batch_size : int, optional
            All B inputs run in one vectorised simulation, or in runs of at
            most ``batch_size`` inputs when it is given (to bound the memory).

        Returns
        -------
        ndarray, shape (m,) or (B, m)

        Raises
        ------
        ValueError
            If X does not have d columns or is not finite.
        """
        X, single = self._inputs(X)
        if batch_size is not None and not (
            isinstance(batch_size, numbers.Integral) and batch_size > 0
        ):
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r}"
            )
        options = {"rtol": rtol, "atol": atol, "method": method}
        if single:
            return self._final(X[0], options)
        step = batch_size or len(X)
        # one run at a time: each trajectory is dropped before the next starts
        parts = [self._final(X[i : i + step], options) for i in range(0, len(X), step)]
        return np.concatenate(parts)

    def _final(self, X: np.ndarray, options: dict) -> np.ndarray:
        traj = self.run(X, **options)
        return np.stack([np.asarray(traj[y])[..., -1] for y in self.outputs], axis=-1)

    def reference(self, X: Any, *, surrogate: bool = False) -> np.ndarray:
        """The numpy forward pass, shape (m,) or (B, m) like the call.

        With the true activation (tanh, logistic or ReLU), or, with
        ``surrogate=True``, with the function the circuit computes exactly
        (swish or softplus for ReLU).
        """
        X, single = self._inputs(X)
        name = self.kind if surrogate else self.activation
        f = activation_function(name, self.beta)
        h = X
        for W, b in self.layers[:-1]:
            h = f(h @ W.T + b)
        W, b = self.layers[-1]
        out = h @ W.T + b
        return out[0] if single else out

    def error_bound(self, X: Any = None) -> Any:
        """Bound on max_k |output_k - ReLU network_k| due to the surrogate.

        Returns a float, or an array of shape (B,) for X of shape (B, d).  The
        telescoping bound Σ_ℓ δ_ℓ Π_{k>ℓ} Λ_k in the ℓ∞ norm: δ_ℓ is the
        largest gap between surrogate and ReLU over the units of hidden layer ℓ
        and Λ_k = ‖W_k‖_∞ (max absolute row sum) times Lip(ReLU) = 1.  Without
        X, δ_ℓ is the worst case (0.27846/β for swish, ln2/β for softplus) and
        the bound is one number; with X, δ_ℓ is the gap at the pre-activations
        the surrogate network reaches for each input, an array of shape (B,)
        (or a number for X of shape (d,)).  Solver error (about 1e-10 at the
        default tolerances) comes on top.  Zero for tanh and logistic, which
        the circuit computes exactly.
        """
        norms = [np.abs(W).sum(axis=1).max() for W, _ in self.layers]
        later = [math.prod(norms[k + 1 :]) for k in range(len(self.layers) - 1)]
        if X is None:
            if self.activation != "relu":
                return 0.0
            worst = SWISH_GAP if self.surrogate == "swish" else math.log(2.0)
            return worst / self.beta * math.fsum(later)
        X, single = self._inputs(X)
        bound = np.zeros(X.shape[0])
        if self.activation == "relu":
            f, gap = (
                activation_function(self.kind, self.beta),
                relu_gap(self.kind, self.beta),
            )
            h = X
            for (W, b), factor in zip(self.layers[:-1], later, strict=True):
                z = h @ W.T + b
                bound += gap(z).max(axis=1) * factor
                h = f(z)
        return float(bound[0]) if single else bound
