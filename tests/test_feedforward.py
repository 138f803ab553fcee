"""Feedforward networks emulated by scheduled quadratic circuits (circuits.feedforward)."""

import itertools
import math

import numpy as np
import pytest

from analyzer import simulate
from circuits.feedforward import SWISH_GAP, NetworkEmulator
from circuits.feedforward_layout import (
    Plan,
    Unit,
    affine,
    assemble,
    load_entries,
    run_entries,
)

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}

# The 2-2-2-1 tanh network of the construction checklist (item 10).
CHECKLIST = [
    (np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([0.1, -0.3])),
    (np.array([[2.0, -1.0], [1.0, 1.0]]), np.array([0.0, 0.2])),
    (np.array([[1.5, -0.5]]), np.array([0.05])),
]
X_CHECK = np.array([0.4, -0.6])
Y_CHECK = 1.285818698772315


def random_layers(rng, sizes):
    """Weights N(0, 1.5²/fan-in), biases N(0, 0.5²), as in the paper's tests."""
    return [
        (rng.normal(0.0, 1.5 / math.sqrt(a), (b, a)), rng.normal(0.0, 0.5, b))
        for a, b in itertools.pairwise(sizes)
    ]


def test_checklist_network_by_hand():
    h = np.tanh(CHECKLIST[0][0] @ X_CHECK + CHECKLIST[0][1])
    h = np.tanh(CHECKLIST[1][0] @ h + CHECKLIST[1][1])
    assert 1.5 * h[0] - 0.5 * h[1] + 0.05 == pytest.approx(Y_CHECK, abs=1e-15)
    net = NetworkEmulator(CHECKLIST)
    assert net.reference(X_CHECK)[0] == pytest.approx(Y_CHECK, abs=1e-15)


@pytest.mark.parametrize(("opts", "tol"), [(TIGHT, 1e-9), (LOOSE, 1e-5)])
def test_checklist_fresh_registers(opts, tol):
    net = NetworkEmulator(CHECKLIST)
    assert (net.width, net.depth) == (15, 5)
    assert net.scratch == ()
    y = net(X_CHECK, **opts)
    assert y.shape == (1,)
    assert abs(y[0] - Y_CHECK) < tol


@pytest.mark.parametrize(("opts", "tol"), [(TIGHT, 1e-9), (LOOSE, 1e-5)])
def test_checklist_register_reuse_returns_scratch_to_zero(opts, tol):
    net = NetworkEmulator(CHECKLIST, layout="reuse")
    assert (net.width, net.depth) == (13, 11)
    assert len(net.scratch) == 6  # z, u, v for 2 units
    traj = net.run(X_CHECK, **opts)
    assert abs(traj["y0"][-1] - Y_CHECK) < tol
    residue = max(abs(traj[name][-1]) for name in net.scratch)
    assert residue <= 1e-12
    assert abs(net(X_CHECK, **opts)[0] - Y_CHECK) < tol


def test_reuse_program_structure_and_potentiometers():
    net = NetworkEmulator(CHECKLIST, layout="reuse")
    labels = [s.label for s in net.schedule]
    assert labels == [
        *("affine 1", "tanh 1", "copy 1", "cancel v 1", "cancel u, z 1"),
        *("affine 2", "tanh 2", "copy 2", "cancel v 2", "cancel u, z 2"),
        "readout",
    ]
    # z_0 is loaded with +a and cleared with -a through one potentiometer per layer
    k = {s.label: s.settings["z_0.aff1"]["k"] for s in net.schedule}
    assert k["affine 1"] == 1.0 and k["cancel u, z 1"] == -1.0
    assert all(k[label] == 0.0 for label in labels if "1" not in label)
    for segment in net.schedule:
        assert set(segment.settings) == set(net.potentiometers)
        assert {v["k"] for v in segment.settings.values()} <= {-1.0, 0.0, 1.0}
        assert segment.duration == 1.0
    assert net.potentiometers["u_1.clear2"] == "u_1"
    kinds = {data["kind"] for _, data in net.circuit.graph.nodes(data=True)}
    assert kinds == {"integrator", "adder", "multiplier", "gain", "constant"}
    integrators = [
        n for n, k in net.circuit.graph.nodes(data="kind") if k == "integrator"
    ]
    assert len(integrators) == net.width
    for _, system in net.program.segments:  # quadratic as wired: nothing lifted
        assert system.n == system.n_base == net.width


