"""Elementary-function circuits (exp, 1/s, ln, tanh, logistic, ReLU surrogates).

Each circuit runs a whole grid of inputs in one vectorised, scheduled run and is
compared with numpy, at a tight (DOP853, rtol 1e-10) and a loose (RK45, rtol
1e-6) solver setting, with acceptance values known to full precision.
"""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import expit, lambertw

from analyzer import SimulationError, compile_circuit, simulate
from circuits.elementary import (
    RELU_GAP_SOFTPLUS,
    RELU_GAP_SWISH,
    affine_circuit,
    cubic_decay_circuit,
    exp_circuit,
    ln_circuit,
    logistic_circuit,
    product_circuit,
    reciprocal_circuit,
    softplus_circuit,
    square_circuit,
    steep_logistic_circuit,
    swish_circuit,
    tanh_circuit,
)

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}
SETTINGS = {"tight": TIGHT, "loose": LOOSE}
EPS = np.finfo(float).eps
# Integrating constants (affine), linear ramps (product, square) is exact for
# Runge-Kutta methods: only rounding is left, eps × |values| ≤ 3.25 × 1400
# operations → 1e-12; measured ≤ 7.1e-15 (both settings), margin 140×.
PRIMITIVES = 1e-12

# Tolerances (issue 10) are the setting's rtol × max(1, |f|) × G, G the growth
# of global over local error: tight (rtol 1e-10) G = 1 where every register is
# bounded, 10 where one grows (exp's e^2.5 = 12) or a Riccati register falls
# fast (1/s, ln, exp-ln softplus); loose (RK45, rtol 1e-6) G = 1, 10 or 100 the
# same way, measured below (numpy 2.4 / scipy 1.17) as the smallest margin over
# the points | the grid, tight / loose.

# name: (factory, grid, {setting: grid tolerance on |f - ref| / max(1, |ref|)},
#        checklist points (x, expected, tight tolerance, loose tolerance))
CASES = {
    "exp": (  # margins 88× | 98× tight, 31× | 42× loose
        exp_circuit,
        np.linspace(-3.0, 2.5, 12),
        {"tight": 1e-9, "loose": 1e-5},
        [
            (2.5, 12.182493960703473, 1e-8, 1e-4),
            (-3.0, 0.049787068367863944, 1e-9, 1e-5),
        ],
    ),
    "reciprocal": (  # margins 170× | 14× tight, 16× | 50× loose
        reciprocal_circuit,
        np.geomspace(0.05, 100.0, 17),
        {"tight": 1e-9, "loose": 1e-4},
        [(0.2, 5.0, 1e-8, 1e-4), (10.0, 0.1, 1e-9, 1e-5)],
    ),
    "ln": (  # margins 86× | 31× tight, 30× | 19× loose
        ln_circuit,
        np.geomspace(0.05, 100.0, 17),
        {"tight": 1e-9, "loose": 1e-5},
        [
            (0.05, -2.995732273553991, 1e-8, 1e-4),
            (100.0, 4.605170185988092, 1e-8, 1e-4),
        ],
    ),
    "tanh": (  # margins 38× | 70× tight, 120× | 130× loose
        tanh_circuit,
        np.linspace(-20.0, 20.0, 33),
        {"tight": 1e-10, "loose": 1e-5},
        [
            (-2.0, -0.9640275800758169, 1e-10, 1e-5),
            (0.3, 0.2913126124515909, 1e-10, 1e-5),
            (5.0, 0.9999092042625951, 1e-10, 1e-5),
        ],
    ),
    "logistic": (  # margins 170× | 2e4× tight, 280× | 1e4× loose
        logistic_circuit,
        np.linspace(-20.0, 20.0, 33),
        {"tight": 1e-10, "loose": 1e-6},
        [
            (-3.0, 0.04742587317756678, 1e-10, 1e-6),
            (2.0, 0.8807970779778823, 1e-10, 1e-6),
        ],
    ),
    "steep_logistic": (  # margins 140× | 3e4× tight, 27× | 2500× loose
        lambda: steep_logistic_circuit(32.0, 0.3125),
        np.linspace(0.0, 1.0, 33),
        {"tight": 1e-9, "loose": 1e-6},
        [(0.37, 0.8629487074245404, 1e-9, 1e-6)],
    ),
    "swish": (  # margins 120× | 6e4× tight, 68× | 4e4× loose
        lambda: swish_circuit(50.0),
        np.linspace(-2.0, 2.0, 33),
        {"tight": 1e-10, "loose": 1e-6},
        [(0.1, 0.09933071490757153, 1e-10, 1e-6)],
    ),
    "softplus": (  # margins 89× | 100× tight, 78× | 140× loose
        lambda: softplus_circuit(10.0),
        np.linspace(-2.0, 2.0, 33),
        {"tight": 1e-9, "loose": 1e-4},
        [(0.0, 0.06931471805599453, 1e-9, 1e-4), (1.0, 1.0000045398899218, 1e-9, 1e-4)],
    ),
    "softplus_logistic": (  # margins 4000× | 1200× tight, 1200× | 120× loose
        lambda: softplus_circuit(10.0, route="logistic"),
        np.linspace(-2.0, 2.0, 33),
        {"tight": 1e-10, "loose": 1e-6},
        [(0.0, 0.06931471805599453, 1e-9, 1e-4), (1.0, 1.0000045398899218, 1e-9, 1e-4)],
    ),
    "cubic_decay": (  # margins 630× | 900× tight, 25× | 44× loose
        cubic_decay_circuit,
        np.linspace(-3.0, 3.0, 13),
        {"tight": 1e-10, "loose": 1e-5},
        [(3.0, 0.4931969619160719, 1e-10, 1e-5)],
    ),
}


