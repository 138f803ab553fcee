"""The one IR: a quadratic ODE system y' = b + A y + Q(y, y), frozen and checked.

Every stage after the compiler consumes this object and nothing else.  The
quadratic part is a list of canonical terms (i, j, k, c) with j <= k, meaning
``y_i' += c * y_j * y_k``, merged and sorted by (i, j, k).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from analyzer.functions import FunctionState, complete
from analyzer.polynomial import Monomial, evaluate_monomial
from analyzer.readout import Readout

try:  # the kernel behind csr @ vector, without the ~10 µs of dispatch around it
    from scipy.sparse._sparsetools import csr_matvec as _csr_matvec
except ImportError:  # pragma: no cover - a future scipy may move it
    _csr_matvec = None


def _matvec_add(matrix: sparse.csr_matrix, x: np.ndarray, out: np.ndarray) -> None:
    """out += matrix @ x for a CSR matrix; the hot path of every rhs call."""
    if _csr_matvec is None:  # pragma: no cover
        out += matrix @ x
        return
    rows, cols = matrix.shape
    _csr_matvec(rows, cols, matrix.indptr, matrix.indices, matrix.data, x, out)


def _frozen(a: Any, dtype: Any) -> np.ndarray:
    out = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class QuadraticSystem:
    r"""A quadratic ODE system, the compiler's output and the simulator's input.

    .. math:: y_i' = b_i + \sum_j A_{ij} y_j + \sum_{(i,j,k,c)} c\, y_j y_k

    Parameters
    ----------
    names : tuple of str
        State names: integrators first, then the clock ``t`` (if the circuit
        uses time), then the states of function blocks (named by the block),
        then lifted states named by their monomial (``x*v``).
    y0 : array (n,)
        Initial state at time ``t0``.
    b : array (n,)
        Constant part.
    A : sparse (n, n)
        Linear part.
    I, J, K, C : arrays (p,)
        Quadratic terms ``y_I' += C * y_J * y_K`` with ``J <= K``, sorted by
        (I, J, K) and merged, so the representation is canonical.
    monomials : tuple
        Each state as a monomial of the core states (a core state is itself).
    n_base : int
        How many states are integrators or the clock; the states function
        blocks introduced (``functions``) follow them, then the lifted ones.
    outputs : Readout
        How every block's signal is read from the base states.
    t0 : float
        The time ``y0`` belongs to (it matters only when there is a clock).
    clock : int or None
        Index of the clock state t' = 1, if any.
    report : CompileReport or None
        What the compiler did (:mod:`analyzer.compile.report`); None for a
        system built by hand.

    Examples
    --------
    >>> from analyzer import Circuit, compile_circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("g", k=-1.0)
    'x'
    'v'
    'g'
    >>> c.connect("v", "x"); c.connect("x", "g"); c.connect("g", "v")
    >>> system = compile_circuit(c)
    >>> print(system)
    v' = -x
    x' = v
    >>> system.rhs(0.0, [0.5, 2.0])
    array([-2. ,  0.5])
    """

    names: tuple[str, ...]
    y0: np.ndarray
    b: np.ndarray
    A: sparse.csr_matrix
    I: np.ndarray  # noqa: E741  (the paper's index letters)
    J: np.ndarray
    K: np.ndarray
    C: np.ndarray
    monomials: tuple[Monomial, ...]
    n_base: int
    outputs: Readout
    t0: float = 0.0
    clock: int | None = None
    report: Any = field(default=None, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.names)
        set_ = object.__setattr__
        set_(self, "names", tuple(self.names))
        set_(self, "y0", _frozen(self.y0, float))
        set_(self, "b", _frozen(self.b, float))
        set_(self, "A", sparse.csr_matrix(self.A, dtype=float))
        for letter in "IJK":
            set_(self, letter, _frozen(getattr(self, letter), np.intp))
        set_(self, "C", _frozen(self.C, float))
        problems = []
        if len(set(self.names)) != n:
            problems.append("state names are not unique")
        if self.y0.shape != (n,) or self.b.shape != (n,) or self.A.shape != (n, n):
            problems.append(f"shapes of y0, b, A do not fit {n} states")
        if not (len(self.I) == len(self.J) == len(self.K) == len(self.C)):
            problems.append("quadratic term arrays differ in length")
        elif len(self.I):
            key = (self.I * n + self.J) * n + self.K
            if np.any(self.J > self.K) or np.any(np.diff(key) <= 0):
                problems.append("quadratic terms are not canonical (j <= k, sorted)")
            if self.I.min() < 0 or max(self.I.max(), self.K.max()) >= n:
                problems.append("a quadratic term indexes a missing state")
        if len(self.monomials) != n or not 0 <= self.n_base <= n:
            problems.append("monomials or n_base do not fit the states")
        finite = [
            np.all(np.isfinite(a)) for a in (self.y0, self.b, self.A.data, self.C)
        ]
        if not all(finite):
            problems.append("y0, b, A or the quadratic coefficients are not finite")
        if problems:
            raise ValueError("invalid QuadraticSystem: " + "; ".join(problems))

    # -- construction -------------------------------------------------------

    @classmethod
    def from_terms(
        cls,
        *,
        names: Sequence[str],
        y0: ArrayLike,
        b: ArrayLike,
        linear: Mapping[tuple[int, int], float],
        quadratic: Mapping[tuple[int, int, int], float],
        **rest: Any,
    ) -> QuadraticSystem:
        """Build a system from dicts of terms, canonicalising the quadratic part.

        ``linear[(i, j)]`` is A_ij; ``quadratic[(i, j, k)]`` adds c y_j y_k to
        y_i' (j and k in any order; duplicates are merged, zeros dropped).
        """
        n = len(names)
        merged: dict[tuple[int, int, int], float] = {}
        for (i, j, k), c in quadratic.items():
            key = (i, min(j, k), max(j, k))
            merged[key] = merged.get(key, 0.0) + c
        terms = sorted((key, c) for key, c in merged.items() if c != 0.0)
        ijk = np.array([key for key, _ in terms], dtype=np.intp).reshape(-1, 3)
        lin = [(ij, c) for ij, c in linear.items() if c != 0.0]
        rows = [i for (i, _), _ in lin]
        cols = [j for (_, j), _ in lin]
        A = sparse.csr_matrix(([c for _, c in lin], (rows, cols)), shape=(n, n))
        A.sum_duplicates()
        A.sort_indices()
        return cls(
            names=tuple(names), y0=np.asarray(y0, float), b=np.asarray(b, float),
            A=A, I=ijk[:, 0], J=ijk[:, 1], K=ijk[:, 2],
            C=np.array([c for _, c in terms], dtype=float), **rest,
        )  # fmt: skip

    # -- evaluation ----------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of states."""
        return len(self.names)

    @property
    def blocks(self) -> tuple[Hashable, ...]:
        """Every block of the circuit, in a fixed order."""
        return self.outputs.blocks

    @property
    def functions(self) -> tuple[FunctionState, ...]:
        """The states function blocks introduced (they follow the base states)."""
        return self.outputs.functions

    @property
    def n_core(self) -> int:
        """How many states are not lifted monomials: the base states, then the
        states function blocks introduced."""
        return self.n_base + len(self.outputs.functions)

    @property
    def lifted(self) -> tuple[str, ...]:
        """Names of the states the quadratization added."""
        return self.names[self.n_core :]

    def _quadratic_matrix(self) -> sparse.csr_matrix:
        """M (n × p) with M[I[r], r] = C[r], so that Q(y, y) = M (y_J ∘ y_K)."""
        if "M" not in self._cache:
            p = len(self.C)
            self._cache["M"] = sparse.csr_matrix(
                (self.C, (self.I, np.arange(p))), shape=(self.n, p)
            )
        return self._cache["M"]

    def rhs(self, t: float, y: Any) -> np.ndarray:
        """The right-hand side b + A y + Q(y, y) for y of shape (n,) or (n, m)."""
        y = np.asarray(y, dtype=float)
        if y.ndim == 1:
            out = self.b.copy()
            _matvec_add(self.A, y, out)
            if len(self.C):
                _matvec_add(self._quadratic_matrix(), y[self.J] * y[self.K], out)
            return out
        out = self.A @ y + self.b[:, None]
        if len(self.C):
            out += self._quadratic_matrix() @ (y[self.J] * y[self.K])
        return np.asarray(out)

    def _jac_pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Slots of every Jacobian contribution in one fixed CSC pattern."""
        if "jac" not in self._cache:
            A = self.A.tocoo()
            rows = np.concatenate([A.row, self.I, self.I])
            cols = np.concatenate([A.col, self.J, self.K])
            keys = cols.astype(np.int64) * self.n + rows  # column-major for CSC
            unique, slots = np.unique(keys, return_inverse=True)
            indices = (unique % self.n).astype(np.intp)
            indptr = np.searchsorted(unique // self.n, np.arange(self.n + 1))
            self._cache["jac"] = (slots, indices, indptr, A.data.copy())
        return self._cache["jac"]

    def jac(self, t: float, y: Any) -> sparse.csc_matrix:
        """The exact Jacobian A + sum c (e_j y_k + y_j e_k), sparse.

        For ``y`` of shape (n, m) it is the block-diagonal Jacobian of the
        flattened batch (state i of column k at index ``i * m + k``).
        """
        y = np.asarray(y, dtype=float)
        slots, indices, indptr, a_data = self._jac_pattern()
        if y.ndim == 1:
            contrib = np.concatenate([a_data, self.C * y[self.K], self.C * y[self.J]])
            data = np.bincount(slots, weights=contrib, minlength=len(indices))
            return sparse.csc_matrix((data, indices, indptr), shape=(self.n, self.n))
        m = y.shape[1]
        contrib = np.concatenate(
            [
                np.broadcast_to(a_data[:, None], (len(a_data), m)),
                self.C[:, None] * y[self.K],
                self.C[:, None] * y[self.J],
            ]
        )
        values = np.zeros((len(indices), m))
        np.add.at(values, slots, contrib)
        cols = np.repeat(np.arange(self.n), np.diff(indptr))
        rows = indices[:, None] * m + np.arange(m)
        cols = cols[:, None] * m + np.arange(m)
        size = self.n * m
        return sparse.csc_matrix(
            (values.ravel(), (rows.ravel(), cols.ravel())), shape=(size, size)
        )

    def embed(self, y_base: Any) -> np.ndarray:
        """Full state vector(s) from values of the base states (lifts evaluated)."""
        y_base = np.asarray(y_base, dtype=float)
        if y_base.shape[0] != self.n_base:
            raise ValueError(
                f"expected {self.n_base} base-state values "
                f"({', '.join(self.names[: self.n_base])}), got {y_base.shape[0]}"
            )
        core = complete(self.functions, y_base)
        lifted = [evaluate_monomial(m, core) for m in self.monomials[self.n_core :]]
        if not lifted:
            return core.copy()
        return np.concatenate([core, np.array(lifted).reshape(-1, *y_base.shape[1:])])

    def signals(self, y: Any) -> dict[Hashable, np.ndarray]:
        """Every block's signal at state vector(s) ``y`` of shape (n, ...)."""
        y = np.asarray(y, dtype=float)
        values = self.outputs.evaluate(y[: self.n_base])
        return dict(zip(self.outputs.blocks, values, strict=True))

    # -- printing ------------------------------------------------------------

    def equations(self) -> list[str]:
        """One line a state: ``name' = ...`` in the states' names."""
        rhs: list[list[str]] = [[] for _ in range(self.n)]
        for i, c in enumerate(self.b):
            if c:
                rhs[i].append(_term(c, []))
        A = self.A.tocsr()
        for i in range(self.n):
            for ptr in range(A.indptr[i], A.indptr[i + 1]):
                rhs[i].append(_term(A.data[ptr], [self.names[A.indices[ptr]]]))
        for i, j, k, c in zip(self.I, self.J, self.K, self.C, strict=True):
            rhs[i].append(_term(c, [self.names[j], self.names[k]]))
        return [
            f"{name}' = {_join(terms)}"
            for name, terms in zip(self.names, rhs, strict=True)
        ]

    def __str__(self) -> str:
        return "\n".join(self.equations())

    def __repr__(self) -> str:
        functions = self.n_core - self.n_base
        made = f"{functions} of function blocks, " if functions else ""
        return (
            f"QuadraticSystem({self.n} states: {self.n_base} base, {made}"
            f"{self.n - self.n_core} lifted; {self.A.nnz} linear and "
            f"{len(self.C)} quadratic terms)"
        )


def _term(c: float, factors: list[str]) -> str:
    coeff = f"{c:.12g}"
    if not factors:
        return coeff
    if coeff in ("1", "-1"):
        return ("-" if c < 0 else "") + "·".join(factors)
    return coeff + "·" + "·".join(factors)


def _join(terms: list[str]) -> str:
    if not terms:
        return "0"
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out
