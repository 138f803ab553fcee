"""The Sobolev-ball approximant: partition of unity × Taylor polynomials as circuits.

Acceptance values are those of the reconstruction of Hanson & Raginsky's
construction (checklist items 11-13 and 15), run with real scipy solvers:
tight (DOP853, rtol 1e-10) and loose (RK45, rtol 1e-6).
"""

import numpy as np
import pytest

from circuits.sobolev import SineRidge, SobolevApproximant, partition_constant

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}
SETTINGS = pytest.mark.parametrize("opts", [TIGHT, LOOSE], ids=["tight", "loose"])

F1 = SineRidge(1 / 8, (2.0,), 1.0)  # (1/8) sin(2x + 1): f''' is at most 1
F2 = SineRidge(1 / 8, (1.0, 2.0), 0.0)  # (1/8) sin(x1 + 2 x2)
EPS = np.finfo(float).eps

# Tolerances (issue 10): each a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.
#
# The circuit's f̂ differs from formula() only by the solver's error on the
# steps S_k: the monomials and out integrate constants (exact for Runge-Kutta
# up to rounding).  By summation by parts δf̂ = Σ_k δS_k (P_k - P_{k-1})(x),
# with |δS_k| ≤ rtol (S_k ≤ 1, the logistic flow contracts: G = 1) and
# |P_m(x)| ≤ 0.23 (F1), 0.37 (F2), over d N steps: 3.7 rtol (1-D), 11.8 rtol
# (2-D), allowed 10 and 20 rtol.  Measured, worst of single-point runs on a
# grid: tight 5.4e-14 | 3.7e-14 (1-D | 2-D), loose 1.9e-9 | 2.0e-9, margins
# 2e4× and 5000×.  (A loose run at x = 1 is off by 1.6e-9: the former 1e-9
# held at 0.3 by luck.)
SOLVE_GAIN = {1: 10.0, 2: 20.0}


def solve_tol(opts, d=1):
    """The bound on |circuit - formula| for the solver settings ``opts``."""
    return SOLVE_GAIN[d] * opts["rtol"]


def one(x, order):
    """f ≡ 1: the approximant then adds up the partition of unity."""
    return 1.0 if not np.any(order) else 0.0


@pytest.fixture(scope="module")
def approx1():
    return SobolevApproximant(F1, n=3, N=8, gamma=4.0)


@pytest.fixture(scope="module")
def approx2():
    return SobolevApproximant(F2, n=3, N=8, gamma=4.0, d=2)


# ----- checklist 11: the partition of unity -------------------------------------


@SETTINGS
def test_partition_of_unity_sums_to_one(opts):
    approx = SobolevApproximant(one, n=3, N=8, gamma=4.0)
    assert approx.beta == 32.0
    traj = approx.run([0.37], **opts)
    psi = approx.bumps(traj)
    assert psi.shape == (9, 1)
    # the ψ_k telescope whatever the solver's error on the S_k: 9 rounded
    # differences and 8 additions of numbers ≤ 1 → 17 eps / 2, allowed 18 eps
    # = 4e-15; measured 0 (both settings)
    assert abs(psi.sum() - 1.0) <= 2 * (approx.N + 1) * EPS
    assert np.all(psi > 0)
    # accumulated by the circuit: for f ≡ 1 the weights are 1, 0, ..., 0 exactly,
    # so out' = 1 and only rounding is left, ≤ 2 eps per step (t and out ≤ 1)
    # → 2.2e-14 (50 steps) | 2.6e-14 (58); measured 4.4e-16 | 2.2e-16, margin 50×
    assert abs(traj["out"][0, -1] - 1.0) <= 2 * EPS * traj.stats["steps"]


