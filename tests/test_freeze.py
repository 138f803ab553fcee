"""Held states out of the integration: the reduced system is exact."""

import numpy as np
import pytest

from analyzer import Circuit, compile_circuit, simulate
from analyzer.freeze import Frozen, moving_states


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
    assert np.allclose(
        frozen.fun(0.0, z), f_full[frozen.flat_keep], rtol=1e-14, atol=1e-14
    )
    assert np.all(f_full[np.setdiff1d(np.arange(len(full)), frozen.flat_keep)] == 0)
    j_full = system.jac(0.0, full.reshape(system.n, m) if batch else full).toarray()
    j_reduced = frozen.jac(0.0, z).toarray()
    assert np.allclose(j_reduced, j_full[np.ix_(frozen.flat_keep, frozen.flat_keep)])


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
    assert traj["z"][-1] == pytest.approx(ref.y[0, -1], abs=1e-11)
    assert traj["r"][-1] == pytest.approx(ref.y[1, -1], abs=1e-11)
    assert (traj["h"][-1], traj["x"][-1], traj["q"][-1]) == (h, x, q)
