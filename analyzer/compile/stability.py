r"""Transversal stability of a quadratized system, and the dissipative fix.

A quadratized system z = (y, w) carries new states w = g(y), monomials of the
core states y.  Exact solutions stay on the invariant manifold w = g(y), but
nothing makes it attracting: a lift can amplify integration errors
exponentially where the original system is stable.

**Where the instability lives.**  Write the lifted field as y' = F(y, w),
w' = G(y, w), so F(y, g(y)) = f(y) is the original system and
G(y, g(y)) = Dg(y) f(y) by the chain rule.  In the coordinates (y, e) with
e = w - g(y),

.. math:: e' = G(y, e + g(y)) - Dg(y)\, F(y, e + g(y)),

which is zero for every y at e = 0, so its derivative in y is zero there too.
With the lifted Jacobian at a point of the manifold split into blocks J_yy,
J_yw, J_wy, J_ww, the Jacobian in (y, e) is block upper triangular:

.. math::

    \begin{pmatrix} J_{yy} + J_{yw} Dg & J_{yw} \\ 0 & T \end{pmatrix},
    \qquad T = J_{ww} - Dg\, J_{yw}

(Dg does not depend on e, so only G and F vary with e: ∂e'/∂e = J_ww - Dg J_yw).
The top-left block is the original Jacobian J_orig (differentiate
f(y) = F(y, g(y))); a small deviation from the manifold obeys
e' = T(y(t)) e + O(|e|²).  A lift is *transversally unstable* when T has an
eigenvalue to the right of both 0 and the rightmost one of J_orig.  T depends
on how the assembly split each monomial into two states, not only on the set of
monomials.

**The fix** (dissipative quadratization, Cai & Pogudin, TACAS 2024): when every
new state has an *inner* split w = a·b into two other states, add
-λ (w - a·b) to w'.  The term is zero on the manifold, so exact solutions are
unchanged, and it adds -λ (I - N) to T, where row w of N holds the derivatives
of a·b in the lifted factors.  Both factors have lower degree than w, so I - N
is unit triangular in degree order: every eigenvalue of the added block is -λ
and a large enough λ makes the manifold attracting.  The price is stiffness, so
stabilised systems want an implicit solver (Radau, BDF).

**Cost.**  Eigenvalues are found per strongly connected component (those of
the diagonal blocks of the block triangular form): dense up to ``SMALL``
states, a Gershgorin upper bound above, dense up to ``DENSE_MAX`` states when
the bound leaves the verdict open.  Lifts of large circuits fall apart into
tiny components (T of a Duffing chain lifted by x_i² is diagonal), so 10⁴
states cost milliseconds; a large component of J_orig (a coupled chain) keeps
the bound, and ``original`` is then an upper bound.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from analyzer.polynomial import Monomial, degree, divide, divisors
from analyzer.system import QuadraticSystem

__all__ = ["Stability", "check_stability", "inner_splits", "stabilise"]

# Largest strongly connected block solved densely on every compile (~1 ms) and
# when a bound is not decisive (a 400 × 400 eigvals takes 20-150 ms).
SMALL = 64
DENSE_MAX = 400
# Real parts count as equal within this fraction of the Jacobians' largest
# entry (at least 1): round-off, also of small defective (nilpotent) blocks.
RELATIVE_TOL = 1e-6
# Doublings of λ tried before settling for the largest one.
MAX_DOUBLINGS = 30
# J_orig and T: dense arrays for small systems, sparse above.
Matrix: TypeAlias = Any


@dataclass(frozen=True)
class Stability:
    """What :func:`check_stability` and :func:`stabilise` found at ``y0``.

    Attributes
    ----------
    original : float
        Rightmost real part of the original system's Jacobian J_orig.
    transversal : float
        Rightmost real part of the transversal block T before stabilising;
        0.0 when there are no lifted states.
    unstable : bool
        Whether ``transversal`` exceeds ``max(0, original)`` by more than the
        round-off tolerance (False when the Jacobians overflow at ``y0``, and
        ``original`` and ``transversal`` are then nan: no verdict).
    lam : float
        The λ of the added terms -λ (w - a·b); 0.0 when not stabilised.
    stabilised : float
        Rightmost real part of T after stabilising (``transversal`` when not).
    """

    original: float
    transversal: float
    unstable: bool
    lam: float
    stabilised: float


def check_stability(system: QuadraticSystem) -> Stability:
    """Detect a transversal instability of the lifted states at ``y0``.

    Compares the rightmost eigenvalue of the transversal block
    T = J_ww - Dg J_yw with that of the original Jacobian J_yy + J_yw Dg (the
    module docstring derives both).

    Parameters
    ----------
    system : QuadraticSystem
        A compiled system; its states from ``n_core`` on are lifted monomials.

    Returns
    -------
    Stability
        With ``lam = 0.0`` and ``stabilised == transversal``.

    Examples
    --------
    x' = (x + 1)^6 from x = -1.5 decays, but its lift {x², x⁴, x⁵} does not:

    >>> from math import comb
    >>> from analyzer.compile.assemble import assemble
    >>> from analyzer.compile.lower import PolynomialSystem
    >>> from analyzer.polynomial import Poly
    >>> rate = Poly({((0, k),) if k else (): comb(6, k) for k in range(7)})
    >>> poly = PolynomialSystem(("x",), (-1.5,), (rate,), {"x": Poly.var(0)})
    >>> lifted = assemble(poly, [((0, 2),), ((0, 4),), ((0, 5),)])
    >>> s = check_stability(lifted)
    >>> s.unstable, round(s.original, 4), round(s.transversal, 2)
    (True, -0.1875, 742.64)
    """
    return _check(system)[0]


def inner_splits(system: QuadraticSystem) -> dict[int, tuple[int, int]] | None:
    """Each lifted state as a product of two other states, or None.

    The most balanced split is chosen (factor degrees as close as possible,
    then the lowest state indices), which keeps the stabiliser's coupling
    between lifted states short.

    Parameters
    ----------
    system : QuadraticSystem

    Returns
    -------
    dict or None
        Lifted state index -> ``(a, b)`` state indices with ``a <= b`` whose
        monomials multiply to its monomial; None when some lifted state has no
        such split (the lift is not inner-quadratic).

    Examples
    --------
    >>> from analyzer.compile.assemble import assemble
    >>> from analyzer.compile.lower import PolynomialSystem
    >>> from analyzer.polynomial import Poly
    >>> poly = PolynomialSystem(("x",), (0.5,), (Poly({((0, 6),): 1.0}),), {})
    >>> lifted = assemble(poly, [((0, 2),), ((0, 4),), ((0, 5),)])
    >>> lifted.names
    ('x', 'x^2', 'x^4', 'x^5')
    >>> inner_splits(lifted)
    {1: (0, 0), 2: (1, 1), 3: (0, 2)}
    >>> quintic = PolynomialSystem(("x",), (0.5,), (Poly({((0, 5),): 1.0}),), {})
    >>> inner_splits(assemble(quintic, [((0, 4),)])) is None  # x^4 needs x^2
    True
    """
    splits, missing = _find_splits(system)
    return None if missing else splits


def stabilise(
    system: QuadraticSystem, lam: float | None = None
) -> tuple[QuadraticSystem, Stability]:
    """Add -λ (w - a·b) to every lifted state's rate, making w = g(y) attracting.

    The added terms vanish on the manifold, so exact solutions are unchanged;
    they add -λ (I - N) to the transversal block T (module docstring).

    **Choice of λ** (``lam=None``): with σ the rightmost real part of T, ρ its
    spectral radius and τ = max(0, rightmost real part of J_orig), start from
    λ = max(1, 2 (σ - τ)⁺ + ρ), rounded up to two significant digits, and
    double λ until the stabilised T has every real part ≤ -max(1, |σ|), at
    most ``MAX_DOUBLINGS`` times (then the last λ is kept and ``stabilised``
    shows what it reached).  When T already meets that bound, λ = 0 and the
    system is returned as it is.  Large λ makes the system stiff: simulate it
    with an implicit method.

    Parameters
    ----------
    system : QuadraticSystem
    lam : float, optional
        A λ ≥ 0 to use as is; chosen as above when omitted.

    Returns
    -------
    (QuadraticSystem, Stability)
        The stabilised system (same names, initial state, monomials, outputs,
        start time and clock) and the stability before and after.

    Raises
    ------
    ValueError
        If some lifted state is not a product of two other states (the message
        names them), or ``lam`` is negative or not finite.

    Examples
    --------
    >>> from math import comb
    >>> from analyzer.compile.assemble import assemble
    >>> from analyzer.compile.lower import PolynomialSystem
    >>> from analyzer.polynomial import Poly
    >>> rate = Poly({((0, k),) if k else (): comb(6, k) for k in range(7)})
    >>> poly = PolynomialSystem(("x",), (-1.5,), (rate,), {"x": Poly.var(0)})
    >>> lifted = assemble(poly, [((0, 2),), ((0, 4),), ((0, 5),)])
    >>> fixed, s = stabilise(lifted)
    >>> round(s.transversal, 2), s.lam, round(s.stabilised, 2)
    (742.64, 2300.0, -1365.04)
    >>> print(fixed.equations()[2])
    x^4' = -2276·x^4 + 60·x^5 + 4·x·x^2 + 2300·x^2·x^2 + 80·x^2·x^4 + 60·x^2·x^5 + 24·x^4·x^4 + 4·x^4·x^5
    """
    if lam is not None and not (math.isfinite(lam) and lam >= 0.0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    before, original, transversal = _check(system)
    if system.n == system.n_core:
        return system, before
    splits, missing = _find_splits(system)
    if missing:
        raise ValueError(
            "cannot stabilise: lifted state(s) "
            + ", ".join(repr(system.names[i]) for i in missing)
            + " are not a product of two other states; compile with an "
            "inner-quadratic lift (every new state a product of two states)"
        )
    sigma = transversal.max_real
    goal = -max(1.0, abs(sigma))
    if lam == 0.0 or (lam is None and sigma <= goal):
        return system, before
    if lam is not None:
        fixed = _with_stabiliser(system, splits, lam)
        with np.errstate(over="ignore", invalid="ignore"):
            reached = _spectrum(_blocks(fixed)[1], settle=-math.inf).max_real
    elif math.isnan(sigma):  # T overflowed at y0: no λ can be chosen
        return system, before
    else:
        excess = max(0.0, sigma - max(0.0, original.max_real))
        lam = _round_up(max(1.0, 2.0 * excess + transversal.radius))
        for _ in range(MAX_DOUBLINGS):
            fixed = _with_stabiliser(system, splits, lam)
            with np.errstate(over="ignore", invalid="ignore"):
                reached = _spectrum(_blocks(fixed)[1], settle=goal).max_real
            if reached <= goal:
                break
            lam *= 2.0
    return fixed, dataclasses.replace(before, lam=lam, stabilised=reached)


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits, for readable equations."""
    unit = 10.0 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / unit - 1e-9) * unit


