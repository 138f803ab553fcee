"""The catalog: every circuit against its reference, plus the acceptance values.

Each entry is simulated with the solver settings of its ``CHECK`` and compared,
signal by signal, with its module's reference (closed form, conserved quantity
or an independent solve of a hand-written right-hand side).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from scipy import special
from scipy.integrate import solve_ivp

import circuits
from analyzer import BLOCKS, compile_circuit, simulate
from circuits import (
    bessel,
    damped_oscillator,
    heat_equation,
    lotka_volterra,
    oscillator_chain,
    pendulum,
    robertson,
    van_der_pol,
    vertical_shot,
)

IMPLICIT = ("Radau", "BDF", "LSODA")


def max_error(traj, ref: dict) -> tuple[float, str]:
    """The largest absolute error over all referenced signals, and where."""
    errors = {
        name: float(np.max(np.abs(traj[name] - value))) for name, value in ref.items()
    }
    worst = max(errors, key=errors.__getitem__)
    return errors[worst], worst


def run_check(entry, **overrides):
    """Simulate an entry over the span of its check's t_eval."""
    check = {**entry.check, **overrides}
    t_eval = np.asarray(check["t_eval"])
    return simulate(
        entry.build(**entry.params),
        (float(t_eval[0]), float(t_eval[-1])),
        t_eval=t_eval,
        rtol=check["rtol"],
        atol=check["atol"],
        method=check.get("method", "auto"),
    )


# ----- every entry -----------------------------------------------------------


@pytest.mark.parametrize("name", list(circuits.CATALOG))
def test_entry_matches_reference(name):
    entry = circuits.get(name)
    traj = run_check(entry)
    ref = entry.reference(traj.t, **entry.params)
    assert set(ref) <= set(traj.names)
    error, worst = max_error(traj, ref)
    assert error <= entry.check["tol"], f"{name}: {worst} off by {error:.3e}"


@pytest.mark.parametrize("name", list(circuits.CATALOG))
def test_entry_is_complete(name):
    entry = circuits.get(name)
    module = entry.module
    assert entry.name == name
    assert entry.title.strip() and "\n" not in entry.title
    doc = inspect.getdoc(module)
    assert doc and len(doc.splitlines()) > 3
    assert doc.splitlines()[0] == entry.title + "."
    for func in (entry.build, entry.reference):
        assert inspect.getdoc(func), f"{name}.{func.__name__} has no docstring"

    circuit = entry.build(**entry.params)
    blocks = set(circuit.graph.nodes)
    kinds = {kind for _, kind in circuit.graph.nodes(data="kind")}
    assert kinds <= set(BLOCKS)
    assert entry.probes and set(entry.probes) <= blocks
    system = compile_circuit(circuit, t0=entry.t_span[0])
    assert set(system.blocks) == blocks

    # PARAMS are exactly the defaults of build() and reference().
    for func in (entry.build, entry.reference):
        defaults = {
            p.name: p.default
            for p in inspect.signature(func).parameters.values()
            if p.kind is p.KEYWORD_ONLY
        }
        assert defaults == dict(entry.params), func.__name__

    t_eval = np.asarray(entry.check["t_eval"])
    assert t_eval[0] == entry.t_span[0] and t_eval[-1] <= entry.t_span[1]
    assert np.all(np.diff(t_eval) > 0)
    assert (
        entry.check["tol"] > 0 and entry.check["rtol"] > 0 and entry.check["atol"] > 0
    )
    ref = entry.reference(t_eval[:3], **entry.params)
    assert set(ref) <= blocks
    assert all(np.shape(v) == (3,) for v in ref.values())


