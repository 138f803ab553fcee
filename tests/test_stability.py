"""Transversal stability of lifted systems: detection, the -λ(w - a·b) fix, scale."""

import warnings
from math import comb

import numpy as np
import pytest
from scipy import sparse
from scipy.integrate import solve_ivp

from analyzer import (
    Circuit,
    SimulationError,
    StabilityWarning,
    compile_circuit,
    simulate,
)
from analyzer.compile import stability
from analyzer.compile.assemble import assemble
from analyzer.compile.lower import PolynomialSystem
from analyzer.compile.stability import check_stability, inner_splits, stabilise
from analyzer.polynomial import Poly
from circuits.van_der_pol import CHECK as VDP_CHECK

EPS = np.finfo(float).eps

# Tolerances (issue 10): each a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  An eigenvalue of a matrix
# whose entries are good to δ moves by at most κ δ (κ its condition number,
# measured here); LAPACK's backward error is n eps ‖M‖.
#
# T by central differences of e', which is quadratic in e: exact but for
# rounding, eps × Σ|terms of e'| (≤ 1e3 at x = -1.5) / 2h = 1.1e-9 per entry,
# × κ ≤ 1.7 / |λ| → 2.5e-12 (xplus1), 1e-13 (neuron) relative; allowed 1e-9,
# as Σ|terms| is counted roughly; measured 1.8e-12 and 1.4e-13, margin 560×
DIFFERENCED_T = 1e-9
# J_orig by central differences of f (not quadratic), h = 1e-6: truncation
# h² |f⁽³⁾| / 6 (2.5e-12) + rounding eps × Σ|terms| ((1 + 1.5)⁶ = 244) / 2h
# (2.7e-8) over |λ| 0.1875 → 1.4e-7 relative (the neuron's 5e-10); allowed
# 1e-6; measured 6.9e-9 and 4.9e-11, margin 140×
DIFFERENCED_J = 1e-6
# 6 (x + 1)^5 = -0.1875 at x = -1.5, exactly representable; the 1 × 1 J_orig
# sums terms of total size 244: ≤ 4 eps × 244 = 2.2e-13; measured 0 (exact)
ORIGINAL_XPLUS1 = 4 * EPS * 2.5**6
# T's rightmost eigenvalue to the 13 digits printed: half a unit of the last
# (5e-11) + κ 1.1 × (entries' eps × 1e3 + LAPACK's 3 eps ‖T‖ 800) = 8e-13;
# measured 1.8e-11 (the rounding of 742.64229970052 itself), margin 2.8× on a
# fixed quantity
TRANSVERSAL_XPLUS1 = (742.6422997005, 5e-11 + 1e-12)

# -- systems built by hand --------------------------------------------------------


def xplus1(copies: int = 1, x0: float = -1.5):
    """x_i' = (x_i + 1)^6, lifted by QBee's optimum {x², x⁴, x⁵} per copy."""
    rates = tuple(
        Poly({((i, k),) if k else (): float(comb(6, k)) for k in range(7)})
        for i in range(copies)
    )
    names = tuple(f"x{i}" for i in range(copies)) if copies > 1 else ("x",)
    poly = PolynomialSystem(names, (x0,) * copies, rates, {"x": Poly.var(0)})
    lifts = [((i, e),) for i in range(copies) for e in (2, 4, 5)]
    return assemble(poly, lifts)


def xplus1_exact(t):
    """The closed form from x(0) = -1.5: u = x + 1 has u^-5 = -32 - 5t."""
    return -1.0 - (32.0 + 5.0 * np.asarray(t)) ** -0.2


def tanh_neuron(x0: float = 0.0):
    """x' = -x + tanh(2x + 1/2) with s = tanh(2x + 1/2), s' = 2(1 - s²)(s - x)."""
    x, s = Poly.var(0), Poly.var(1)
    dx = x * -1.0 + s
    ds = (Poly.const(1.0) + s * s * -1.0) * dx * 2.0
    y0 = (x0, float(np.tanh(2 * x0 + 0.5)))
    poly = PolynomialSystem(("x", "s"), y0, (dx, ds), {"x": x, "s": s})
    return assemble(poly, [((0, 1), (1, 1)), ((1, 2),)])


def van_der_pol(mu: float = 1.0):
    """x' = v, v' = mu (1 - x²) v - x from (2, 0), lifted by x²."""
    x, v = Poly.var(0), Poly.var(1)
    dv = v * mu + x * x * v * -mu + x * -1.0
    poly = PolynomialSystem(("x", "v"), (2.0, 0.0), (v, dv), {"x": x, "v": v})
    return assemble(poly, [((0, 2),)])