# -- the two Jacobian blocks -----------------------------------------------------


@dataclass(frozen=True)
class _Spectrum:
    max_real: float  # rightmost real part (an upper bound when not exact)
    radius: float  # spectral radius (likewise)
    scale: float  # largest entry, for the tolerance


def _check(system: QuadraticSystem) -> tuple[Stability, _Spectrum, _Spectrum]:
    """The verdict at y0 and the spectra of J_orig and T behind it."""
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite: nan verdict
        j_orig, t_block = _blocks(system)
    # T at or left of 0 needs no sharper J_orig: nothing can be flagged then.
    transversal = _spectrum(t_block, settle=0.0)
    tol = RELATIVE_TOL * max(1.0, transversal.scale)
    settle = math.inf if transversal.max_real <= tol else -math.inf
    original = _spectrum(j_orig, settle=settle)
    tol = RELATIVE_TOL * max(1.0, original.scale, transversal.scale)
    overflowed = math.isnan(original.max_real) or math.isnan(transversal.max_real)
    verdict = Stability(
        original=math.nan if overflowed else original.max_real,
        transversal=math.nan if overflowed else transversal.max_real,
        unstable=not overflowed
        and transversal.max_real > max(0.0, original.max_real) + tol,
        lam=0.0,
        stabilised=transversal.max_real,
    )
    return verdict, original, transversal