def test_catalog_order_and_lookup():
    assert list(circuits.CATALOG) == [
        "sine_cosine",
        "damped_oscillator",
        "exponential_decay",
        "lorenz",
        "van_der_pol",
        "robertson",
        "bessel",
        "vertical_shot",
        "pendulum",
        "lotka_volterra",
        "oscillator_chain",
        "heat_equation",
        "sqrt_one_plus_t",
        "gaussian_erf_chirp",
        "euler_spiral",
        "pendulum_sin",
        "michaelis_menten",
        "projectile_drag",
        "exterior_ballistics",
        "kepler",
    ]
    assert circuits.get("bessel").module is bessel
    with pytest.raises(ValueError, match="known circuits: sine_cosine, "):
        circuits.get("no_such_circuit")


@pytest.mark.parametrize("zeta", [-0.05, 0.0, 0.3, 1.0, 1.0 + 1e-9, 2.5])
def test_damped_oscillator_every_regime(zeta):
    """Underdamped, critical and overdamped branches of the closed form.

    The overdamped case has a fast transient (rate 9.6 for ζ = 2.5), so the
    solver runs at rtol 1e-12; the error is then near 1e-11.
    """
    params = {"zeta": zeta, "omega": 2.0, "x0": 0.5, "v0": -1.0}
    t_eval = np.linspace(0.0, 10.0, 41)
    traj = simulate(
        damped_oscillator.build(**params),
        (0.0, 10.0),
        t_eval=t_eval,
        rtol=1e-12,
        atol=1e-14,
    )
    error, worst = max_error(traj, damped_oscillator.reference(t_eval, **params))
    assert error <= 1e-9, f"{worst} off by {error:.3e}"


@pytest.mark.parametrize(
    ("module", "params"),
    [
        ("damped_oscillator", {"omega": 0.0}),
        ("damped_oscillator", {"zeta": math.nan}),
        ("vertical_shot", {"k": -1.0}),
        ("pendulum", {"theta0": 4.0}),
        ("lotka_volterra", {"x0": 0.0}),
        ("oscillator_chain", {"n": 0}),
        ("oscillator_chain", {"n": 2.5}),
        ("heat_equation", {"n": True}),
    ],
)
def test_bad_parameters_are_refused(module, params):
    entry = circuits.get(module)
    with pytest.raises(ValueError, match=module):
        entry.build(**params)


# ----- acceptance values -----------------------------------------------------


def test_bessel_first_zero():
    traj = simulate(bessel.build(), (1.0, 20.0), rtol=1e-11, atol=1e-12)
    zeros = traj.crossings("y", 0.0)
    assert abs(zeros[0] - 2.404825557695773) <= 1e-7
    assert abs(zeros[0] - special.jn_zeros(0, 1)[0]) <= 1e-7
    # every zero of J0 below 20, not only the first
    np.testing.assert_allclose(zeros, special.jn_zeros(0, 6), rtol=0, atol=1e-7)


def test_van_der_pol_x10():
    traj = simulate(
        van_der_pol.build(), (0.0, 10.0), t_eval=[10.0], rtol=1e-11, atol=1e-12
    )
    assert abs(traj["x"][-1] - van_der_pol.reference([10.0])["x"][0]) <= 1e-7


def test_van_der_pol_stiff_mu_1000():
    mu = 1000.0
    traj = simulate(van_der_pol.build(mu=mu), (0.0, 3000.0), method="auto")
    assert traj.t[-1] == 3000.0
    assert traj.stats["method"].split("→")[-1] in IMPLICIT, traj.stats
    assert traj.stats["nlu"] > 0

    # the zero crossings against an independent Radau solve with events
    def rhs(_t, u):
        x, v = u
        return [v, mu * (1.0 - x * x) * v - x]

    def jac(_t, u):
        x, v = u
        return [[0.0, 1.0], [-2.0 * mu * x * v - 1.0, mu * (1.0 - x * x)]]

    ref = solve_ivp(
        rhs,
        (0.0, 3000.0),
        [2.0, 0.0],
        method="Radau",
        jac=jac,
        rtol=1e-10,
        atol=1e-12,
        events=lambda _t, u: u[0],
    )
    crossings = traj.crossings("x", 0.0)
    np.testing.assert_allclose(crossings, ref.t_events[0], rtol=0, atol=1e-5)
    # Dorodnitsyn's asymptotic period (3 - 2 ln 2) μ + 3 a μ^(-1/3) - (2/3) ln μ / μ
    airy_zero = 2.338107410459767
    period = (3 - 2 * math.log(2)) * mu + 3 * airy_zero * mu ** (-1 / 3)
    period -= 2 / 3 * math.log(mu) / mu
    assert abs(2 * (crossings[2] - crossings[1]) - period) < 0.01


