"""Feedforward networks emulated by scheduled quadratic circuits (circuits.feedforward)."""

import itertools
import math

import numpy as np
import pytest
from scipy import special

from analyzer import simulate
from circuits.feedforward import SWISH_GAP, NetworkEmulator
from circuits.feedforward_layout import (
    Plan,
    Unit,
    activation_function,
    affine,
    assemble,
    load_entries,
    run_entries,
)

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}
DEFAULT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}  # NetworkEmulator's
U = np.finfo(float).eps / 2  # unit roundoff, 1.1e-16

# Tolerances.  Every one is a bound stated here, and the margin beside it is
# bound / error measured on numpy 2.4.6, scipy 1.17.1 (x86-64).
#
# Solver error of one state.  scipy accepts a step when the RMS over the N
# states of err_i / (atol + rtol·|y_i|) is at most 1, so one state's local
# error is at most √N·(atol + rtol·Y): N counts every register of every input
# of a vectorised run, Y is the largest |state| (computed below from the numpy
# forward pass).  The activation flows amplify an error by at most G = 2: the
# tanh pair contracts the error of the identity v = z·u (e' = -v·e, v ≥ 0), the
# logistic family expands e = r - z·p by at most exp(β∫|r|dt) ≤ 2 (z < 0).
# How many steps' allowances add up:
# * tanh and logistic (rates |z| ≤ 7): DOP853 advances with its 8th-order
#   solution but sizes steps with a lower-order estimate, so its true local
#   errors are orders of magnitude below the allowance; the whole run is taken
#   as one allowance (S = 1).  That is the assumption; the margins (≥ 10³)
#   are how far it holds.
# * the ReLU surrogates (β = 50: rates β|z| up to 250) run at the explicit
#   method's stability limit, where the stiff components' errors are carried
#   from step to step undamped (|R(hλ)| ≈ 1) and the estimate is no longer
#   pessimistic: all S steps of the run count.
# Through the network: an error δ in the outputs of hidden layer ℓ moves the
# output by at most δ·‖W_L‖∞·Π_{ℓ<k<L} Lip(f)·‖W_k‖∞, with Lip(f) ≤ 1.1 for
# every activation here (swish's steepest slope is 1.0998); the readout adds
# one more allowance.  Output error ≤ A·G·S·√N·(atol + rtol·Y) with
# A = 1 + Σ_ℓ ‖W_L‖∞·Π_{ℓ<k<L} 1.1·‖W_k‖∞.
LIP = 1.1
G = 2.0


def largest_state(net, X):
    """Y: the largest |register| of the run, from the numpy forward pass.

    z = W h + b (and v = z·u, r = z·p, s ≤ |z| + ln2/β), h, the outputs, and
    1 (u, p ∈ [-1, 1]); X itself for the held inputs.
    """
    f = activation_function(net.kind, net.beta)
    h = np.atleast_2d(np.asarray(X, float))
    top = max(1.0, float(np.abs(h).max()))
    for W, b in net.layers[:-1]:
        z = h @ W.T + b
        h = f(z)
        top = max(top, float(np.abs(z).max()), float(np.abs(h).max()))
    W, b = net.layers[-1]
    return max(top, float(np.abs(h @ W.T + b).max()))


def network_gain(net):
    """A: how much the output moves per unit error in any hidden layer."""
    norms = [float(np.abs(W).sum(axis=1).max()) for W, _ in net.layers]
    later = [
        norms[-1] * math.prod(LIP * n for n in norms[j + 1 : -1])
        for j in range(len(norms) - 1)
    ]
    return 1.0 + math.fsum(later)


def state_bound(net, X, opts, steps=1):
    """One state's solver error: G·S·√N·(atol + rtol·Y)."""
    n = net.width * np.atleast_2d(X).shape[0]
    scale = opts["atol"] + opts["rtol"] * largest_state(net, X)
    return G * steps * math.sqrt(n) * scale