def _blocks(system: QuadraticSystem) -> tuple[Matrix, Matrix]:
    """J_orig = J_yy + J_yw Dg and T = J_ww - Dg J_yw at y0 (module docstring);
    dense arrays for small systems, where sparse overhead would dominate."""
    c, n = system.n_core, system.n
    jac: Matrix = sparse.csr_matrix(system.jac(system.t0, system.y0))
    if n <= SMALL:
        jac = jac.toarray()
    if n == c:
        return jac, np.zeros((0, 0))
    rows, cols, values = _monomial_gradients(system.monomials[c:], system.y0)
    dg: Matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n - c, c))
    if n <= SMALL:
        dg = dg.toarray()
    j_yw = jac[:c, c:]
    return jac[:c, :c] + j_yw @ dg, jac[c:, c:] - dg @ j_yw


def _monomial_gradients(
    monomials: tuple[Monomial, ...], y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dg as (row, column, value): row r is the gradient of monomial r at y.

    Factors are taken in rows of equal support size: the derivative in
    variable k is e_k y_k^(e_k - 1) times the other factors, formed without
    dividing (states are often zero).
    """
    lengths = np.fromiter(map(len, monomials), np.intp, len(monomials))
    flat = np.array([f for m in monomials for f in m], np.intp).reshape(-1, 2)
    var, exp = flat[:, 0], flat[:, 1].astype(float)
    base = y[var]
    power, slope = base**exp, exp * base ** (exp - 1)
    values = np.empty(len(var))
    entry_length = np.repeat(lengths, lengths)
    for size in np.unique(lengths):
        entries = np.flatnonzero(entry_length == size).reshape(-1, size)
        for k in range(size):
            others = np.prod(np.delete(power[entries], k, axis=1), axis=1)
            values[entries[:, k]] = slope[entries[:, k]] * others
    return np.repeat(np.arange(len(monomials)), lengths), var, values


# -- rightmost eigenvalue of a sparse matrix ---------------------------------------


def _spectrum(matrix: Matrix, settle: float) -> _Spectrum:
    """Rightmost real part and spectral radius, component by component; a
    bound above ``settle`` is sharpened with dense blocks up to ``DENSE_MAX``."""
    n = matrix.shape[0]
    if n == 0:
        return _Spectrum(0.0, 0.0, 0.0)
    values = matrix.data if sparse.issparse(matrix) else np.asarray(matrix)
    if not np.all(np.isfinite(values)):  # overflowed at y0: no verdict (nan)
        return _Spectrum(math.nan, math.nan, math.inf)
    if n <= SMALL:
        dense = matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)
        eig = np.linalg.eigvals(dense)
        scale = float(np.abs(dense).max())
        return _Spectrum(float(eig.real.max()), float(np.abs(eig).max()), scale)
    matrix = sparse.csr_matrix(matrix)
    matrix.eliminate_zeros()
    scale = float(np.abs(matrix.data).max(initial=0.0))
    count, label = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=count)
    coo = matrix.tocoo()
    inside = label[coo.row] == label[coo.col]
    row, col, val = coo.row[inside], coo.col[inside], coo.data[inside]
    # place of each state in its component, of each component among its size
    by_label = np.argsort(label, kind="stable")
    position = np.empty(n, np.intp)
    position[by_label] = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    by_size = np.argsort(sizes, kind="stable")
    group_sizes, first = np.unique(sizes[by_size], return_index=True)
    slot = np.empty(count, np.intp)
    slot[by_size] = np.arange(count) - np.repeat(first, np.diff([*first, count]))
    entries = np.argsort(sizes[label[row]], kind="stable")
    ends = np.searchsorted(sizes[label[row[entries]]], group_sizes, side="right")
    groups = np.split(entries, ends[:-1])
    for limit in (SMALL, DENSE_MAX):
        max_real, radius, bounded = -math.inf, 0.0, False
        for size, count_, e in zip(
            group_sizes, np.diff([*first, count]), groups, strict=True
        ):
            r, k, v = row[e], col[e], val[e]
            if size <= limit:
                blocks = np.zeros((count_, size, size))
                blocks[slot[label[r]], position[r], position[k]] = v
                eig = np.linalg.eigvals(blocks)
                re, rad = float(eig.real.max()), float(np.abs(eig).max())
            else:
                (re, rad), bounded = _gershgorin(r, k, v, n), True
            max_real, radius = max(max_real, re), max(radius, rad)
        if not bounded or max_real <= settle:
            break
    return _Spectrum(max_real, radius, scale)


def _gershgorin(
    row: np.ndarray, col: np.ndarray, val: np.ndarray, n: int
) -> tuple[float, float]:
    """Upper bounds on the rightmost real part and the spectral radius: the
    smallest of the Gershgorin bounds on M, Mᵀ and (for the real part, which is
    at most the top eigenvalue of (M + Mᵀ)/2) the symmetric part."""
    on = row == col
    diag = np.bincount(row[on], weights=val[on], minlength=n)
    present = np.zeros(n, bool)
    present[row] = present[col] = True
    off_row = np.bincount(row[~on], weights=np.abs(val[~on]), minlength=n)
    off_col = np.bincount(col[~on], weights=np.abs(val[~on]), minlength=n)
    sym = sparse.coo_matrix((val[~on], (row[~on], col[~on])), shape=(n, n))
    sym = (sym + sym.T).tocsr() * 0.5
    sym.data = np.abs(sym.data)
    off_sym = np.asarray(sym.sum(axis=1)).ravel()
    re = min(float((diag + off)[present].max()) for off in (off_row, off_col, off_sym))
    rad = min(float((abs(diag) + off)[present].max()) for off in (off_row, off_col))
    return re, rad


# -- splits and the stabiliser -----------------------------------------------------


def _find_splits(
    system: QuadraticSystem,
) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """The most balanced inner split of each lifted state, and those without."""
    index = {m: i for i, m in enumerate(system.monomials)}
    found = {
        w: _split(system.monomials[w], index) for w in range(system.n_core, system.n)
    }
    splits = {w: split for w, split in found.items() if split is not None}
    return splits, [w for w, split in found.items() if split is None]


def _split(m: Monomial, index: dict[Monomial, int]) -> tuple[int, int] | None:
    """States a <= b with a·b = m, factor degrees as close as possible."""
    if len(m) == 1:  # a power: try v^(e//2) · v^(e - e//2) first, then outwards
        (v, e), lookup = m[0], index.get
        for d in range(e // 2, 0, -1):
            i, j = lookup(((v, d),)), lookup(((v, e - d),))
            if i is not None and j is not None:
                return (i, j) if i <= j else (j, i)
        return None
    total = degree(m)
    best: tuple[int, int, int] | None = None
    for a in divisors(m):
        if a not in index or not a or a == m:
            continue
        b = divide(m, a)
        if b in index:
            i, j = sorted((index[a], index[b]))
            key = (abs(total - 2 * degree(a)), i, j)
            best = key if best is None else min(best, key)
    return None if best is None else (best[1], best[2])


def _with_stabiliser(
    system: QuadraticSystem, splits: dict[int, tuple[int, int]], lam: float
) -> QuadraticSystem:
    """``system`` with -λ w + λ a·b added to every lifted rate w'."""
    n = system.n
    lifted = np.array(sorted(splits), np.intp)
    pairs = np.array([splits[w] for w in lifted], np.intp).reshape(-1, 2)
    diag = sparse.csr_matrix((np.full(len(lifted), -lam), (lifted, lifted)), (n, n))
    A = sparse.csr_matrix(system.A + diag)
    A.eliminate_zeros()
    A.sort_indices()
    # merge into the canonical list of terms, sorted by (i, j, k)
    new = np.column_stack([lifted, pairs])
    ijk = np.vstack([np.column_stack([system.I, system.J, system.K]), new])
    ijk, where = np.unique(ijk, axis=0, return_inverse=True)
    weights = np.concatenate([system.C, np.full(len(lifted), lam)])
    c = np.bincount(where.ravel(), weights=weights, minlength=len(ijk))
    i, j, k = ijk[c != 0.0].T
    return dataclasses.replace(system, A=A, I=i, J=j, K=k, C=c[c != 0.0], _cache={})