@pytest.fixture(scope="module")
def built():
    """Each circuit built (and its program compiled) once for the module."""
    return {name: case[0]() for name, case in CASES.items()}


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("name", list(CASES))
def test_checklist_values(built, name, setting):
    # the checklist points alone: in a batch the solver's step control is
    # shared, and a grid of harder inputs would make them look more accurate
    *_, points = CASES[name]
    got = built[name]([p[0] for p in points], **SETTINGS[setting])
    for (x0, expected, tight, loose), value in zip(points, got, strict=True):
        tol = tight if setting == "tight" else loose
        assert abs(value - expected) < tol, (name, x0, value - expected)


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("name", list(CASES))
def test_circuit_matches_numpy_on_a_grid(built, name, setting):
    _, grid, grid_tol, _ = CASES[name]
    f = built[name]
    got = f(grid, **SETTINGS[setting])  # one vectorised run
    assert got.shape == grid.shape
    reference = f.reference(grid)
    error = np.abs(got - reference) / np.maximum(1.0, np.abs(reference))
    assert error.max() < grid_tol[setting], (name, grid[error.argmax()], error.max())


@pytest.mark.parametrize(
    ("name", "width", "depth"),
    [
        ("exp", 2, 1),
        ("reciprocal", 2, 2),
        ("ln", 3, 2),
        ("tanh", 3, 1),
        ("logistic", 3, 2),
        ("steep_logistic", 3, 2),
        ("swish", 5, 3),
        ("softplus", 5, 4),
        ("softplus_logistic", 5, 2),
        ("cubic_decay", 2, 1),
    ],
)
def test_width_and_depth_are_the_papers(built, name, width, depth):
    f = built[name]
    assert (f.width, f.depth) == (width, depth)
    integrators = [
        n for n, a in f.circuit.graph.nodes(data=True) if a["kind"] == "integrator"
    ]
    lifted = 1 if name == "cubic_decay" else 0  # the compiler adds x^2 there
    assert f.program.width == width == len(integrators) + lifted


def test_the_logistic_program_switches_its_paths_by_settings(built):
    f = built["logistic"]
    equations = [str(system).split("\n") for _, system in f.program.segments]
    assert equations == [
        ["p' = 0.5", "r' = 0.5·x", "x' = 0"],
        ["p' = r - p·r", "r' = -r·r + r·x", "x' = 0"],
    ]
    x = np.array([-3.0, 0.5, 4.0])
    traj = simulate(
        f.circuit,
        None,
        schedule=f.program,
        initial={"x": x},
        t_eval=[1.0, 2.0],
        **TIGHT,
    )
    # after the init segment, which integrates constants: rounding only
    # (PRIMITIVES); measured 2.2e-16 and 8.9e-16
    assert np.allclose(traj["p"][:, 0], 0.5, rtol=0, atol=PRIMITIVES)
    assert np.allclose(traj["r"][:, 0], x / 2, rtol=0, atol=PRIMITIVES)
    # r = x p: the logistic case's tight tolerance; measured 6.8e-12, margin 15×
    tight = CASES["logistic"][2]["tight"]
    assert np.allclose(traj["r"][:, 1], x * expit(x), rtol=0, atol=tight)
    assert np.all(traj["x"] == x[:, None])  # the input register holds