def test_fresh_tanh_needs_no_potentiometers():
    net = NetworkEmulator(CHECKLIST)
    assert net.potentiometers == {}
    assert [s.operate for s in net.schedule][:2] == [
        ("z1_0", "z1_1"),
        ("u1_0", "v1_0", "u1_1", "v1_1"),
    ]


def test_replaying_the_riccati_segment_backwards_leaves_a_residue():
    # Why the reuse layout cancels algebraically: replaying u' = z - u v,
    # v' = z² - v² with the field negated runs an unstable flow back to 0.
    plan = Plan()
    x = plan.register("x0", "input")
    unit = Unit(*(plan.register(n, "scratch") for n in ("z", "u", "v")))
    a = affine(plan, "a", np.array([[1.0]]), np.array([0.0]), 0, [x])
    plan.segment("affine", load_entries("tanh", 1.0, unit, a, 1))
    run = run_entries(plan, "tanh", 1.0, unit)
    plan.segment("tanh", run)
    plan.segment("replay", [(reg, f, terms, -1.0) for reg, f, terms, _ in run])
    circuit, schedule, _ = assemble(plan)
    traj = simulate(circuit, None, schedule=schedule, initial={"x0": 6.0}, **TIGHT)
    replay = max(abs(traj["u"][-1]), abs(traj["v"][-1]))
    assert replay > 1e-8  # measured 3e-6
    net = NetworkEmulator([(np.array([[1.0]]), np.zeros(1))] * 2, layout="reuse")
    traj = net.run(np.array([6.0]), **TIGHT)
    assert max(abs(traj[name][-1]) for name in net.scratch) < 1e-12


CASES = [  # activation, layout, sizes
    ("tanh", "fresh", [3, 16, 1]),
    ("tanh", "fresh", [2, 5, 7, 4, 6, 2]),
    ("tanh", "reuse", [3, 8, 8, 8, 1]),
    ("tanh", "reuse", [4, 2, 9, 3, 1]),
    ("logistic", "fresh", [2, 12, 12, 1]),
    ("logistic", "reuse", [3, 2, 2, 2, 2, 2]),
    ("logistic", "reuse", [1, 16, 1]),
]


@pytest.mark.parametrize(("activation", "layout", "sizes"), CASES)
def test_random_networks_match_numpy(activation, layout, sizes):
    rng = np.random.default_rng(sum(sizes) + len(sizes))
    net = NetworkEmulator(random_layers(rng, sizes), activation, layout=layout)
    hidden = len(sizes) - 2
    assert net.depth == (2 if layout == "fresh" else 5) * hidden + 1
    X = rng.uniform(-2.0, 2.0, (6, sizes[0]))
    assert np.max(np.abs(net(X, **TIGHT) - net.reference(X))) < 1e-8


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["fresh", "reuse"])
@pytest.mark.parametrize("activation", ["tanh", "logistic"])
@pytest.mark.parametrize("hidden", [1, 2, 3, 4])
@pytest.mark.parametrize("width", [2, 7, 16])
def test_random_networks_grid(activation, layout, hidden, width):
    rng = np.random.default_rng(100 * hidden + width)
    sizes = [3] + [width] * hidden + [2]
    net = NetworkEmulator(random_layers(rng, sizes), activation, layout=layout)
    X = rng.uniform(-2.0, 2.0, (20, 3))
    assert np.max(np.abs(net(X, **TIGHT) - net.reference(X))) < 1e-8
    if layout == "reuse":
        traj = net.run(X, **TIGHT)
        assert max(np.max(np.abs(traj[n][:, -1])) for n in net.scratch) < 1e-12