def test_bumps_are_the_logistic_differences(approx1):
    x = np.array([0.0, 0.37, 0.5, 1.0])
    psi = approx1.bumps(approx1.run(x))
    a = (np.arange(1, 9) - 0.5) / 8
    S = 1 / (1 + np.exp(-32 * (x - a[:, None])))
    S = np.vstack([np.ones(4), S, np.zeros(4)])
    # run()'s default rtol 1e-10 on S_k ≤ 1 and on S_{k+1} (G = 1, as above),
    # the numpy reference good to a few eps → 2e-10; measured 8.4e-15, margin 2e4×
    assert np.max(np.abs(psi - (S[:-1] - S[1:]))) <= 2 * 1e-10
    assert np.argmax(psi[:, 1]) == 3  # 0.37 lies nearest the grid point 3/8


# ----- checklist 12: the 1-D approximant ------------------------------------------


@SETTINGS
def test_one_dimensional_value_at_0_3(approx1, opts):
    value = approx1([0.3], **opts)[0]
    # f̂(0.3) from formula() (17 digits, 2e-17 off); measured 1.5e-16 tight,
    # 1.6e-12 loose (solve_tol 1e-9 | 1e-5)
    assert abs(value - 0.12496317744397575) <= solve_tol(opts)
    # the checklist's values have three digits: half a unit of the last.  Both
    # are fixed quantities (the formula, and a max of a sum of expit products:
    # rounding 1e-15); measured 2.3e-8 (1.6477e-5) and 4.3e-8 (8.9457e-5),
    # the rounding of the printed values themselves: margins 2.2× and 1.2×
    assert abs(approx1.formula([0.3])[0] - F1(0.3)) == pytest.approx(1.65e-5, abs=5e-8)
    assert approx1.bound() == pytest.approx(8.95e-5, abs=5e-8)
    assert abs(value - F1(0.3)) <= approx1.bound()


def test_one_dimensional_width_and_depth(approx1):
    assert (approx1.width, approx1.depth) == (19, 3)
    assert approx1.program.width == 19  # no lifted states: every term is quadratic
    labels = [segment.label for segment in approx1.schedule]
    assert labels == ["init", "logistic", "accumulate"]


@pytest.mark.parametrize(("n", "N"), [(1, 4), (2, 5), (3, 8), (4, 6), (6, 3)])
def test_counts_follow_the_formulas(n, N):
    approx = SobolevApproximant(SineRidge(0.5**n, (2.0,)), n=n, N=N)
    assert approx.width == 2 * N + max(n, 2)
    assert approx.depth == max(3, n - 1)


def test_ode_matches_the_formula_on_a_grid(approx1):
    X = np.linspace(0.0, 1.0, 41)
    # run()'s default DOP853 at rtol 1e-10: solve_tol 1e-9; measured 9.7e-17
    assert np.max(np.abs(approx1(X) - approx1.formula(X))) <= solve_tol(TIGHT)


def test_error_falls_like_n_cubed():
    X = np.linspace(0.0, 1.0, 41)
    errors = []
    for N in (4, 8, 16, 32):
        approx = SobolevApproximant(F1, n=3, N=N, gamma=4.0)
        error = np.max(np.abs(approx(X) - F1(X)))
        # a truncation constant, not rounding: measured 0.01961, 0.02193, 0.02216,
        # 0.02246 (N = 4 .. 32), 9% above the floor; the solve moves it by at
        # most solve_tol 1e-9 × 32³ = 3.3e-5, 50× below that 1.6e-3 gap
        assert 0.018 <= error * N**3 <= 0.026, (N, error * N**3)
        assert error <= approx.bound()
        errors.append(error)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    # 2³ = 8 per doubling, times the drift of the constant above: measured
    # 7.16, 7.91, 7.90 (truncation, not rounding)
    assert np.all((ratios > 6.0) & (ratios < 10.0))


