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
EPS = np.finfo(float).eps

# Tolerances (issue 10).  Each is a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  Solver bounds read
# rtol × signal size × G, where G is the growth of the global over the local
# error the run is allowed (the catalog's CHECK comments state each circuit's);
# a tolerance built on a CHECK "tol" inherits that derivation.


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
    # rtol 1e-12 × |signals| ≤ 10 × G 100 → 1e-9; measured ≤ 1.1e-11 (ζ = -0.05),
    # margin 90×
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
    # the CHECK's run: y is within its tol 1e-8, so a zero moves by at most
    # tol / |J0'| = 1e-8 / min|J1(j_k)| 0.188 → 5.3e-8 (the 16 printed digits
    # of j_01 add 5e-16); measured 9e-14 (first), 1.9e-11 (all six); margin 2800×
    tol = bessel.CHECK["tol"] / np.min(np.abs(special.j1(special.jn_zeros(0, 6))))
    assert abs(zeros[0] - 2.404825557695773) <= tol
    assert abs(zeros[0] - special.jn_zeros(0, 1)[0]) <= tol
    # every zero of J0 below 20, not only the first
    np.testing.assert_allclose(zeros, special.jn_zeros(0, 6), rtol=0, atol=tol)


def test_van_der_pol_x10():
    traj = simulate(
        van_der_pol.build(), (0.0, 10.0), t_eval=[10.0], rtol=1e-11, atol=1e-12
    )
    # the CHECK's solver settings, so its tol 1e-8; measured 1.6e-12, margin 6000×
    error = abs(traj["x"][-1] - van_der_pol.reference([10.0])["x"][0])
    assert error <= van_der_pol.CHECK["tol"]


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
    # simulate's default rtol 1e-8 bounds the phase error relative to the time
    # elapsed (the limit cycle is orbitally stable: no growth); the Radau
    # reference adds 1e-10 of it.  Measured 3.3e-8 s at t ≤ 2421 (1.4e-11
    # relative), margin 700×
    np.testing.assert_allclose(crossings, ref.t_events[0], rtol=1e-8, atol=0)
    # Dorodnitsyn's asymptotic period (3 - 2 ln 2) μ + 3 a μ^(-1/3) - (2/3) ln μ / μ
    airy_zero = 2.338107410459767
    period = (3 - 2 * math.log(2)) * mu + 3 * airy_zero * mu ** (-1 / 3)
    period -= 2 / 3 * math.log(mu) / mu
    # the series is cut before its O(1/μ) term (coefficient ≈ -1.32, then
    # O(μ^(-4/3) ln μ)): allow 10/μ = 0.01; measured 1.34e-3 (the truncation,
    # not rounding: the crossings are good to 3e-8), margin 7×
    assert abs(2 * (crossings[2] - crossings[1]) - period) < 10 / mu


def test_robertson_to_4e5_and_conservation():
    t_eval = np.concatenate(([0.0], np.geomspace(1e-5, 4e5, 40)))
    traj = simulate(
        robertson.build(), (0.0, 4e5), t_eval=t_eval, rtol=1e-10, atol=1e-14
    )
    assert traj.stats["method"].split("→")[-1] in IMPLICIT, traj.stats
    ref = robertson.reference(t_eval)
    error, worst = max_error(traj, ref)
    # the CHECK's rtol and atol, so its tol 1e-9; measured 3.6e-12, margin 280×
    assert error <= robertson.CHECK["tol"], f"{worst} off by {error:.3e}"
    # y2 is tiny (at most 3.7e-5): hold it to a relative standard as well:
    # per step rtol 1e-10 + atol 1e-14 / 3.7e-5 = 3.7e-10 relative × G 30
    # (stiff transient) → 1e-8; measured 4.3e-11, margin 230×
    scale = np.max(np.abs(ref["y2"]))
    assert np.max(np.abs(traj["y2"] - ref["y2"])) <= 1e-8 * scale
    # the rates sum to zero exactly, so only rounding moves the sum:
    # eps × 2 per step × steps (2048 here) → 9e-13; measured 1.6e-15, margin 500×
    total = traj["y1"] + traj["y2"] + traj["y3"]
    assert np.max(np.abs(total - 1.0)) <= 2 * EPS * traj.stats["steps"]
    # the published value at t = 4e5 has four digits: half a unit of the last
    # (5e-7) + the CHECK tol 1e-9; measured 2.7e-7 (the rounding of 4.93827e-3
    # itself; the solver's part is 1e-12), margin 1.8× on a fixed quantity
    assert abs(traj["y1"][-1] - 4.938e-3) <= 0.5e-6 + robertson.CHECK["tol"]


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
    # the CHECK's settings and span; its bound holds for any n (every mode is
    # slower than 2√k), so its tol 1e-8; measured 1.7e-10, margin 58×
    assert error <= oscillator_chain.CHECK["tol"], f"{worst} off by {error:.3e}"


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
    # a truncation order, not rounding (the closed forms are good to 1e-15):
    # π² h² / (12 e) = 0.30257 h² plus O(h⁴) and -8e-5 relative from sampling
    # t; measured 0.30255 h² .. 0.30277 h² (n = 99 .. 9), 2.4% below the cap
    assert 0.2 * h**2 < distance < 0.31 * h**2


