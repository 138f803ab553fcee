"""Held states out of the integration: the reduced system is exact."""

import numpy as np
import pytest

from analyzer import Circuit, compile_circuit, simulate
from analyzer.freeze import Frozen, moving_states

EPS = np.finfo(float).eps
# Tolerances (issue 10): each a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  The reduced rates and
# Jacobian fold the held states into constants, summed in another order:
# ≤ 4 roundings of terms totalling ≤ 16 (states ≤ 2.5 in size here) → 64 eps
# = 1.4e-14; measured 2.2e-16 (rates) and 0 (Jacobian), margin 64×
REDUCED = 4 * 16 * EPS


def circuit():
    """h (held) feeds z linearly; x (held) multiplies r; q (held) is squared."""
    c = Circuit()
    for name, value in (("h", 0.7), ("x", -1.3), ("q", 2.0), ("z", 0.1), ("r", 0.4)):
        c.integrator(name, initial=value)
    c.constant("one", value=1.0)
    for name, a, b in (
        ("xr", "x", "r"),
        ("rr", "r", "r"),
        ("qq", "q", "q"),
        ("zr", "z", "r"),
    ):
        c.multiplier(name)
        c.connect(a, name)
        c.connect(b, name)
    c.connect("h", "z", weight=2.0)  # z' = 2h + 0.5 + q² - z r
    c.connect("one", "z", weight=0.5)
    c.connect("qq", "z")
    c.connect("zr", "z", weight=-1.0)
    c.connect("xr", "r")  # r' = x r - r²
    c.connect("rr", "r", weight=-1.0)
    c.connect("one", "h")  # h, x, q move only when operating
    c.connect("one", "x")
    c.connect("one", "q")
    return c


@pytest.mark.parametrize("batch", [None, 3])
def test_reduced_rhs_and_jacobian_are_the_full_ones_on_the_kept_states(batch):
    system = compile_circuit(circuit(), hold=["h", "x", "q"])
    moving = moving_states(system)
    assert [system.names[i] for i in np.flatnonzero(moving)] == ["r", "z"]
    rng = np.random.default_rng(0)
    m = batch or 1
    y = rng.normal(size=(system.n, m))
    y0 = y.ravel() if batch else y[:, 0]
    frozen = Frozen(system, y0, batch)
    kept = [system.names[i] for i in frozen.keep]
    assert kept == ["r", "x", "z"]  # x multiplies r; h and q only add constants
    z = frozen.z0 + 0.1
    full = frozen.expand(z)
    f_full = system.rhs(0.0, full.reshape(system.n, m) if batch else full)
    f_full = np.asarray(f_full).ravel()
    np.testing.assert_allclose(
        frozen.fun(0.0, z), f_full[frozen.flat_keep], rtol=0, atol=REDUCED
    )
    assert np.all(f_full[np.setdiff1d(np.arange(len(full)), frozen.flat_keep)] == 0)
    j_full = system.jac(0.0, full.reshape(system.n, m) if batch else full).toarray()
    j_reduced = frozen.jac(0.0, z).toarray()
    # (np.allclose's hidden defaults allowed 1e-8 + 1e-5 relative here)
    np.testing.assert_allclose(
        j_reduced,
        j_full[np.ix_(frozen.flat_keep, frozen.flat_keep)],
        rtol=0,
        atol=REDUCED,
    )


def test_a_segment_with_held_states_gives_the_unreduced_answer():
    # With every state operating nothing is reduced; hold and compare with the
    # closed form of the segment: z' = 2h + 0.5 + q² - z r, r' = x r - r².
    traj = simulate(
        circuit(), None, schedule=[(1.0, ["z", "r"])], t_eval=[1.0],
        method="DOP853", rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    from scipy.integrate import solve_ivp

    h, x, q = 0.7, -1.3, 2.0

    def rhs(t, u):
        z, r = u
        return [2 * h + 0.5 + q * q - z * r, x * r - r * r]

    ref = solve_ivp(rhs, (0, 1), [0.1, 0.4], method="DOP853", rtol=1e-13, atol=1e-14)
    # both rates contract (r' = (x - r) r with x < 0, z' = ... - r z with r > 0),
    # so the local errors add up without growth: (rtol 1e-12 + the reference's
    # 1e-13) × |z| ≤ 5.6 × 14 steps = 8.6e-11; measured 4.2e-14 (z) and 7.3e-15
    # (r), margin 2000×
    tol = (1e-12 + 1e-13) * 5.6 * traj.stats["steps"]
    assert traj["z"][-1] == pytest.approx(ref.y[0, -1], abs=tol)
    assert traj["r"][-1] == pytest.approx(ref.y[1, -1], abs=tol)
    assert (traj["h"][-1], traj["x"][-1], traj["q"][-1]) == (h, x, q)