def duffing_chain(n: int, k: float = 0.5):
    """n damped Duffing oscillators coupled by springs, lifted by every x_i²."""
    xs = [Poly.var(i) for i in range(n)]
    vs = [Poly.var(n + i) for i in range(n)]
    rates = list(vs)
    for i in range(n):
        rate = xs[i] * -1.0 + xs[i] * xs[i] * xs[i] * -1.0 + vs[i] * -0.1
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                rate = rate + (xs[j] + xs[i] * -1.0) * k
        rates.append(rate)
    names = tuple(f"x{i}" for i in range(n)) + tuple(f"v{i}" for i in range(n))
    y0 = tuple(np.random.default_rng(1).uniform(-0.5, 0.5, 2 * n))
    poly = PolynomialSystem(names, y0, tuple(rates), {})
    return assemble(poly, [((i, 2),) for i in range(n)])


def deviation_jacobians(system, dg):
    """J_orig and T by differencing the lifted rhs in the coordinates (y, e).

    e' = G(y, g(y) + e) - Dg F(y, g(y) + e) is quadratic in e, so central
    differences give T exactly up to round-off; f(y) = F(y, g(y)) is not, so
    J_orig gets a small step and a looser comparison.  ``dg`` is the monomials'
    Jacobian written out by hand.
    """
    c, y0 = system.n_core, system.y0
    h = 1e-4

    def e_rate(e):
        rates = system.rhs(0.0, np.concatenate([y0[:c], y0[c:] + e]))
        return rates[c:] - dg @ rates[:c]

    def f(y):
        return system.rhs(0.0, system.embed(y))[:c]

    eye_w, eye_y = np.eye(system.n - c), np.eye(c)
    t_block = np.column_stack(
        [(e_rate(h * u) - e_rate(-h * u)) / (2 * h) for u in eye_w]
    )
    j_orig = np.column_stack(
        [(f(y0[:c] + 1e-6 * u) - f(y0[:c] - 1e-6 * u)) / 2e-6 for u in eye_y]
    )
    return j_orig, t_block


def rightmost(matrix):
    return np.linalg.eigvals(matrix).real.max()


# -- detection ----------------------------------------------------------------------


def test_transversal_block_is_the_linearised_deviation_from_the_manifold():
    lifted = xplus1()
    x = -1.5
    dg = np.array([[2 * x], [4 * x**3], [5 * x**4]])
    j_orig, t_block = deviation_jacobians(lifted, dg)
    found = check_stability(lifted)
    assert found.transversal == pytest.approx(
        rightmost(t_block), abs=0, rel=DIFFERENCED_T
    )
    assert found.original == pytest.approx(rightmost(j_orig), abs=0, rel=DIFFERENCED_J)
    neuron = tanh_neuron()
    x, s = neuron.y0[:2]
    j_orig, t_block = deviation_jacobians(neuron, np.array([[s, x], [0.0, 2 * s]]))
    found = check_stability(neuron)
    assert found.transversal == pytest.approx(
        rightmost(t_block), abs=0, rel=DIFFERENCED_T
    )
    assert found.original == pytest.approx(rightmost(j_orig), abs=0, rel=DIFFERENCED_J)


def test_xplus1_lift_is_flagged_and_diverges():
    lifted = xplus1()
    found = check_stability(lifted)
    # 6 (x + 1)^5 at x = -1.5; T's eigenvalue with assemble's balanced splits
    # (x^6 = x^2·x^4 ...): the notes' +345 came from other splits of the same set
    assert found.original == pytest.approx(-0.1875, abs=ORIGINAL_XPLUS1)
    value, tol = TRANSVERSAL_XPLUS1
    assert found.transversal == pytest.approx(value, abs=tol)
    assert found.unstable and found.lam == 0.0
    assert found.stabilised == found.transversal  # T + 0·(I - N) is T, bit for bit
    t = np.linspace(0.0, 1.0, 101)
    try:
        traj = simulate(
            lifted, (0.0, 1.0), t_eval=t, method="DOP853", rtol=1e-10, atol=1e-12
        )
    except SimulationError as error:
        assert error.t < 1.0
    else:
        assert np.abs(traj["x"] - xplus1_exact(t)).max() > 1.0