@pytest.mark.parametrize(
    ("layout", "width", "depth"), [("fresh", 15, 5), ("reuse", 17, 11)]
)
@pytest.mark.parametrize("surrogate", ["swish", "softplus"])
def test_relu_networks_within_the_error_bound(surrogate, layout, width, depth):
    net = NetworkEmulator(
        CHECKLIST, "relu", surrogate=surrogate, beta=50.0, layout=layout
    )
    extra = 4 if surrogate == "softplus" and layout == "fresh" else 0
    assert (net.width, net.depth) == (width + extra, depth)
    # inputs that put pre-activations near the kink, where the surrogate differs most
    rng = np.random.default_rng(7)
    X = np.vstack([rng.uniform(-1.0, 1.0, (24, 2)), [[0.2, 0.05], [0.0, 0.3]]])
    y = net(X, **TIGHT)
    # exact for the surrogate network: only solver error
    assert np.max(np.abs(y - net.reference(X, surrogate=True))) < 1e-8
    error = np.abs(y - net.reference(X))[:, 0]
    local = net.error_bound(X)
    assert local.shape == (len(X),)
    assert np.all(error <= local + 1e-9)
    uniform = net.error_bound()
    gap = SWISH_GAP if surrogate == "swish" else math.log(2.0)
    assert uniform == pytest.approx(
        gap / 50.0 * (3.0 * 2.0 + 2.0)
    )  # ‖W2‖∞‖W3‖∞ + ‖W3‖∞
    assert np.all(local <= uniform)
    if layout == "reuse":  # residue of about rtol·|z| from the steep pair
        traj = net.run(X, **TIGHT)
        assert max(np.max(np.abs(traj[n][:, -1])) for n in net.scratch) < 1e-8
    assert uniform < (0.05 if surrogate == "swish" else 0.12)  # small at β = 50
    assert error.max() > 0.05 * uniform  # the bound is not vacuous


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["fresh", "reuse"])
@pytest.mark.parametrize("surrogate", ["swish", "softplus"])
def test_random_relu_networks_within_the_error_bound(surrogate, layout):
    rng = np.random.default_rng(11)
    layers = random_layers(rng, [3, 8, 6, 8, 2])
    net = NetworkEmulator(layers, "relu", surrogate=surrogate, layout=layout)
    X = rng.uniform(-2.0, 2.0, (40, 3))
    y = net(X, **TIGHT)
    assert np.max(np.abs(y - net.reference(X, surrogate=True))) < 1e-8
    error = np.max(np.abs(y - net.reference(X)), axis=1)
    assert np.all(error <= net.error_bound(X) + 1e-9)
    assert net.error_bound(X).max() <= net.error_bound()


def test_surrogate_gaps_match_their_constants():
    t = np.linspace(0.0, 5.0, 500_001)
    assert np.max(t / (1.0 + np.exp(t))) == pytest.approx(SWISH_GAP, abs=1e-11)
    net = NetworkEmulator(
        [(np.array([[1.0]]), np.zeros(1)), (np.array([[1.0]]), np.zeros(1))],
        "relu",
        surrogate="softplus",
        beta=10.0,
    )
    # one unit: the output is the surrogate itself (checklist item 9 values)
    x = np.array([[0.0], [1.0]])
    assert np.allclose(
        net(x)[:, 0], [0.06931471805599453, 1.0000045398899218], atol=1e-9
    )
    assert net.error_bound() == pytest.approx(math.log(2.0) / 10.0)
    assert net.error_bound(np.array([0.0])) == pytest.approx(math.log(2.0) / 10.0)