def test_robertson_to_4e5_and_conservation():
    t_eval = np.concatenate(([0.0], np.geomspace(1e-5, 4e5, 40)))
    traj = simulate(
        robertson.build(), (0.0, 4e5), t_eval=t_eval, rtol=1e-10, atol=1e-14
    )
    assert traj.stats["method"].split("→")[-1] in IMPLICIT, traj.stats
    ref = robertson.reference(t_eval)
    error, worst = max_error(traj, ref)
    assert error <= 1e-9, f"{worst} off by {error:.3e}"
    # y2 is tiny (at most 3.7e-5): hold it to a relative standard as well
    scale = np.max(np.abs(ref["y2"]))
    assert np.max(np.abs(traj["y2"] - ref["y2"])) <= 1e-8 * scale
    total = traj["y1"] + traj["y2"] + traj["y3"]
    assert np.max(np.abs(total - 1.0)) <= 1e-12
    assert abs(traj["y1"][-1] - 4.938e-3) < 1e-6  # the published value at t = 4e5


def test_oscillator_chain_100_at_t100():
    n = 100
    traj = simulate(
        oscillator_chain.build(n=n),
        (0.0, 100.0),
        t_eval=[0.0, 50.0, 100.0],
        rtol=1e-11,
        atol=1e-12,
    )
    ref = oscillator_chain.reference(traj.t, n=n)
    error, worst = max_error(traj, ref)
    assert error <= 1e-7, f"{worst} off by {error:.3e}"


def test_heat_equation_auto_is_accurate_and_implicit():
    entry = circuits.get("heat_equation")
    traj = run_check(entry, method="auto")
    assert traj.stats["method"].split("→")[-1] in IMPLICIT, traj.stats
    error, worst = max_error(traj, entry.reference(traj.t, **entry.params))
    assert error <= entry.check["tol"], f"{worst} off by {error:.3e}"


@pytest.mark.parametrize("n", [9, 19, 49, 99])
def test_heat_equation_is_second_order_close_to_the_pde(n):
    h = 1.0 / (n + 1)
    t = np.linspace(0.0, 1.0, 201)
    x = np.arange(1, n + 1) * h
    ref = heat_equation.reference(t, n=n)
    semi = np.array([ref[f"u{i}"] for i in range(1, n + 1)])
    pde = np.sin(np.pi * x)[:, None] * np.exp(-(np.pi**2) * t)
    distance = np.max(np.abs(semi - pde))
    assert 0.2 * h**2 < distance < 0.31 * h**2  # ≈ π² h² / (12 e) = 0.3 h²


def test_pendulum_period():
    traj = simulate(pendulum.build(), (0.0, 12.0), rtol=1e-11, atol=1e-12)
    down = traj.crossings("theta", 0.0, direction=-1)
    assert len(down) >= 4
    np.testing.assert_allclose(np.diff(down), pendulum.period(), rtol=0, atol=1e-8)
    # the large swing is far from the small-angle period 2π √(L/g)
    assert pendulum.period() > 1.2 * 2 * math.pi / math.sqrt(9.81)


def test_lotka_volterra_invariant():
    entry = circuits.get("lotka_volterra")
    traj = run_check(entry)
    v = lotka_volterra.invariant(traj["x"], traj["y"], **entry.params)
    assert np.max(np.abs(v - v[0])) <= 1e-8