def test_stabilised_xplus1_matches_the_closed_form():
    lifted = xplus1()
    fixed, found = stabilise(lifted)
    assert inner_splits(lifted) == {1: (0, 0), 2: (1, 1), 3: (0, 2)}
    assert found.unstable and found.lam == 2300.0  # 2·742.6 + |742.6| rounded up
    assert found.stabilised <= -found.transversal
    assert rightmost(fixed.jac(0.0, fixed.y0).toarray()) < 0.0
    t = np.linspace(0.0, 5.0, 201)
    traj = simulate(fixed, (0.0, 5.0), t_eval=t, method="Radau", rtol=1e-10, atol=1e-12)
    # rtol 1e-10 × |x| ≤ 1.5 × G 10 (the flow contracts towards -1) → 1.5e-9;
    # measured 5.1e-12, margin 300×
    assert np.abs(traj["x"] - xplus1_exact(t)).max() <= 1e-10 * 1.5 * 10


def test_tanh_neuron_drifts_and_is_fixed():
    neuron = tanh_neuron()
    found = check_stability(neuron)
    # T has 1.859 ± 1.221i at x = 0, to the right of both 0 and the polynomial
    # system's own -0.141 ± 0.913i (the notes' 1.0 ± 1.39i used other splits)
    assert found.unstable
    # 17 printed digits; 2 × 2 blocks with entries ≤ 3.2 good to eps × Σ|terms|
    # ≤ 4 eps, plus LAPACK's 2 eps ‖·‖ ≤ 8 eps, × κ ≤ 1.7 → 2.7e-15 absolute;
    # allowed 1e-13 (the 2 × 2 route varies between LAPACK builds); measured 0
    assert found.transversal == pytest.approx(1.8593431988977827, abs=1e-13)
    assert found.original == pytest.approx(-0.14065680110221784, abs=1e-13)
    t = np.linspace(0.0, 20.0, 41)
    reference = solve_ivp(
        lambda _, x: -x + np.tanh(2 * x + 0.5),
        (0.0, 20.0),
        [0.0],
        method="DOP853",
        rtol=1e-13,
        atol=1e-15,
        t_eval=t,
    ).y[0]

    def off_manifold(traj):
        x, s, xs, s2 = traj.states
        return np.maximum(np.abs(xs - x * s), np.abs(s2 - s * s))

    plain = simulate(
        neuron, (0.0, 10.0), t_eval=t[:21], method="DOP853", rtol=1e-10, atol=1e-12
    )
    drift = off_manifold(plain)
    # grows like e^{3t} near x ≈ 0.986: from rtol-level 2.6e-11 at t = 2 to 0.11
    # at t = 10 (e^24 = 2.6e10 apart); both thresholds ≥ 100× off the measured
    assert drift[-1] > 1e-3 > 1e3 * drift[4]
    # and it reaches x: 1.5e-7 at t = 10, 15× above a clean run's 1e-8 (below)
    assert np.abs(plain["x"] - reference[:21])[-1] > 1e-8
    fixed, after = stabilise(neuron)
    assert after.lam == 6.0 and after.stabilised < -after.transversal
    traj = simulate(
        fixed, (0.0, 20.0), t_eval=t, method="Radau", rtol=1e-10, atol=1e-12
    )
    # rtol 1e-10 × |x|, |s| ≤ 1 × G 10 (the original flow and, now, the
    # deviation are stable) + the reference's rtol 1e-13 → 1e-9; measured
    # 1.2e-11 (x) and 3.8e-12 (off the manifold), margin 80×
    assert np.abs(traj["x"] - reference).max() <= 1e-9
    assert off_manifold(traj).max() <= 1e-9


# -- stable lifts ----------------------------------------------------------------------


def test_van_der_pol_lift_is_stable_and_a_given_lam_keeps_the_solution():
    lifted = van_der_pol()
    found = check_stability(lifted)
    assert not found.unstable
    assert found.transversal == 0.0  # T = J_ww - Dg J_yw = 0 - 2x·0
    fixed, after = stabilise(lifted, lam=10.0)
    # T = -λ exactly: J_yw = -μ v = 0 at v0 = 0 (measured -10.0 exactly; the
    # former approx() hid pytest's rel 1e-6)
    assert after.lam == 10.0 and after.stabilised == pytest.approx(
        -10.0, abs=0, rel=4 * EPS
    )
    assert not after.unstable and after.transversal == 0.0
    t = np.linspace(0.0, 10.0, 101)
    runs = [
        simulate(s, (0.0, 10.0), t_eval=t, method="DOP853", rtol=1e-11, atol=1e-12)
        for s in (lifted, fixed)
    ]
    # both are circuits/van_der_pol.py's CHECK run (same μ, start, span and
    # tolerances), each within its tol 1e-8 (rtol 1e-11 × 4 × G 250): 2e-8
    # apart; measured 1.9e-11, margin 1000×
    tol = VDP_CHECK["tol"]
    assert VDP_CHECK["rtol"] == 1e-11 and np.array_equal(VDP_CHECK["t_eval"], t)
    assert np.abs(runs[0]["x"] - runs[1]["x"]).max() <= 2 * tol
    # x² - x·x: w (≤ 4.03) and 2|x| δx (|x| ≤ 2.01) each within that tol → 5e-8;
    # measured 7.9e-10 (DOP853's dense output: λ = 10 holds its steps at their
    # stability edge; 6.5e-11 at the steps themselves), margin 63×.  The former
    # 1e-9 had a margin of 1.3×.
    assert np.abs(runs[1].states[2] - runs[1].states[0] ** 2).max() <= 5 * tol
    # λ chosen: the smallest that puts T at -1
    assert stabilise(lifted)[1].lam == 1.0