def test_registers_outside_a_segment_hold(built):
    f = built["softplus"]
    assert [s.operate for s in f.schedule] == [("z",), ("e",), ("q",), ("q", "L")]
    traj = simulate(f.circuit, None, schedule=f.program, initial={"x": [0.3]}, **TIGHT)
    during = {label: (a, b) for a, b, label in traj.stats["segments"]}
    t = traj.t
    z_after = traj["z"][0, t >= during["exp"][0]]
    assert np.all(z_after == z_after[0]) and z_after[0] == pytest.approx(3.0, abs=1e-12)
    e_after = traj["e"][0, t >= during["load"][0]]
    # e = e^z - 1 came from the exp segment: the exp case's tight tolerance
    # 1e-9 relative to |e| = 19.1 → 1.9e-8 (it was 1e-9 absolute: margin 2.2×);
    # measured 4.5e-10, margin 42×
    e_tol = CASES["exp"][2]["tight"] * np.expm1(3.0)
    assert np.all(e_after == e_after[0]) and e_after[0] == pytest.approx(
        np.expm1(3.0), abs=e_tol
    )
    assert np.all(traj["L"][0, t <= during["ln"][0]] == 0.0)


def test_swish_gap_to_relu_is_kappa_over_beta():
    t_star = 1.0 + RELU_GAP_SWISH  # where t/(1 + e^t) peaks
    for beta in (10.0, 50.0):
        f = swish_circuit(beta)
        x = np.concatenate(
            [np.linspace(-2.0, 2.0, 41), [t_star / beta, -t_star / beta]]
        )
        gap = np.abs(f(x, **TIGHT) - np.maximum(x, 0.0))
        assert gap.max() <= 0.2785 / beta  # κ rounded up in its 4th digit
        assert f.relu_gap() == RELU_GAP_SWISH / beta  # the same division
        # attained at ±t*/β, to the swish case's tight tolerance 1e-10;
        # measured 5.9e-17, margin 1e6× (the program is exact to rounding here)
        tight = CASES["swish"][2]["tight"]
        assert abs(gap.max() - f.relu_gap()) < tight


@pytest.mark.parametrize(("beta", "route"), [(10.0, "exp-ln"), (50.0, "logistic")])
def test_softplus_gap_to_relu_is_ln2_over_beta_with_equality_at_zero(beta, route):
    f = softplus_circuit(beta, route=route)
    x = np.linspace(-2.0, 2.0, 41)  # includes 0
    gap = np.abs(f(x, **TIGHT) - np.maximum(x, 0.0))
    # ln 2 from math (the constant) and from numpy: allow their last bit
    assert f.relu_gap() == pytest.approx(np.log(2.0) / beta, rel=EPS, abs=0)
    # the case's tight tolerance (1e-9 exp-ln, 1e-10 logistic route);
    # measured 1.4e-17 and 5.2e-18, margin 7e7× and 2e7×
    tight = CASES["softplus" if route == "exp-ln" else "softplus_logistic"][2]["tight"]
    assert gap.max() <= f.relu_gap() + tight
    assert abs(gap[x == 0.0][0] - f.relu_gap()) < tight


# trial steps of the failing runs overflow before the solver gives up
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_riccati_registers_fail_loudly_beyond_floating_point_range():
    # the transient of w' = -w² from s - 1 lasts about 1/s; below the time
    # resolution the solver must stop, not return a wrong number
    with pytest.raises(SimulationError):
        ln_circuit()(1e14)
    # the ln case's tight tolerance (relative to |ln| 27.6 it would allow
    # 2.8e-8); measured 5.9e-12, margin 170×
    assert abs(ln_circuit()(1e12) - np.log(1e12)) < CASES["ln"][2]["tight"]
    with pytest.raises(SimulationError):
        softplus_circuit(10.0)(4.0)  # e^40 in the Riccati register
    x = np.array([-5.0, 4.0, 5.0])
    logistic_route = softplus_circuit(50.0, route="logistic")
    # the softplus_logistic case's tight tolerance 1e-10 (× max(1, |f|) = 5
    # would allow 5e-10); measured 4.6e-14, margin 2000×
    assert (
        np.max(np.abs(logistic_route(x) - np.logaddexp(0.0, 50.0 * x) / 50.0)) < 1e-10
    )


def test_relu_gap_constants():
    kappa = -minimize_scalar(
        lambda t: -t / (1.0 + np.exp(t)), bounds=(0.0, 5.0), method="bounded",
        options={"xatol": 1e-12},
    ).fun  # fmt: skip
    # the maximum is flat: the abscissa off by fminbound's √eps·t* moves it by
    # |f''|/2 · 4e-16 ≈ 4e-17, plus rounding t/(1 + e^t) (a few eps) → 8 eps;
    # measured 0
    assert pytest.approx(kappa, abs=8 * EPS) == RELU_GAP_SWISH
    # lambertw to a few ulp, e^-1 rounded (½ ulp, damped by W' < 1): 8 ulp of
    # 0.28 = 4.4e-16 → 1e-15; measured 0
    assert pytest.approx(lambertw(np.exp(-1.0)).real, abs=1e-15) == RELU_GAP_SWISH
    # math.log and np.log: allow the last bit
    assert np.log(2.0) == pytest.approx(RELU_GAP_SOFTPLUS, rel=EPS, abs=0)


