"""Smooth functions on [0, 1]^d: a partition of unity times local Taylor polynomials.

Hanson & Raginsky, "Expressivity of Quadratic Neural ODEs" (arXiv:2504.09385),
show that a quadratic neural ODE with W = O(ε^{-1/n}) states and
D = O(ε^{-(d+1)/n}) segments approximates every f in the unit ball of the
Sobolev space W^{n,∞}([0, 1]^d) within ε, by adapting Yarotsky's deep-ReLU
construction: local Taylor polynomials stitched by a partition of unity.  The
paper's own formulas could not be consulted; this is a smooth reconstruction
that meets the stated rates, checked numerically (see docs/neural_odes.md).

Partition of unity (breakpoints a_k = (k - 1/2)/N, steepness β = γN)::

    S_k(x) = σ(β(x - a_k)),  k = 1..N;   S_0 ≡ 1,  S_{N+1} ≡ 0
    ψ_k = S_k - S_{k+1},  k = 0..N;      Σ_k ψ_k ≡ 1 (telescoping, exactly)
    ψ_m(x) = Π_j ψ_{m_j}(x_j)            (d dimensions)

Approximant, with P_m the Taylor polynomial of degree n - 1 of f at m/N::

    f̂(x) = Σ_m ψ_m(x) P_m(x),    sup |f - f̂| <= (d^n / n!) c_{γ,n} N^{-n}

when every n-th derivative of f is at most 1 in size; c_{γ,n} is
sup_u Σ_k ψ_k(u/N) |u - k|^n (tends to 2^{-n} as γ grows).

The program (every segment one time unit; registers not named hold)::

    init       p' = 1/2,  r' = (β/2)(x_j - a_k),  degree-2 monomials
    logistic   p' = r - r p,  r' = β x_j r - β a_k r - r²   => p = S_k(x_j)
    (n > 4)    one segment per further monomial degree
    d = 1:     out' = Σ_i L_i x^i,   L_i = Σ_k c_{k,i} ψ_k(x)
    d = 2:     for m2 = 0..N:  G_β' = ψ_{m2}(x2) x^β;
               out' = Σ_β L_β G_β with L_β = Σ_k c_{(k,m2),β} ψ_k(x1);
               G_β' = -ψ_{m2}(x2) x^β (uncompute: frozen sources, not a replay)

c_{m,β} is the x^β coefficient of P_m, and the x^β are monomial registers.
The bumps and coefficients enter through gains set per segment (``settings``,
a hybrid computer's digital potentiometers), so the wiring is fixed.  Counts:
W = 2N + max(n, 2) and D = max(3, n - 1) for d = 1 (19 and 3 at N = 8, n = 3);
W = 4N + 12 and D = 3(N + 1) + 2 for d = 2, n = 3 (44 and 29 at N = 8).  The
temporaries G return to 0 up to rounding: their segments integrate constants.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache, cached_property
from itertools import combinations_with_replacement, product
from typing import Any

import numpy as np
from scipy.special import expit

from analyzer.circuit import Circuit
from analyzer.schedule import Program, Segment, compile_schedule
from analyzer.simulate import simulate
from analyzer.trajectory import Trajectory

__all__ = ["SineRidge", "SobolevApproximant", "partition_constant"]


@cache
def partition_constant(gamma: float, n: int) -> float:
    """c_{γ,n} = sup_u Σ_k ψ_k(u) |u - k|^n for the bumps of steepness γ per cell.

    With x = u/N and β = γN the sum over the N + 1 bumps on [0, 1] is at most
    this sum over all integers k (the end bumps ψ_0 and ψ_N gather the missing
    ones, which lie farther away), so the bound holds for every N.

    Examples
    --------
    >>> round(partition_constant(4.0, 3), 4), round(partition_constant(16.0, 1), 4)
    (0.2748, 0.5)
    """
    k = np.arange(-int(60 / gamma) - 4 * n - 10, int(60 / gamma) + 4 * n + 11)

    def sums(u: np.ndarray) -> np.ndarray:
        # σ(a) - σ(b) = σ(a) σ(-b) (1 - e^{b-a}): no cancellation in the far tails
        u = u[:, None]
        bump = expit(gamma * (u - k + 0.5)) * expit(-gamma * (u - k - 0.5))
        return np.sum(bump * np.abs(u - k) ** n, axis=1) * -math.expm1(-gamma)

    coarse = np.linspace(0.0, 0.5, 501)  # the sum is 1-periodic and even in u
    best = coarse[np.argmax(sums(coarse))]
    fine = np.linspace(max(best - 1e-3, 0.0), min(best + 1e-3, 0.5), 2001)
    return float(np.max(sums(fine)))


class SineRidge:
    """f(x) = scale · sin(w·x + phase) with its exact derivatives.

    ``D^α f = scale · Π w_j^{α_j} · sin(w·x + phase + |α| π/2)``, so with
    ``max|w_j|^n · scale <= 1`` f lies in the unit ball of W^{n,∞}.

    Examples
    --------
    >>> f = SineRidge(1 / 8, (2.0,), 1.0)          # (1/8) sin(2x + 1)
    >>> round(f.derivative(0.3, 3), 12), round(-math.cos(1.6), 12)  # f'''(x) = -cos(2x + 1)
    (0.029199522301, 0.029199522301)
    >>> round(float(f(0.3)), 12)
    0.12494670038
    """

    def __init__(self, scale: float, weights: Sequence[float], phase: float = 0.0):
        self.scale, self.phase = float(scale), float(phase)
        self.weights = np.asarray(weights, dtype=float)

    def __call__(self, X: Any) -> np.ndarray:
        """f at points X: shape (m,) in 1-D, (m, d) in d dimensions."""
        X = np.asarray(X, dtype=float)
        X = X[..., None] if len(self.weights) == 1 else X
        return self.scale * np.sin(X @ self.weights + self.phase)

    def derivative(self, x: Any, alpha: Any) -> float:
        """D^alpha f(x); ``x`` and ``alpha`` are numbers in 1-D, tuples otherwise."""
        x, alpha = np.atleast_1d(x).astype(float), np.atleast_1d(alpha)
        angle = float(self.weights @ x) + self.phase + alpha.sum() * math.pi / 2
        return self.scale * float(np.prod(self.weights**alpha)) * math.sin(angle)


def _monomial(beta: tuple[int, ...], coords: Sequence[str]) -> str:
    """A readable name for x^β: ``1``, ``x``, ``x^2``, ``x1x2``."""
    parts = [
        c if e == 1 else f"{c}^{e}" for c, e in zip(coords, beta, strict=True) if e
    ]
    return "".join(parts) or "1"


def _taylor_tables(derivative: Callable, exponents: list, N: int, d: int) -> tuple:
    """D^α f(m/N)/α! and the x^β coefficients of P_m, both shaped (N+1,)*d + (|α|,)."""
    shape = (N + 1,) * d + (len(exponents),)
    taylor, coefficients = np.zeros(shape), np.zeros(shape)
    for m in product(range(N + 1), repeat=d):
        point = m[0] / N if d == 1 else tuple(k / N for k in m)
        for a, alpha in enumerate(exponents):
            order = alpha[0] if d == 1 else alpha
            scale = math.prod(math.factorial(e) for e in alpha)
            taylor[(*m, a)] = float(derivative(point, order)) / scale
        for (a, alpha), (b, beta) in product(enumerate(exponents), repeat=2):
            # (x - m/N)^α contributes to x^β when β <= α
            if all(e <= f for e, f in zip(beta, alpha, strict=True)):
                binomials = math.prod(
                    math.comb(f, e) * (-k / N) ** (f - e)
                    for e, f, k in zip(beta, alpha, m, strict=True)
                )
                coefficients[(*m, b)] += taylor[(*m, a)] * binomials
    return taylor, coefficients


def _feed(c: Circuit, a: str, b: str, target: str) -> None:
    """Wire target' += a·b through a multiplier (just a when b is the constant 1)."""
    if b != "one":
        c.multiplier(f"{a}*{b}")
        c.connect(a, f"{a}*{b}", port="a")
        c.connect(b, f"{a}*{b}", port="b")
        a = f"{a}*{b}"
    c.connect(a, target)