def test_stabiliser_vanishes_on_the_manifold_and_keeps_the_rest():
    lifted = xplus1()
    fixed, _ = stabilise(lifted, lam=123.0)
    for name in ("names", "monomials", "n_base", "outputs", "t0", "clock"):
        assert getattr(fixed, name) == getattr(lifted, name)
    assert np.array_equal(fixed.y0, lifted.y0) and np.array_equal(fixed.b, lifted.b)
    # on the manifold the term λ (w - a·b) is w and a·b (≤ 1.5⁵ = 7.6) rounded
    # apart: ≤ λ × 4 eps × 7.6 = 8.3e-13; measured 3.6e-15, margin 230×
    for x in (-1.5, -0.3, 0.0, 0.7):
        z = lifted.embed(np.array([x]))
        np.testing.assert_allclose(
            fixed.rhs(0.0, z), lifted.rhs(0.0, z), rtol=0, atol=123.0 * 4 * EPS * 1.5**5
        )
    off = lifted.y0 + np.array([0.0, 1e-3, 0.0, 0.0])  # x^2 nudged off x·x
    # -λ × 1e-3, from terms λ w and λ x·x of size 277 that cancel: ≤ 4 eps × 277
    # = 2.5e-13; measured 9.5e-15, margin 26× (approx() alone allowed 1.2e-7)
    nudge = fixed.rhs(0.0, off)[1] - lifted.rhs(0.0, off)[1]
    assert nudge == pytest.approx(-0.123, abs=4 * EPS * 123.0 * 2.25)
    assert "x^5' = 5·x^4 - 93·x^5 + 123·x·x^4" in str(fixed)


def test_system_without_lifts_is_left_alone():
    x = Poly.var(0)
    linear = assemble(PolynomialSystem(("x",), (1.0,), (x * 2.0,), {"x": x}), [])
    found = check_stability(linear)
    assert found == stability.Stability(2.0, 0.0, False, 0.0, 0.0)
    assert stabilise(linear) == (linear, found)


def test_bad_lam_and_missing_split_raise():
    quintic = PolynomialSystem(("x",), (0.5,), (Poly({((0, 5),): 1.0}),), {})
    lifted = assemble(quintic, [((0, 4),)])  # x' = x·x^4, x^4' = 4 x^4·x^4
    assert inner_splits(lifted) is None
    with pytest.raises(ValueError, match=r"'x\^4' .*inner-quadratic"):
        stabilise(lifted)
    with pytest.raises(ValueError, match="lam must be"):
        stabilise(xplus1(), lam=-1.0)
    with pytest.raises(ValueError, match="lam must be"):
        stabilise(xplus1(), lam=float("nan"))
    assert stabilise(xplus1(), lam=0.0)[1].lam == 0.0


# -- large systems ------------------------------------------------------------------


def test_many_copies_are_solved_exactly_component_by_component():
    lifted = xplus1(copies=400)  # 1600 states, T block diagonal with 3 × 3 blocks
    found = check_stability(lifted)
    assert found.unstable
    value, tol = TRANSVERSAL_XPLUS1
    assert found.transversal == pytest.approx(value, abs=tol)
    assert found.original == pytest.approx(-0.1875, abs=ORIGINAL_XPLUS1)
    fixed, after = stabilise(lifted)
    assert after.lam == 2300.0
    # the same 3 × 3 block through the same LAPACK call (the copies do not
    # couple): 3 eps ‖block‖ 1.06e4 × κ 8.1 / 1365 → 4.2e-14 relative; allowed
    # 1e-12; measured 0 (bit-identical)
    assert after.stabilised == pytest.approx(
        stabilise(xplus1())[1].stabilised, abs=0, rel=1e-12
    )
    assert len(fixed.C) == len(lifted.C) + 1200