def test_steep_logistic_gains_are_bounded_by_one():
    for beta, a in ((32.0, 0.3125), (8.0, -2.5)):
        f = steep_logistic_circuit(beta, a)
        for _, system in f.program.segments:
            coefficients = np.concatenate([system.A.data, system.C, system.b])
            assert np.max(np.abs(coefficients)) <= 1.0
        x = np.array([-3.0, -2.5, 0.37, 1.0])
        # the steep_logistic case's tight tolerance; measured ≤ 4.6e-13, 2000×
        tight = CASES["steep_logistic"][2]["tight"]
        assert np.max(np.abs(f(x, **TIGHT) - expit(beta * (x - a)))) < tight
    # the same check does fail for a circuit with large gains
    (_, swish_scale), *_ = swish_circuit(50.0).program.segments
    assert np.max(np.abs(swish_scale.A.data)) == 50.0


@pytest.mark.parametrize(
    ("factory", "bad", "shown"),
    [
        (reciprocal_circuit, 0.0, "got 0."),
        (reciprocal_circuit, [2.0, -1.0], "got -1."),
        (ln_circuit, -2.0, "got -2."),
        (ln_circuit, [np.nan, 0.0, 1.0], "got nan, 0."),
    ],
)
def test_inputs_outside_the_domain_are_refused_before_simulating(factory, bad, shown):
    f = factory()
    with pytest.raises(ValueError, match=r"must lie in \(0, inf\)") as info:
        f(bad)
    message = str(info.value)
    assert message.startswith(f"{f.name}: input 's'") and shown in message
    assert "program" not in vars(f)  # nothing was compiled, so nothing simulated


def test_domain_error_lists_a_few_of_many_bad_values():
    with pytest.raises(ValueError, match=r"got -1, -2, -3, -4, -5 and 2 more\."):
        reciprocal_circuit()(-np.arange(1.0, 8.0))


def test_lifting_is_done_by_the_compiler():
    f = cubic_decay_circuit(2.0)
    system = compile_circuit(f.circuit)
    assert system.names == ("x", "x^2")
    assert str(system).split("\n") == ["x' = -x·x^2", "x^2' = -2·x^2·x^2"]
    # the cubic_decay case's tolerances; measured 1.6e-13 and 4.0e-7 (630×, 25×)
    for setting, tol in CASES["cubic_decay"][2].items():
        assert abs(f(3.0, **SETTINGS[setting]) - 3.0 / np.sqrt(37.0)) < tol


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_affine_product_and_square_primitives(setting):
    affine = affine_circuit([[1.0, 2.0], [-0.5, 3.0]], [0.1, -1.0])
    assert (affine.width, affine.depth) == (4, 1)
    z = affine(0.3, -0.7, **SETTINGS[setting])
    # exact up to rounding (PRIMITIVES; was 1e-9); measured ≤ 7.1e-15
    assert np.max(np.abs(z - [-1.0, -3.25])) < PRIMITIVES
    h1, h2 = np.linspace(-1.0, 1.0, 5), np.linspace(2.0, -3.0, 5)
    assert np.allclose(
        affine(h1, h2, **SETTINGS[setting]),
        affine.reference(h1, h2),
        rtol=0,
        atol=PRIMITIVES,
    )
    assert abs(product_circuit()(1.7, -0.3, **SETTINGS[setting]) + 0.51) < PRIMITIVES
    assert abs(square_circuit()(1.7, **SETTINGS[setting]) - 2.89) < PRIMITIVES
    assert (product_circuit().width, square_circuit().width) == (3, 2)


def test_call_keeps_the_shape_of_its_inputs(built):
    f = built["tanh"]
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    assert f(x).shape == (2, 3)
    # the tanh case's tight tolerance; measured 2.2e-12, margin 45×
    assert np.allclose(f(x), np.tanh(x), rtol=0, atol=CASES["tanh"][2]["tight"])
    assert f(0.5).shape == ()
    assert f(np.array([])).shape == (0,)
    with pytest.raises(TypeError, match=r"tanh: takes 1 input\(s\) \(x\), got 2"):
        f(1.0, 2.0)


@pytest.mark.parametrize("beta", [0.0, -1.0, np.nan, np.inf])
def test_factories_refuse_a_bad_beta(beta):
    for factory in (swish_circuit, softplus_circuit, steep_logistic_circuit):
        with pytest.raises(ValueError, match="beta must be a positive finite number"):
            factory(beta)