def output_bound(net, X, opts, steps=1):
    """The output's solver error: A·G·S·√N·(atol + rtol·Y)."""
    return network_gain(net) * state_bound(net, X, opts, steps)


def residue_bound(net, X, opts, steps=1):
    """The scratch left by the reuse layout's cancellation.

    It cancels r -= z·p (v -= z·u) with frozen sources, exactly up to
    rounding, so what stays is the run's error in the identity r = z·p:
    |δr| + |z|·|δp| ≤ (1 + Y)·state_bound.
    """
    return (1.0 + largest_state(net, X)) * state_bound(net, X, opts, steps)


def outputs(net, traj):
    """The output registers at the end of a run, shape (m,) or (B, m)."""
    return np.stack([np.asarray(traj[y])[..., -1] for y in net.outputs], axis=-1)


def forward_rounding(layers, x):
    """Bound on the rounding error of a numpy tanh forward pass at x.

    Running error analysis: a row W h + b of n terms is within γ_{n+1} =
    (n+1)u/(1-(n+1)u) of the exact row, relative to |W||h| + |b|; tanh adds
    at most 2 ulps (4u|h|) and passes earlier errors on with slope ≤ 1.
    """
    h, err = np.asarray(x, float), 0.0
    for k, (W, b) in enumerate(layers):
        gamma = (W.shape[1] + 1) * U / (1 - (W.shape[1] + 1) * U)
        size = np.abs(W) @ np.abs(h) + np.abs(b)
        z = W @ h + b
        err = float(np.abs(W).sum(axis=1).max()) * err + gamma * float(size.max())
        if k < len(layers) - 1:
            h = np.tanh(z)
            err += 4 * U * float(np.abs(h).max())
    return err


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
    # Two roundings of the same forward pass (Y_CHECK is a third) differ by at
    # most twice its rounding bound: 1.8e-14 (measured 0).
    tol = 2 * forward_rounding(CHECKLIST, X_CHECK)
    h = np.tanh(CHECKLIST[0][0] @ X_CHECK + CHECKLIST[0][1])
    h = np.tanh(CHECKLIST[1][0] @ h + CHECKLIST[1][1])
    assert 1.5 * h[0] - 0.5 * h[1] + 0.05 == pytest.approx(Y_CHECK, abs=tol)
    net = NetworkEmulator(CHECKLIST)
    assert net.reference(X_CHECK)[0] == pytest.approx(Y_CHECK, abs=tol)


@pytest.mark.parametrize("opts", [TIGHT, LOOSE])
def test_checklist_fresh_registers(opts):
    net = NetworkEmulator(CHECKLIST)
    assert (net.width, net.depth) == (15, 5)
    assert net.scratch == ()
    y = net(X_CHECK, **opts)
    assert y.shape == (1,)
    # bound 1.8e-8 (TIGHT; measured 1.0e-12, margin 1.8e4) and 1.8e-4
    # (LOOSE; measured 1.8e-7, margin 1.0e3)
    assert abs(y[0] - Y_CHECK) <= output_bound(net, X_CHECK, opts)