def test_polynomials_of_low_degree_are_reproduced_exactly():
    # P_m = f at every grid point when deg f < n, and the ψ_m sum to 1
    def quadratic(x, order):
        return [x * x - 0.3 * x + 0.1, 2 * x - 0.3, 2.0, 0.0][order]

    approx = SobolevApproximant(quadratic, n=3, N=5)
    X = np.array([0.0, 0.21, 0.5, 0.93, 1.0])
    # P_k - P_{k-1} ≡ 0, so the steps' solver error cancels: rounding only,
    # of the (N + 1) K terms c ψ x^β (|c| ≤ 2, ψ and x^β ≤ 1), eps × |c|
    # × 4 operations each → 144 eps = 3.2e-14; measured 5.6e-16, margin 57×
    tol = 8 * (approx.N + 1) ** approx.d * len(approx.exponents) * EPS
    assert np.max(np.abs(approx(X) - (X * X - 0.3 * X + 0.1))) <= tol


@pytest.mark.parametrize("n", [1, 2, 4])
def test_error_bound_holds_for_other_orders(n):
    f = SineRidge(0.5**n, (2.0,), 1.0)
    X = np.linspace(0.0, 1.0, 201)
    approx = SobolevApproximant(f, n=n, N=6, gamma=8.0)
    # the theorem's bound, no margin added: measured 27%, 99.0% and 98.4% of it
    # (n = 1, 2, 4); formula() rounds at 1e-16, far inside the 1% left
    assert np.max(np.abs(approx.formula(X) - f(X))) <= approx.bound()


# ----- checklist 13 and 15: the 2-D approximant with uncompute --------------------


@SETTINGS
def test_two_dimensional_value_and_clean_temporaries(approx2, opts):
    traj = approx2.run([[0.3, 0.8]], **opts)
    value = traj["out"][0, -1]
    # f̂ from formula() (17 digits, 5e-17 off); measured 3.5e-16 tight,
    # 1.3e-12 loose (solve_tol 2e-9 | 2e-5)
    assert abs(value - 0.11831319311007256) <= solve_tol(opts, d=2)
    assert abs(value - F2([0.3, 0.8])) <= approx2.bound()
    # two printed digits: half a unit of the last; measured 4.3e-6 (7.1565e-4,
    # a fixed quantity), margin 1.2×
    assert approx2.bound() == pytest.approx(7.2e-4, abs=5e-6)
    temporaries = [name for name in approx2.circuit.graph if str(name).startswith("G[")]
    assert len(temporaries) == 6  # 1, x1, x2, x1², x1 x2, x2²
    # build and uncompute integrate opposite constants (|G| ≤ 1): rounding
    # only, ≤ 2 eps per step → 7.4e-14 (166 steps) | 6.8e-14 (152); measured
    # 5.6e-17 | 4.2e-17, margin 1300×
    leftover = max(abs(traj[name][0, -1]) for name in temporaries)
    assert leftover <= 2 * EPS * traj.stats["steps"]


def test_two_dimensional_width_depth_and_formula(approx2):
    assert (approx2.width, approx2.depth) == (44, 29)
    X = np.array([[0.0, 0.0], [0.3, 0.8], [1.0, 0.45], [0.62, 1.0], [0.11, 0.29]])
    y = approx2(X)
    assert y.shape == (5,)
    # default DOP853 at rtol 1e-10: solve_tol 2e-9; measured 2.1e-16
    assert np.max(np.abs(y - approx2.formula(X))) <= solve_tol(TIGHT, d=2)
    assert np.max(np.abs(y - F2(X))) <= approx2.bound()


def test_uncompute_cancels_with_frozen_sources(approx2):
    # the uncompute segments negate the build segments' constant right-hand
    # sides; no temporary reads itself or another temporary (no Riccati replay)
    segments = approx2.program.segments
    builds = [s for s, _ in segments if s.label.startswith("G ")]
    undos = [(s, system) for s, system in segments if s.label.startswith("uncompute")]
    assert len(builds) == len(undos) == 9
    for _, system in undos:
        lines = [line for line in str(system).splitlines() if line.startswith("G[")]
        assert len(lines) == 6 and all("G[" not in line.split("=")[1] for line in lines)
    for build, (undo, _) in zip(builds, undos, strict=True):
        assert {k: -v["k"] for k, v in build.settings.items()} == {
            k: v["k"] for k, v in undo.settings.items()
        }