def test_pendulum_period():
    traj = simulate(pendulum.build(), (0.0, 12.0), rtol=1e-11, atol=1e-12)
    down = traj.crossings("theta", 0.0, direction=-1)
    assert len(down) >= 4
    # each crossing is off by ≤ the CHECK tol 1e-7 / |ω| at the bottom
    # (2 √(g/L) sin(θ0/2) = 5.27), two crossings per period → 3.8e-8;
    # measured 1.6e-11, margin 2300×
    omega_max = 2 * math.sqrt(9.81) * math.sin(1.0)
    tol = 2 * pendulum.CHECK["tol"] / omega_max
    np.testing.assert_allclose(np.diff(down), pendulum.period(), rtol=0, atol=tol)
    # the large swing is far from the small-angle period 2π √(L/g)
    assert pendulum.period() > 1.2 * 2 * math.pi / math.sqrt(9.81)


def test_lotka_volterra_invariant():
    entry = circuits.get("lotka_volterra")
    traj = run_check(entry)
    v = lotka_volterra.invariant(traj["x"], traj["y"], **entry.params)
    # δV = (δx + γ) δx/x + (βy + α) δy/y: rtol 1e-11 relative × (3.3 + 5.4)
    # × G 100 (five cycles) → 8.7e-9 ≈ 1e-8; measured 4.2e-11, margin 240×
    assert np.max(np.abs(v - v[0])) <= 1e-8