@pytest.mark.parametrize("opts", [TIGHT, LOOSE])
def test_checklist_register_reuse_returns_scratch_to_zero(opts):
    net = NetworkEmulator(CHECKLIST, layout="reuse")
    assert (net.width, net.depth) == (13, 11)
    assert len(net.scratch) == 6  # z, u, v for 2 units
    traj = net.run(X_CHECK, **opts)
    # bound 1.7e-8 (TIGHT; measured 7.2e-12, margin 2.4e3) and 1.7e-4
    # (LOOSE; measured 1.8e-7, margin 930)
    tol = output_bound(net, X_CHECK, opts)
    assert abs(traj["y0"][-1] - Y_CHECK) <= tol
    residue = max(abs(traj[name][-1]) for name in net.scratch)
    # bound 6.2e-9 (TIGHT; measured 2.0e-15) and 6.2e-5 (LOOSE; measured 8.9e-16)
    assert residue <= residue_bound(net, X_CHECK, opts)
    assert abs(net(X_CHECK, **opts)[0] - Y_CHECK) <= tol


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
    net = NetworkEmulator([(np.array([[1.0]]), np.zeros(1))] * 2, layout="reuse")
    x = np.array([6.0])
    forward = residue_bound(net, x, TIGHT)  # 2.1e-8 (Y = 6, N = 6)
    # The replay leaves more than the forward residue may (measured 2.0e-6,
    # 96x the bound); the algebraic cancellation stays within it (measured
    # 4.4e-15).
    assert replay > forward
    traj = net.run(x, **TIGHT)
    assert max(abs(traj[name][-1]) for name in net.scratch) <= forward


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
    # bounds 1.1e-7 to 2.6e-6, measured 6e-14 to 4.7e-12: margins ≥ 4e4
    error = np.max(np.abs(net(X, **TIGHT) - net.reference(X)))
    assert error <= output_bound(net, X, TIGHT)


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
    error = np.max(np.abs(net(X, **TIGHT) - net.reference(X)))
    assert error <= output_bound(net, X, TIGHT)  # margins ≥ 1e4
    if layout == "reuse":
        traj = net.run(X, **TIGHT)
        residue = max(np.max(np.abs(traj[n][:, -1])) for n in net.scratch)
        assert residue <= residue_bound(net, X, TIGHT)  # margins ≥ 1e5


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
    traj = net.run(X, **TIGHT)
    y = outputs(net, traj)
    # Steep surrogates: every step of the run counts (see the top).  Solver
    # bound 3.1e-5 to 4.0e-5 (S = 153 to 188 steps, N = 26·W, Y = 5.3).
    solver = output_bound(net, X, TIGHT, steps=traj.stats["steps"])
    # exact for the surrogate network: only solver error (measured 1.4e-13 to
    # 1.2e-10: margins ≥ 3e5)
    assert np.max(np.abs(y - net.reference(X, surrogate=True))) <= solver
    error = np.abs(y - net.reference(X))[:, 0]
    local = net.error_bound(X)
    assert local.shape == (len(X),)
    # |y - ReLU net| ≤ |y - surrogate net| + |surrogate net - ReLU net|
    assert np.all(error <= local + solver)
    uniform = net.error_bound()
    gap = SWISH_GAP if surrogate == "swish" else math.log(2.0)
    # ‖W2‖∞‖W3‖∞ + ‖W3‖∞ = 3·2 + 2: 0.045 (swish), 0.111 (softplus) at β = 50.
    # Both sides are exact but for two roundings each: rel ≤ 4u.
    assert uniform == pytest.approx(gap / 50.0 * (3.0 * 2.0 + 2.0), rel=4 * U)
    assert np.all(local <= uniform)
    if layout == "reuse":  # the steep pair's error in r = z·p stays in r
        residue = max(np.max(np.abs(traj[n][:, -1])) for n in net.scratch)
        # bound 2.6e-5 (swish; measured 2.4e-15) and 2.7e-5 (softplus;
        # measured 1.7e-8, margin 1.6e3; one step's allowance, 1.4e-7, would
        # leave 8x: the old 1e-8 was below it)
        assert residue <= residue_bound(net, X, TIGHT, steps=traj.stats["steps"])
    # The bound is not vacuous: within 100x of the worst error seen near the
    # kink (measured 9.8x for swish, 5.3x for softplus: margins 10 and 19).
    assert uniform <= 100 * error.max()


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["fresh", "reuse"])
@pytest.mark.parametrize("surrogate", ["swish", "softplus"])
def test_random_relu_networks_within_the_error_bound(surrogate, layout):
    rng = np.random.default_rng(11)
    layers = random_layers(rng, [3, 8, 6, 8, 2])
    net = NetworkEmulator(layers, "relu", surrogate=surrogate, layout=layout)
    X = rng.uniform(-2.0, 2.0, (40, 3))
    traj = net.run(X, **TIGHT)
    y = outputs(net, traj)
    solver = output_bound(net, X, TIGHT, steps=traj.stats["steps"])
    assert np.max(np.abs(y - net.reference(X, surrogate=True))) <= solver
    error = np.max(np.abs(y - net.reference(X)), axis=1)
    assert np.all(error <= net.error_bound(X) + solver)
    assert net.error_bound(X).max() <= net.error_bound()