def test_two_dimensional_polynomial_is_reproduced():
    def poly(x, alpha):  # f = x1 x2 + x2² - 0.5 x1
        x1, x2 = x
        table = {(0, 0): x1 * x2 + x2 * x2 - 0.5 * x1, (1, 0): x2 - 0.5,
                 (0, 1): x1 + 2 * x2, (1, 1): 1.0, (0, 2): 2.0}  # fmt: skip
        return table.get(tuple(alpha), 0.0)

    approx = SobolevApproximant(poly, n=3, N=3, d=2)
    X = np.array([[0.1, 0.9], [0.5, 0.5], [1.0, 0.0]])
    exact = X[:, 0] * X[:, 1] + X[:, 1] ** 2 - 0.5 * X[:, 0]
    # rounding only, as in 1-D: 8 eps × (N + 1)² K = 768 eps = 1.7e-13;
    # measured 3.3e-16, margin 500×
    tol = 8 * (approx.N + 1) ** approx.d * len(approx.exponents) * EPS
    assert np.max(np.abs(approx(X) - exact)) <= tol


# ----- the constant c_{γ,n} and the inputs ---------------------------------------

# c_{γ,n} for γ = 2, 4, 8, 16, from the construction's notes, three decimals:
# half a unit of the last (5e-4; the computed constant is a smooth max found on
# a 1e-6 grid, good to 1e-12); measured ≤ 3.8e-4 (n = 3, γ = 2: the rounding of
# the printed values themselves), margin 1.3× on fixed quantities
NOTES_TABLE = {
    1: (0.780, 0.537, 0.501, 0.500),
    2: (0.907, 0.325, 0.251, 0.250),
    3: (1.542, 0.275, 0.127, 0.125),
    4: (3.269, 0.319, 0.066, 0.0625),
}


@pytest.mark.parametrize("n", sorted(NOTES_TABLE))
def test_partition_constant_matches_the_table(n):
    for gamma, expected in zip((2.0, 4.0, 8.0, 16.0), NOTES_TABLE[n], strict=True):
        assert partition_constant(gamma, n) == pytest.approx(expected, abs=5e-4)
    # at γ = 64 the bumps beyond the two nearest weigh e^-64; a rounded sum of
    # ≤ 60 terms → 64 eps relative = 1.4e-14; measured 0 (n = 1 .. 4)
    assert partition_constant(64.0, n) == pytest.approx(2.0**-n, abs=0, rel=64 * EPS)


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan")])
def test_inputs_outside_the_unit_interval_are_refused_before_simulating(bad):
    approx = SobolevApproximant(F1, n=3, N=4)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]\^1"):
        approx([0.5, bad])
    assert "program" not in vars(approx)  # nothing was compiled, let alone run
    with pytest.raises(ValueError, match="must lie in"):
        approx.formula([bad])


def test_two_dimensional_inputs_are_checked():
    approx = SobolevApproximant(F2, n=2, N=2, d=2)
    with pytest.raises(ValueError, match=r"\[1\.5, 0\.2\]"):
        approx([[0.1, 0.2], [1.5, 0.2]])
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        approx([0.1, 0.2, 0.3])
    assert "program" not in vars(approx)


def test_bad_parameters_are_listed():
    with pytest.raises(ValueError) as info:
        SobolevApproximant(F1, n=0, N=2.5, gamma=-1.0, d=3)
    message = str(info.value)
    for part in ("n must be an integer >= 1", "N must be an integer >= 1",
                 "gamma must be a positive", "d must be 1 or 2"):  # fmt: skip
        assert part in message
    with pytest.raises(ValueError, match="derivative"):
        SobolevApproximant(None, n=2, N=2)