def test_vertical_shot_apex():
    params = vertical_shot.PARAMS
    apex = vertical_shot.apex_time(**params)
    traj = simulate(vertical_shot.build(), (0.0, apex), rtol=1e-11, atol=1e-12)
    g, k, v0 = params["g"], params["k"], params["v0"]
    h_max = math.log(math.sqrt(1.0 + k * v0**2 / g)) / k  # ln(1/cos φ0)/k
    # rtol 1e-11 × |h| ≤ 103 (|v| ≤ 50) × G 10 → 1e-8; measured 2.6e-12 (v)
    # and 2.5e-12 (h), margin 3800×
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
    # rtol 1e-12 × |state| ≤ 2.3 × G 4 (smooth, decaying) → 1e-11; measured
    # 2.4e-13 (root) and 2.6e-13 (reciprocal), margin 38×
    np.testing.assert_allclose(
        function_state(root, "root"), np.sqrt(1.0 + t_eval), rtol=0, atol=1e-11
    )
    np.testing.assert_allclose(
        function_state(root, "root.reciprocal"),
        1.0 / (1.0 + t_eval),
        rtol=0,
        atol=1e-11,
    )

    chirp = simulate(
        circuits.get("gaussian_erf_chirp").build(), (0.0, 4.0), t_eval=t_eval,
        rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    expected = {"gauss": np.exp(-t2), "chirp": np.sin(t2), "chirp.cos": np.cos(t2)}
    # rtol 1e-12 × |state| ≤ 1 × G 100 (the phase t² turns 16 rad, ever
    # faster) → 1e-10; measured ≤ 1.8e-12 (chirp.cos), margin 55×
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
    # both are the CHECK's run of the same motion, each within its tol 1e-7 of
    # the closed form → 2e-7 apart; measured 0 (theta, omega) and 2.7e-10
    # (torque), margin 740×
    tol = 2 * pendulum.CHECK["tol"]
    for name in ("theta", "omega", "torque"):
        np.testing.assert_allclose(runs[1][name], runs[0][name], rtol=0, atol=tol)


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
    # the product is what the substrate lost: the rates cancel exactly, so
    # only rounding moves the sum: eps × s0 × 16 per step × steps (28 here)
    # → 2e-13; measured 8.9e-16, margin 220×
    np.testing.assert_allclose(
        traj["S"] + traj["P"],
        params["s0"],
        rtol=0,
        atol=16 * EPS * params["s0"] * traj.stats["steps"],
    )


def test_michaelis_menten_closed_form_solves_the_equation():
    """S = Km W(...) satisfies S' = -Vmax S/(Km + S), by finite differences."""
    mm = circuits.get("michaelis_menten").module
    t, h = np.linspace(0.1, 5.0, 50), 1e-5
    slope = (mm.substrate(t + h) - mm.substrate(t - h)) / (2 * h)
    s = mm.substrate(t)
    # truncation h² max|S'''| / 6 (|S'''| ≤ 0.21) + rounding: each S ≤ 2 good
    # to 16 ulp (exp of an argument up to 4, then W), two of them over 2h
    # → 3.5e-12 + 7.1e-10; measured 1.4e-11, margin 50×
    tol = h**2 * 0.21 / 6 + 2 * 16 * EPS * 2.0 / (2 * h)
    np.testing.assert_allclose(slope, -s / (0.5 + s), rtol=0, atol=tol)


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
    # Runge-Kutta methods integrate these quadratics exactly: only rounding is
    # left, eps × |x| ≤ 283 × 1600 operations (100 steps of 16 stages; both
    # solves take fewer) → 1e-10; measured ≤ 3.7e-13, margin 270×
    vacuum = 1e-10
    np.testing.assert_allclose(traj["x"], x, rtol=0, atol=vacuum)
    np.testing.assert_allclose(traj["y"], y, rtol=0, atol=vacuum)
    # and the reference agrees with it (k = 0 is a valid reference run)
    ref = entry.reference(t_eval, **params)
    np.testing.assert_allclose(ref["y"], y, rtol=0, atol=vacuum)
    # the landing time is off by the height error / the vertical speed 35.4,
    # plus brentq's 4 eps relative → 2.8e-12; measured 8.9e-16, margin 3000×
    landing = traj.crossings("y", 0.0, direction=-1)[0]
    exact = 2 * v0 * math.sin(angle) / g
    tol = vacuum / (v0 * math.sin(angle)) + 4 * EPS * exact
    assert landing == pytest.approx(exact, abs=tol)
    # drag shortens the range (by 0.63 s: physics, not a rounding bound)
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
    # the published ranges have two decimals: half a unit of the last (5 m;
    # the solve adds < 1e-6 km); measured 0.7 m and 1.2 m (the rounding of
    # 26.5907 and 21.6888 themselves), margin 4× on fixed quantities
    assert ranges[0] == pytest.approx(26.59, abs=0.005)  # km
    assert ranges[1] == pytest.approx(21.69, abs=0.005)


def test_kepler_conserves_energy_and_angular_momentum():
    kepler = circuits.get("kepler").module
    entry = circuits.get("kepler")
    traj = run_check(entry)
    energy, momentum = kepler.invariants(traj["x"], traj["y"], traj["vx"], traj["vy"])
    mu, a, e = (entry.params[k] for k in ("mu", "a", "e"))
    # rtol 1e-12 × their terms ≤ 2 (μ/r, v²/2, x vy) × G 400 (the CHECK's, two
    # orbits) → 8e-10 ≈ 1e-9; measured 1.7e-11 (energy), 9.5e-14 (momentum),
    # margin 60× and 10000×
    invariant_tol = 1e-9
    assert np.max(np.abs(energy + mu / (2 * a))) <= invariant_tol
    assert np.max(np.abs(momentum - math.sqrt(mu * a * (1 - e * e)))) <= invariant_tol
    # the orbit closes: back at perihelion after each period.  Each crossing is
    # off by ≤ the CHECK tol 1e-8 / the perihelion speed √(μ(1+e)/(a(1-e))),
    # two per period → 1.2e-8; measured 1.8e-12, margin 6000×
    perihelia = traj.crossings("y", 0.0, direction=+1)
    tol = 2 * entry.check["tol"] / math.sqrt(mu * (1 + e) / (a * (1 - e)))
    np.testing.assert_allclose(np.diff(perihelia), kepler.period(), rtol=0, atol=tol)


def test_kepler_equation_solved_to_machine_precision():
    kepler = circuits.get("kepler").module
    mean = np.linspace(-30.0, 30.0, 2001)
    # |E| < 31: rounding E (½ ulp, times 1 + e), the two subtractions (½ ulp
    # each) and the solve's last step (1 ulp) → 4 ulp(31) = 1.4e-14; measured
    # 1 ulp (3.6e-15), margin 4× (IEEE rounding, so the same on every machine)
    tol = 4 * np.spacing(31.0)
    for e in (0.0, 0.5, 0.9, 0.999):
        big_e = kepler.eccentric_anomaly(mean, e)
        assert np.max(np.abs(big_e - e * np.sin(big_e) - mean)) <= tol