def test_error_bound_is_zero_for_exact_activations():
    net = NetworkEmulator(CHECKLIST, "logistic")
    assert net.error_bound() == 0.0
    assert np.all(net.error_bound(np.zeros((3, 2))) == 0.0)
    assert net.error_bound(X_CHECK) == 0.0


def test_shapes_and_vectorised_run_equal_per_input_runs():
    rng = np.random.default_rng(3)
    net = NetworkEmulator(random_layers(rng, [3, 4, 2]), layout="reuse")
    X = rng.uniform(-2.0, 2.0, (5, 3))
    Y = net(X)
    assert Y.shape == (5, 2)
    one = np.array([net(x) for x in X])
    assert one.shape == (5, 2)
    assert np.max(np.abs(Y - one)) < 1e-10
    assert net(X[:1]).shape == (1, 2)
    assert np.array_equal(net(X, batch_size=2), net(X, batch_size=2))
    assert np.max(np.abs(net(X, batch_size=2) - Y)) < 1e-10
    assert net.reference(X).shape == (5, 2) and net.reference(X[0]).shape == (2,)


def test_repr_names_sizes_and_counts():
    net = NetworkEmulator(CHECKLIST, "relu", surrogate="softplus", beta=20)
    assert repr(net) == (
        "NetworkEmulator(2-2-2-1, relu via softplus (beta=20), layout='fresh', "
        "W=19, D=5)"
    )


def test_a_single_linear_layer_is_one_readout_segment():
    W, b = np.array([[1.0, 2.0, -1.0]]), np.array([0.5])
    net = NetworkEmulator([(W, b)], layout="reuse")
    assert (net.width, net.depth) == (4, 1)
    x = np.array([0.1, 0.2, 0.3])
    assert net(x)[0] == pytest.approx(W @ x + b, abs=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"activation": "relu6"}, r"unknown activation 'relu6': use one of 'tanh'"),
        (
            {"surrogate": "gelu"},
            r"unknown surrogate 'gelu': use one of 'swish', 'softplus'",
        ),
        (
            {"layout": "compact"},
            r"unknown layout 'compact': use one of 'fresh', 'reuse'",
        ),
        ({"beta": 0.0}, "beta must be a positive finite number"),
        ({"beta": float("inf")}, "beta must be a positive finite number"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NetworkEmulator(CHECKLIST, **kwargs)


@pytest.mark.parametrize(
    ("layers", "match"),
    [
        ([], "layers is empty"),
        (
            [(np.ones((2, 2)), np.ones(3))],
            r"layer 1: b has shape \(3,\), but W has 2 rows",
        ),
        (
            [(np.ones((2, 2)), np.ones(2)), (np.ones((1, 3)), np.ones(1))],
            r"layer 2: W has 3 columns but layer 1 has 2 outputs; .* shape \(1, 2\)",
        ),
        ([(np.ones(2), np.ones(1))], r"layer 1: W must be a non-empty 2-D array"),
        ([(np.array([[np.nan]]), np.ones(1))], "layer 1: W and b must be finite"),
        ([(np.ones((1, 1)),)], r"layer 1: expected a pair \(W, b\)"),
    ],
)
def test_bad_layers(layers, match):
    with pytest.raises(ValueError, match=match):
        NetworkEmulator(layers)


def test_bad_inputs():
    net = NetworkEmulator(CHECKLIST)
    with pytest.raises(
        ValueError, match=r"shape \(2,\) or \(B, 2\) .* got shape \(3,\)"
    ):
        net(np.zeros(3))
    with pytest.raises(ValueError, match=r"got shape \(4, 3\)"):
        net(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="must be finite"):
        net(np.array([0.1, np.nan]))
    with pytest.raises(ValueError, match="must be finite"):
        net.reference(np.array([[np.inf, 0.0]]))
    with pytest.raises(ValueError, match="numeric array"):
        net(["a", "b"])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net(np.zeros((2, 2)), batch_size=0)
