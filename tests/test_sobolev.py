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
    assert abs(psi.sum() - 1.0) <= 1e-12
    assert np.all(psi > 0)
    assert abs(traj["out"][0, -1] - 1.0) <= 1e-12  # accumulated by the circuit


def test_bumps_are_the_logistic_differences(approx1):
    x = np.array([0.0, 0.37, 0.5, 1.0])
    psi = approx1.bumps(approx1.run(x))
    a = (np.arange(1, 9) - 0.5) / 8
    S = 1 / (1 + np.exp(-32 * (x - a[:, None])))
    S = np.vstack([np.ones(4), S, np.zeros(4)])
    assert np.max(np.abs(psi - (S[:-1] - S[1:]))) < 1e-9
    assert np.argmax(psi[:, 1]) == 3  # 0.37 lies nearest the grid point 3/8


# ----- checklist 12: the 1-D approximant ------------------------------------------


@SETTINGS
def test_one_dimensional_value_at_0_3(approx1, opts):
    value = approx1([0.3], **opts)[0]
    assert abs(value - 0.12496317744397575) <= 1e-9
    error = abs(value - F1(0.3))
    assert error == pytest.approx(1.65e-5, abs=5e-8)
    assert approx1.bound() == pytest.approx(8.95e-5, rel=1e-3)
    assert error <= approx1.bound()


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
    assert np.max(np.abs(approx1(X) - approx1.formula(X))) <= 1e-9


def test_error_falls_like_n_cubed():
    X = np.linspace(0.0, 1.0, 41)
    errors = []
    for N in (4, 8, 16, 32):
        approx = SobolevApproximant(F1, n=3, N=N, gamma=4.0)
        error = np.max(np.abs(approx(X) - F1(X)))
        assert 0.018 <= error * N**3 <= 0.026, (N, error * N**3)
        assert error <= approx.bound()
        errors.append(error)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 6.0) & (ratios < 10.0))  # 2³ = 8 per doubling


def test_polynomials_of_low_degree_are_reproduced_exactly():
    # P_m = f at every grid point when deg f < n, and the ψ_m sum to 1
    def quadratic(x, order):
        return [x * x - 0.3 * x + 0.1, 2 * x - 0.3, 2.0, 0.0][order]

    approx = SobolevApproximant(quadratic, n=3, N=5)
    X = np.array([0.0, 0.21, 0.5, 0.93, 1.0])
    assert np.max(np.abs(approx(X) - (X * X - 0.3 * X + 0.1))) <= 1e-9


@pytest.mark.parametrize("n", [1, 2, 4])
def test_error_bound_holds_for_other_orders(n):
    f = SineRidge(0.5**n, (2.0,), 1.0)
    X = np.linspace(0.0, 1.0, 201)
    approx = SobolevApproximant(f, n=n, N=6, gamma=8.0)
    assert np.max(np.abs(approx.formula(X) - f(X))) <= approx.bound()


# ----- checklist 13 and 15: the 2-D approximant with uncompute --------------------


@SETTINGS
def test_two_dimensional_value_and_clean_temporaries(approx2, opts):
    traj = approx2.run([[0.3, 0.8]], **opts)
    value = traj["out"][0, -1]
    assert abs(value - 0.11831319311007256) <= 1e-9
    assert abs(value - F2([0.3, 0.8])) <= approx2.bound()
    assert approx2.bound() == pytest.approx(7.2e-4, rel=1e-2)
    temporaries = [name for name in approx2.circuit.graph if str(name).startswith("G[")]
    assert len(temporaries) == 6  # 1, x1, x2, x1², x1 x2, x2²
    assert max(abs(traj[name][0, -1]) for name in temporaries) <= 1e-12


def test_two_dimensional_width_depth_and_formula(approx2):
    assert (approx2.width, approx2.depth) == (44, 29)
    X = np.array([[0.0, 0.0], [0.3, 0.8], [1.0, 0.45], [0.62, 1.0], [0.11, 0.29]])
    y = approx2(X)
    assert y.shape == (5,)
    assert np.max(np.abs(y - approx2.formula(X))) <= 1e-9
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
    assert np.max(np.abs(approx(X) - exact)) <= 1e-9


# ----- the constant c_{γ,n} and the inputs ---------------------------------------

NOTES_TABLE = {  # c_{γ,n} for γ = 2, 4, 8, 16, from the construction's notes
    1: (0.780, 0.537, 0.501, 0.500),
    2: (0.907, 0.325, 0.251, 0.250),
    3: (1.542, 0.275, 0.127, 0.125),
    4: (3.269, 0.319, 0.066, 0.0625),
}


@pytest.mark.parametrize("n", sorted(NOTES_TABLE))
def test_partition_constant_matches_the_table(n):
    for gamma, expected in zip((2.0, 4.0, 8.0, 16.0), NOTES_TABLE[n], strict=True):
        assert partition_constant(gamma, n) == pytest.approx(expected, abs=6e-4)
    assert partition_constant(64.0, n) == pytest.approx(2.0**-n, rel=1e-9)


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