class SobolevApproximant:
    """The partition-of-unity × Taylor approximant as a circuit with a program.

    Parameters
    ----------
    derivative : callable or object with a ``derivative`` method
        ``derivative(x, alpha)`` returns D^alpha f(x): in 1-D ``x`` is a float
        and ``alpha`` an int (the order); in 2-D both are tuples.  It is asked
        only at the grid points m/N, for orders below n.
    n : int
        Smoothness order: the local polynomials have degree n - 1 and the
        error falls like N^{-n}.
    N : int
        Grid cells per axis (N + 1 bumps per axis).
    gamma : float
        Steepness per cell: β = γN.  γ >= 4 keeps c_{γ,n} near its limit
        2^{-n} for n <= 3 (see :func:`partition_constant`).
    d : {1, 2}
        Input dimension.

    Attributes
    ----------
    circuit : Circuit
        Inputs ``x`` (1-D) or ``x1, x2`` (2-D); steps ``p<k>`` (``p<j>_<k>``)
        with their lifts ``r…``; monomials such as ``x^2``; temporaries
        ``G[…]`` (2-D); the output register ``out``.
    schedule : list of Segment
        The program, every segment one time unit.
    taylor, coefficients : ndarray
        D^α f(m/N)/α! and the x^β coefficients of P_m, shape (N+1,)*d + (K,)
        over the K multi-indices ``exponents`` of degree below n.

    Examples
    --------
    >>> f = SineRidge(1 / 8, (2.0,), 1.0)             # (1/8) sin(2x + 1)
    >>> approx = SobolevApproximant(f, n=3, N=8, gamma=4.0)
    >>> approx.width, approx.depth
    (19, 3)
    >>> y = approx([0.3])                              # one vectorised run

    Within rtol 1e-10 × G 10 of the formula (measured 2e-16); the 8th digit is
    2.4e-9 from a rounding edge:

    >>> round(float(y[0]), 8), float(abs(y - approx.formula([0.3]))[0]) < 1e-9
    (0.12496318, True)
    >>> bool(abs(y[0] - f(0.3)) <= approx.bound())
    True
    """

    def __init__(
        self, derivative: Callable | Any, n: int, N: int, gamma: float = 4.0, d: int = 1
    ) -> None:
        problems = [
            f"{name} must be an integer >= 1, got {value!r}"
            for name, value in (("n", n), ("N", N))
            if not isinstance(value, int | np.integer)
            or isinstance(value, bool)
            or value < 1
        ]
        if not (isinstance(gamma, int | float) and math.isfinite(gamma) and gamma > 0):
            problems.append(f"gamma must be a positive finite number, got {gamma!r}")
        if d not in (1, 2):
            problems.append(f"d must be 1 or 2 (the dimensions built here), got {d!r}")
        derivative = getattr(derivative, "derivative", derivative)
        if not callable(derivative):
            problems.append(
                "pass derivative(x, alpha) -> D^alpha f(x), or an object with such a method"
            )
        if problems:
            raise ValueError("SobolevApproximant: " + "; ".join(problems))
        self.n, self.N, self.gamma, self.d = int(n), int(N), float(gamma), d
        self.beta = self.gamma * self.N
        self.coords = ("x",) if d == 1 else ("x1", "x2")
        self.exponents = [
            tuple(combo.count(j) for j in range(d))
            for degree in range(n)
            for combo in combinations_with_replacement(range(d), degree)
        ]
        self.taylor, self.coefficients = _taylor_tables(
            derivative, self.exponents, N, d
        )
        self.circuit = self._circuit()
        self.schedule = self._program()

    # ----- the circuit and its program ----------------------------------------

    def _step(self, j: int, k: int) -> tuple[str, str]:
        """The registers p = S_k(x_j) and its lift r = β(x_j - a_k) p."""
        tag = f"{k}" if self.d == 1 else f"{j + 1}_{k}"
        return f"p{tag}", f"r{tag}"

    def _source(self, beta: tuple[int, ...]) -> str:
        """The block carrying x^β: the constant, an input, or a monomial register."""
        if sum(beta) <= 1:
            return "one" if sum(beta) == 0 else self.coords[beta.index(1)]
        return _monomial(beta, self.coords)

    def _register(self, c: Circuit, name: str, group: str) -> str:
        c.integrator(name)
        c.graph.nodes[name]["group"] = group
        return name

    def _circuit(self) -> Circuit:
        N, c = self.N, Circuit()
        c.constant("one", value=1.0)
        for x in self.coords:
            self._register(c, x, "input")
        c.gain("p.load", k=0.0)  # p' = 1/2 in the init segment, for every step
        c.connect("one", "p.load")
        for (j, x), k in product(enumerate(self.coords), range(1, N + 1)):
            p, r = (self._register(c, name, "steps") for name in self._step(j, k))
            c.connect("p.load", p)
            c.adder(f"{r}.zeta")  # ζ = β(x - a_k)
            c.connect(x, f"{r}.zeta", weight=self.beta)
            c.connect("one", f"{r}.zeta", weight=-self.beta * (k - 0.5) / N)
            c.gain(f"{r}.load", k=0.0)  # r' = ζ/2 in the init segment
            c.connect(f"{r}.zeta", f"{r}.load")
            c.connect(f"{r}.load", r)
            c.adder(f"{r}.gap")  # r' = r (ζ - r) in the logistic segment
            c.connect(f"{r}.zeta", f"{r}.gap")
            c.connect(r, f"{r}.gap", weight=-1.0)
            c.adder(f"{p}.gap")  # p' = r (1 - p)
            c.connect("one", f"{p}.gap")
            c.connect(p, f"{p}.gap", weight=-1.0)
            for register in (p, r):
                c.gain(f"{register}.run", k=0.0)
                _feed(c, r, f"{register}.gap", f"{register}.run")
                c.connect(f"{register}.run", register)
        for beta in self.exponents:  # x^β = x^(β - e_i) · x_i, one degree a segment
            if sum(beta) >= 2:
                i = next(i for i, e in enumerate(beta) if e)
                lower = tuple(e - (i == j) for j, e in enumerate(beta))
                mono = self._register(c, self._source(beta), f"degree{sum(beta)}")
                _feed(c, self._source(lower), self.coords[i], mono)
        if self.d == 2:
            self._bump_sum(c, "psi", 1)
        c.integrator("out")
        for beta in self.exponents:
            mono = _monomial(beta, self.coords)
            if self.d == 1:  # out' = Σ_β L_β x^β
                _feed(c, self._bump_sum(c, f"L[{mono}]", 0), self._source(beta), "out")
                continue
            G = self._register(c, f"G[{mono}]", "temporaries")
            _feed(c, "psi", self._source(beta), G)  # G_β' = ±ψ_{m2}(x2) x^β
            _feed(c, self._bump_sum(c, f"L[{mono}]", 0), G, "out")
        return c

    def _bump_sum(self, c: Circuit, name: str, j: int) -> str:
        """An adder w_0 + Σ_k w_k p_{j,k} whose weights are gains set per segment."""
        c.adder(name)
        for k in range(self.N + 1):
            c.gain(f"{name}:{k}", k=0.0)
            c.connect("one" if k == 0 else self._step(j, k)[0], f"{name}:{k}")
            c.connect(f"{name}:{k}", name)
        return name

    def _weights(self, name: str, values: Any, sign: float = 1.0) -> dict:
        """Settings making the adder ``name`` equal Σ_k values[k] ψ_k, k = 0..N."""
        w = sign * np.asarray(values)  # ψ_k = p_k - p_{k+1}, p_0 = 1, p_{N+1} = 0
        weights = np.append(w[0], np.diff(w))
        return {f"{name}:{k}": {"k": float(v)} for k, v in enumerate(weights)}

    def _program(self) -> list[Segment]:
        steps = [self._step(j, k) for j in range(self.d) for k in range(1, self.N + 1)]

        def gates(load: float) -> dict:
            on = {f"{r}.load": {"k": load / 2} for _, r in steps}
            on |= {f"{reg}.run": {"k": 1.0 - load} for step in steps for reg in step}
            return {"p.load": {"k": load / 2}, **on}

        degrees = sorted({sum(b) for b in self.exponents if sum(b) >= 2})
        first = [f"degree{g}" for g in degrees if g == 2]
        second = [f"degree{g}" for g in degrees if g == 3]
        schedule = [
            Segment(1.0, ["steps", *first], "init", gates(1.0)),
            Segment(1.0, ["steps", *second], "logistic", gates(0.0)),
            *(Segment(1.0, [f"degree{g}"], f"degree {g}") for g in degrees if g > 3),
        ]
        monos = [_monomial(b, self.coords) for b in self.exponents]
        if self.d == 1:
            settings = {}
            for i, mono in enumerate(monos):
                settings |= self._weights(f"L[{mono}]", self.coefficients[:, i])
            return [*schedule, Segment(1.0, ["out"], "accumulate", settings)]
        for m2 in range(self.N + 1):
            bump = np.eye(self.N + 1)[m2]  # ψ_{m2}(x2) = Σ_k [k = m2] ψ_k(x2)
            settings = {}
            for i, mono in enumerate(monos):
                settings |= self._weights(f"L[{mono}]", self.coefficients[:, m2, i])
            schedule += [
                Segment(1.0, ["temporaries"], f"G {m2}", self._weights("psi", bump)),
                Segment(1.0, ["out"], f"accumulate {m2}", settings),
                Segment(1.0, ["temporaries"], f"uncompute G {m2}",
                        self._weights("psi", bump, -1.0)),
            ]  # fmt: skip
        return schedule

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

    # ----- evaluation -----------------------------------------------------------

    def _points(self, X: Any) -> np.ndarray:
        """Inputs as an (m, d) array, refused unless every point lies in [0, 1]^d."""
        X = np.asarray(X, dtype=float)
        if self.d > 1 and (X.ndim == 0 or X.shape[-1] != self.d):
            raise ValueError(
                f"SobolevApproximant: inputs must have shape (m, {self.d}); got {X.shape}"
            )
        points = X.reshape(-1, self.d)
        bad = ~np.all((points >= 0.0) & (points <= 1.0), axis=1)  # NaN is bad too
        if bad.any():
            shown = ", ".join(
                str(p.tolist() if self.d > 1 else p[0]) for p in points[bad][:5]
            )
            raise ValueError(
                f"SobolevApproximant: inputs must lie in [0, 1]^{self.d}, where the "
                f"approximation holds; got {shown}. Rescale them into the unit cube."
            )
        return points

    def run(self, X: Any, **solver: Any) -> Trajectory:
        """Simulate the program for a batch of inputs, in one vectorised solve.

        ``solver`` passes ``method``, ``rtol`` and ``atol`` to :func:`simulate`
        (default DOP853 at 1e-10 and 1e-12).  ``traj[register][:, -1]`` is a
        register's (integrator's) final value for each input, in the order
        of ``X``.
        """
        points = self._points(X)
        initial = {x: points[:, j] for j, x in enumerate(self.coords)}
        options = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12, **solver}
        return simulate(
            self.circuit, None, schedule=self.program, initial=initial, **options
        )

    def __call__(self, X: Any, **solver: Any) -> np.ndarray:
        """f̂ at X (shape (m,) in 1-D, (m, 2) in 2-D) computed by the circuit.

        Raises ValueError, before simulating, for inputs outside [0, 1]^d.
        """
        shape = np.shape(X)[: np.ndim(X) - (self.d > 1)]
        if self._points(X).size == 0:
            return np.empty(shape)
        lean = {"t_eval": [self.program.duration], "dense_output": False, **solver}
        return self.run(X, **lean)["out"][:, -1].reshape(shape)

    def bumps(self, traj: Trajectory, j: int = 0) -> np.ndarray:
        """ψ_k(x_j), k = 0..N, from a run's step registers: shape (N + 1, m).

        Examples
        --------
        >>> approx = SobolevApproximant(SineRidge(1 / 8, (2.0,), 1.0), n=3, N=4)
        >>> psi = approx.bumps(approx.run([0.37]))
        >>> psi.shape, round(float(psi.sum()), 12), int(psi.argmax())  # nearest 1/4
        ((5, 1), 1.0, 1)
        """
        steps = [traj[self._step(j, k)[0]][:, -1] for k in range(1, self.N + 1)]
        S = np.vstack([np.ones_like(steps[0]), *steps, np.zeros_like(steps[0])])
        return S[:-1] - S[1:]

    def formula(self, X: Any) -> np.ndarray:
        """f̂(X) evaluated directly with numpy, in Taylor form (no ODE).

        Examples
        --------
        >>> approx = SobolevApproximant(SineRidge(1 / 8, (2.0,), 1.0), n=3, N=4)
        >>> bool(abs(approx.formula(0.3) - approx(0.3)) < 1e-9)  # rtol 1e-10 × G 10
        True
        """
        points = self._points(X)
        grid = np.arange(self.N + 1) / self.N
        factors = []  # ψ_{m_j}(x_j) (x_j - m_j/N)^e, shape (N+1, n, points)
        for x in points.T:
            S = expit(self.beta * (x - grid[1:, None] + 0.5 / self.N))
            S = np.vstack([np.ones_like(x), S, np.zeros_like(x)])
            powers = (x - grid[:, None])[:, None, :] ** np.arange(self.n)[:, None]
            factors.append((S[:-1] - S[1:])[:, None, :] * powers)
        axes = "abcdefgh"[: self.d]
        spec = f"{axes},{','.join(f'{a}z' for a in axes)}->z"
        total = np.zeros(len(points))
        for a, alpha in enumerate(self.exponents):
            operands = [factor[:, e] for factor, e in zip(factors, alpha, strict=True)]
            total += np.einsum(spec, self.taylor[..., a], *operands)
        return total.reshape(np.shape(X)[: np.ndim(X) - (self.d > 1)])

    def bound(self, seminorm: float = 1.0) -> float:
        """The guaranteed sup error (d^n / n!) c_{γ,n} N^{-n} · seminorm.

        ``seminorm`` bounds every |D^α f| with |α| = n (1 in the unit ball).

        Examples
        --------
        >>> round(SobolevApproximant(SineRidge(1 / 8, (2.0,)), n=3, N=8).bound(), 7)
        8.95e-05
        """
        n, d = self.n, self.d
        constant = partition_constant(self.gamma, n)
        return seminorm * d**n / math.factorial(n) * constant * float(self.N) ** -n