def test_surrogate_gaps_match_their_constants():
    # f = t/(1 + e^t) peaks where f' = 0, i.e. t = 1 + e^-t: t* = 1 + W(1/e)
    # (Lambert W), and there f(t*) = t* - 1 = W(1/e).  Each side is a few
    # roundings of the same number: rel ≤ 8u (measured 0).
    omega = float(special.lambertw(math.exp(-1.0)).real)
    t_star = 1.0 + omega
    assert pytest.approx(omega, rel=8 * U) == SWISH_GAP
    assert t_star / (1.0 + math.exp(t_star)) == pytest.approx(SWISH_GAP, rel=8 * U)
    t = np.linspace(0.0, 5.0, 500_001)  # no sample exceeds the maximum
    assert np.max(t / (1.0 + np.exp(t))) <= SWISH_GAP * (1 + 8 * U)
    net = NetworkEmulator(
        [(np.array([[1.0]]), np.zeros(1)), (np.array([[1.0]]), np.zeros(1))],
        "relu",
        surrogate="softplus",
        beta=10.0,
    )
    # one unit: the output is the surrogate itself, ln(1 + e^{10x})/10
    # (checklist item 9 values); solver bound 4.5e-8 (a surrogate: S steps),
    # measured 2.4e-13
    x = np.array([[0.0], [1.0]])
    traj = net.run(x, **DEFAULT)
    want = [math.log(2.0) / 10.0, math.log1p(math.exp(10.0)) / 10.0]
    assert want == pytest.approx([0.06931471805599453, 1.0000045398899218], rel=U)
    error = np.max(np.abs(outputs(net, traj)[:, 0] - want))
    assert error <= output_bound(net, x, DEFAULT, steps=traj.stats["steps"])
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
    # Different runs (the batch shares steps): each within its solver bound
    # of the exact outputs, so within the sum of the two bounds of each other:
    # 3.9e-8 (measured 2.4e-12, margin 1.6e4); batches of 2: 4.0e-8 (measured
    # 1.1e-12, margin 3.8e4).
    batch = output_bound(net, X, DEFAULT)
    alone = max(output_bound(net, x, DEFAULT) for x in X)
    assert np.max(np.abs(Y - one)) <= batch + alone
    assert net(X[:1]).shape == (1, 2)
    assert np.array_equal(net(X, batch_size=2), net(X, batch_size=2))
    pairs = max(output_bound(net, X[i : i + 2], DEFAULT) for i in range(0, 5, 2))
    assert np.max(np.abs(net(X, batch_size=2) - Y)) <= batch + pairs
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
    # The readout integrates the constant c = W x + b over one unit of time:
    # c is within γ_4 of itself (|W||x| + |b| = 1.3), and each of the S steps
    # adds h·Σ b_i k_i (12 stages, weights summing to 1) with at most 16
    # roundings, the clock's sum of steps another per step: (4 + 17·S)·u·1.3
    # = 1.5e-14 (S = 6; measured 1.1e-16, margin 138).
    traj = net.run(x)
    size = float((np.abs(W) @ np.abs(x) + np.abs(b))[0])
    tol = (4 + 17 * traj.stats["steps"]) * U * size
    assert traj["y0"][-1] == pytest.approx(float((W @ x + b)[0]), abs=tol)


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