def test_vertical_shot_apex():
    params = vertical_shot.PARAMS
    apex = vertical_shot.apex_time(**params)
    traj = simulate(vertical_shot.build(), (0.0, apex), rtol=1e-11, atol=1e-12)
    g, k, v0 = params["g"], params["k"], params["v0"]
    h_max = math.log(math.sqrt(1.0 + k * v0**2 / g)) / k  # ln(1/cos φ0)/k
    assert abs(traj["v"][-1]) <= 1e-8
    assert abs(traj["h"][-1] - h_max) <= 1e-8
    # drag shortens the flight: the apex comes before v0/g
    assert apex < v0 / g


# ----- circuits with function blocks -----------------------------------------


@pytest.mark.parametrize(
    ("module", "params"),
    [
        ("pendulum_sin", {"theta0": -4.0}),
        ("pendulum_sin", {"length": 0.0}),
        ("michaelis_menten", {"km": -1.0}),
        ("michaelis_menten", {"divider": "diode"}),
        ("projectile_drag", {"elevation": 90.0}),
        ("projectile_drag", {"k": math.inf}),
        ("exterior_ballistics", {"scale_height": 0.0}),
        ("kepler", {"e": 1.0}),
        ("kepler", {"mu": -1.0}),
    ],
)
def test_function_block_entries_refuse_bad_parameters(module, params):
    entry = circuits.get(module)
    with pytest.raises(ValueError, match=module):
        entry.build(**params)


def function_state(traj, name: str) -> np.ndarray:
    """A state the compiler made for a function block, as integrated."""
    return traj.states[traj.system.names.index(name)]