def test_duffing_chain_lift_is_not_flagged_and_bounds_hold():
    lifted = duffing_chain(2000)  # 4000 core states in one component, 2000 lifts
    found = check_stability(lifted)
    assert found.transversal == 0.0 and not found.unstable
    assert found.original >= 0.0  # a Gershgorin bound on the big component
    small = duffing_chain(50)  # 100 core states in one component: above SMALL
    bound = check_stability(small).original
    c = small.n_core
    jac = small.jac(0.0, small.y0).toarray()
    dg = np.zeros((small.n - c, c))
    dg[np.arange(50), np.arange(50)] = 2 * small.y0[:50]
    exact = rightmost(jac[:c, :c] + jac[:c, c:] @ dg)
    # a Gershgorin bound, not rounding: measured -0.05 <= 1.35 < 2
    assert exact <= bound < 2.0


def test_component_spectrum_equals_the_dense_one():
    rng = np.random.default_rng(0)
    for _ in range(3):
        sizes = rng.choice([1, 1, 2, 3, 5, 80], size=12)
        blocks = sparse.block_diag([rng.normal(size=(s, s)) for s in sizes])
        n = int(sizes.sum())
        block = np.repeat(np.arange(len(sizes)), sizes)
        i, j = rng.integers(0, n, (2, 2 * n))
        above = block[i] < block[j]  # coupling above the diagonal blocks
        coupling = sparse.coo_matrix(
            (rng.normal(size=above.sum()), (i[above], j[above])), (n, n)
        )
        perm = rng.permutation(n)
        matrix = sparse.csr_matrix(blocks + coupling)[perm][:, perm]
        eig = np.linalg.eigvals(matrix.toarray())
        exact = stability._spectrum(matrix, settle=-np.inf)
        # two backward-stable routes, each n eps ‖M‖₂ × κ (κ ≤ 2.6 measured for
        # these draws; 3 allowed) → 4.3e-12 at n = 180, 6.5e-12 at 268;
        # measured 8e-14 and 2.8e-14 (0 at n = 29), margin 54×
        tol = 2 * n * EPS * np.linalg.norm(matrix.toarray(), 2) * 3
        assert exact.max_real == pytest.approx(eig.real.max(), abs=tol)
        assert exact.radius == pytest.approx(np.abs(eig).max(), abs=tol)
        assert stability._spectrum(matrix, settle=np.inf).max_real >= eig.real.max()


def _monomial_circuit(initial, rates):
    """A circuit with x_i' = Σ c·(product of integrators), one multiplier chain
    per monomial (``rates[x]`` lists (coefficient, factors))."""
    c = Circuit()
    for name, value in initial.items():
        c.integrator(name, initial=value)
    for i, (target, terms) in enumerate(rates.items()):
        for j, (coefficient, factors) in enumerate(terms):
            signal = factors[0]
            for k, factor in enumerate(factors[1:]):
                product = f"m{i}_{j}_{k}"
                c.multiplier(product)
                c.connect(signal, product)
                c.connect(factor, product)
                signal = product
            c.connect(signal, target, weight=coefficient)
    return c


def test_an_unstable_lift_whose_inner_relift_is_stable_is_left_unstabilised():
    # x0' = x0·x1³/2 − x1², x1' = −x0³x1 − 2x1 − x0³x1²/2 at (0.62, 0.14): the
    # first lift (x0·x1, x0·x1², x0³, x1³, x0³·x1) is transversally unstable and
    # not inner-quadratic; the inner re-lift is stable at y0, so it needs no λ.
    circuit = _monomial_circuit(
        {"x0": 0.62, "x1": 0.14},
        {
            "x0": [(0.5, ["x0", "x1", "x1", "x1"]), (-1.0, ["x1", "x1"])],
            "x1": [
                (-1.0, ["x0", "x0", "x0", "x1"]),
                (-2.0, ["x1"]),
                (-0.5, ["x0", "x0", "x0", "x1", "x1"]),
            ],
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", StabilityWarning)  # no warning: no λ
        system = compile_circuit(circuit)
    assert system.report.stability.lam == 0.0
    assert not system.report.stability.unstable
    assert inner_splits(system) is not None
    with pytest.warns(StabilityWarning, match="unstable off its manifold"):
        plain = compile_circuit(circuit, stabilise=False)
    assert plain.report.stability.unstable and inner_splits(plain) is None