def test_function_states_are_integrated_accurately():
    """The integrated function states, not only the signals read from the clock.

    A function block's signal is read from the base states (the clock here),
    so the generic check sees the function states only through the
    integrators they feed; these compare the states themselves.
    """
    t_eval = np.linspace(0.0, 4.0, 41)
    t2 = t_eval**2

    root = simulate(
        circuits.get("sqrt_one_plus_t").build(), (0.0, 4.0), t_eval=t_eval,
        rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    np.testing.assert_allclose(
        function_state(root, "root"), np.sqrt(1.0 + t_eval), rtol=0, atol=1e-11
    )
    np.testing.assert_allclose(
        function_state(root, "root.reciprocal"), 1.0 / (1.0 + t_eval), atol=1e-11
    )

    chirp = simulate(
        circuits.get("gaussian_erf_chirp").build(), (0.0, 4.0), t_eval=t_eval,
        rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    expected = {"gauss": np.exp(-t2), "chirp": np.sin(t2), "chirp.cos": np.cos(t2)}
    for name, value in expected.items():
        np.testing.assert_allclose(
            function_state(chirp, name), value, rtol=0, atol=1e-10, err_msg=name
        )


def test_pendulum_sin_runs_like_the_hand_wired_pendulum():
    t_eval = np.linspace(0.0, 10.0, 101)
    runs = [
        simulate(module.build(), (0.0, 10.0), t_eval=t_eval, rtol=1e-11, atol=1e-12)
        for module in (pendulum, circuits.get("pendulum_sin").module)
    ]
    assert runs[0].system.n == runs[1].system.n == 4
    for name in ("theta", "omega", "torque"):
        np.testing.assert_allclose(runs[1][name], runs[0][name], rtol=0, atol=1e-9)


def test_michaelis_menten_implicit_divider():
    """The analog computer's divider loop gives the Lambert W closed form too."""
    entry = circuits.get("michaelis_menten")
    params = {**entry.params, "divider": "loop"}
    circuit = entry.build(**params)
    kinds = {kind for _, kind in circuit.graph.nodes(data="kind")}
    assert kinds == {"integrator", "adder", "multiplier", "gain", "constant"}
    t_eval = np.asarray(entry.check["t_eval"])
    traj = simulate(circuit, entry.t_span, t_eval=t_eval, rtol=1e-11, atol=1e-12)
    error, worst = max_error(traj, entry.reference(t_eval, **params))
    assert error <= entry.check["tol"], f"{worst} off by {error:.3e}"
    # the product is what the substrate lost
    np.testing.assert_allclose(traj["S"] + traj["P"], params["s0"], atol=1e-12)


def test_michaelis_menten_closed_form_solves_the_equation():
    """S = Km W(...) satisfies S' = -Vmax S/(Km + S), by finite differences."""
    mm = circuits.get("michaelis_menten").module
    t, h = np.linspace(0.1, 5.0, 50), 1e-5
    slope = (mm.substrate(t + h) - mm.substrate(t - h)) / (2 * h)
    s = mm.substrate(t)
    np.testing.assert_allclose(slope, -s / (0.5 + s), rtol=1e-8, atol=1e-10)


def test_projectile_drag_vacuum_limit_is_the_parabola():
    entry = circuits.get("projectile_drag")
    params = {**entry.params, "k": 0.0}
    t_eval = np.linspace(0.0, 8.0, 81)
    traj = simulate(
        entry.build(**params), (0.0, 8.0), t_eval=t_eval, rtol=1e-12, atol=1e-12
    )
    v0, g = params["v0"], params["g"]
    angle = math.radians(params["elevation"])
    x = v0 * math.cos(angle) * t_eval
    y = v0 * math.sin(angle) * t_eval - 0.5 * g * t_eval**2
    np.testing.assert_allclose(traj["x"], x, rtol=0, atol=1e-9)
    np.testing.assert_allclose(traj["y"], y, rtol=0, atol=1e-9)
    # and the reference agrees with it (k = 0 is a valid reference run)
    ref = entry.reference(t_eval, **params)
    np.testing.assert_allclose(ref["y"], y, rtol=0, atol=1e-9)
    # drag shortens the range
    landing = traj.crossings("y", 0.0, direction=-1)[0]
    assert landing == pytest.approx(2 * v0 * math.sin(angle) / g, abs=1e-9)
    dragged = simulate(entry.build(**entry.params), (0.0, 7.0), rtol=1e-10)
    assert dragged.crossings("y", 0.0, direction=-1)[0] < landing - 0.5


def test_exterior_ballistics_thin_air_carries_further():
    """With a constant density (H → ∞) the shell falls short of the thin-air one."""
    entry = circuits.get("exterior_ballistics")
    ranges = []
    for height in (entry.params["scale_height"], 1e12):
        params = {**entry.params, "scale_height": height}
        traj = simulate(entry.build(**params), (0.0, 90.0), rtol=1e-10, atol=1e-12)
        landing = traj.crossings("y", 0.0, direction=-1)[0]
        ranges.append(entry.reference([landing], **params)["x"][0])
    assert ranges[0] == pytest.approx(26.59, abs=0.01)  # km
    assert ranges[1] == pytest.approx(21.69, abs=0.01)


def test_kepler_conserves_energy_and_angular_momentum():
    kepler = circuits.get("kepler").module
    entry = circuits.get("kepler")
    traj = run_check(entry)
    energy, momentum = kepler.invariants(traj["x"], traj["y"], traj["vx"], traj["vy"])
    mu, a, e = (entry.params[k] for k in ("mu", "a", "e"))
    assert np.max(np.abs(energy + mu / (2 * a))) <= 1e-9
    assert np.max(np.abs(momentum - math.sqrt(mu * a * (1 - e * e)))) <= 1e-10
    # the orbit closes: back at perihelion after each period
    perihelia = traj.crossings("y", 0.0, direction=+1)
    np.testing.assert_allclose(np.diff(perihelia), kepler.period(), atol=1e-8)


def test_kepler_equation_solved_to_machine_precision():
    kepler = circuits.get("kepler").module
    mean = np.linspace(-30.0, 30.0, 2001)
    for e in (0.0, 0.5, 0.9, 0.999):
        big_e = kepler.eccentric_anomaly(mean, e)
        assert np.max(np.abs(big_e - e * np.sin(big_e) - mean)) <= 1e-14
