"""Property tests: the compiled quadratic system against the naive interpreter.

Hypothesis draws small random circuits (integrators, adders, gains, multipliers,
multiplier chains up to degree 6, constants, a clock, integrators with ``wrt``)
without algebraic loops.  The compiled system must reproduce, at random states,
what :mod:`naive` computes block by block, and be consistent with itself.
"""

from __future__ import annotations

import math
import re

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from naive import Naive, majorant
from scipy.integrate import solve_ivp

from analyzer import compile_circuit, simulate

INTEGRATORS = ("p", "q", "r", "s")
CLOCK = "clock"
MAX_DEGREE = 6
MAX_BLOCKS = 12

# Random lifts are often unstable off their manifold; the stabiliser is tested
# in test_stability, so its warning is only noise here.
pytestmark = pytest.mark.filterwarnings("ignore::analyzer.StabilityWarning")

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

values = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)
weights = st.one_of(
    st.none(),
    st.sampled_from([1.0, -1.0, 0.5, 2.0, -0.25]),
    st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False),
)


def _wire(g, src, dst, port, weight):
    """Add a wire; ``port``/``weight`` None means: leave the attribute out."""
    attrs = {}
    if port is not None:
        attrs["port"] = port
    if weight is not None:
        attrs["weight"] = weight
    g.add_edge(src, dst, **attrs)


@st.composite
def circuits(draw):
    """A random valid circuit as a MultiDiGraph, with no algebraic loop."""
    g = nx.MultiDiGraph()
    n_int = draw(st.integers(1, len(INTEGRATORS)))
    ints = list(INTEGRATORS[:n_int])
    support: dict[str, frozenset] = {}  # integrators a signal depends on
    degree: dict[str, int] = {}  # polynomial degree in the base states
    for name in ints:
        g.add_node(name, kind="integrator", initial=draw(values))
        support[name], degree[name] = frozenset([name]), 1
    if draw(st.booleans()):
        g.add_node(CLOCK, kind="time")
        support[CLOCK], degree[CLOCK] = frozenset(), 1
    for i in range(draw(st.integers(0, 2))):
        name = f"c{i}"
        g.add_node(name, kind="constant", value=draw(values))
        support[name], degree[name] = frozenset(), 0

    def pick(pool):
        return draw(st.sampled_from(sorted(pool)))

    def multiply(name, first, second):
        g.add_node(name, kind="multiplier")
        style = draw(st.sampled_from(["ab", "ba", "unnamed", "in"]))
        ports = {"ab": ("a", "b"), "ba": ("b", "a"), "unnamed": (None, None)}
        ports = ports.get(style, ("in", "in"))
        _wire(g, first, name, ports[0], draw(weights))
        _wire(g, second, name, ports[1], draw(weights))
        support[name] = support[first] | support[second]
        degree[name] = degree[first] + degree[second]

    steps = draw(
        st.lists(
            st.sampled_from(["multiplier", "chain", "adder", "gain", "multiplier"]),
            min_size=1,
            max_size=6,
        )
    )
    prefix = {"adder": "a", "gain": "g", "multiplier": "m", "chain": "h"}
    for step_no, step in enumerate(steps):
        name = f"{prefix[step]}{step_no}"
        budget = MAX_BLOCKS - g.number_of_nodes()
        if budget <= 0:
            break
        if step == "adder":
            g.add_node(name, kind="adder")
            sources = draw(
                st.lists(st.sampled_from(sorted(degree)), min_size=1, max_size=3)
            )
            for src in sources:
                _wire(g, src, name, draw(st.sampled_from([None, "in"])), draw(weights))
            support[name] = frozenset().union(*(support[s] for s in sources))
            degree[name] = max(degree[s] for s in sources)
        elif step == "gain":
            src = pick(degree)
            g.add_node(name, kind="gain", k=draw(values))
            _wire(g, src, name, draw(st.sampled_from([None, "in"])), draw(weights))
            support[name], degree[name] = support[src], degree[src]
        elif step == "multiplier":
            first = pick([b for b in degree if degree[b] < MAX_DEGREE])
            second = pick(
                [b for b in degree if degree[b] + degree[first] <= MAX_DEGREE]
            )
            multiply(name, first, second)
        else:  # a chain of multipliers: one monomial such as p·p·q·r·p·q
            if budget < 2:
                continue
            factors = draw(
                st.lists(
                    st.sampled_from(ints),
                    min_size=3,
                    max_size=min(MAX_DEGREE, budget + 1),
                )
            )
            head = factors[0]
            for j, factor in enumerate(factors[1:]):
                link = f"{name}_{j}"
                multiply(link, head, factor)
                head = link

    # Integrators: inputs from anything (integrators break every loop).  An
    # integrator with wrt may only depend, through its wrt signal, on rates
    # that do not depend on its own, so the wrt integrators are ordered.
    has_wrt = {name: draw(st.booleans()) and draw(st.booleans()) for name in ints}
    for k, name in enumerate(ints):
        low = [b for b in degree if degree[b] <= 3]
        if has_wrt[name]:
            allowed = {i for i in ints if not has_wrt[i]} | set(ints[:k])
            allowed.discard(name)
            eligible = [b for b in low if support[b] <= allowed]
            if eligible:
                _wire(g, pick(eligible), name, "wrt", draw(weights))
            else:
                has_wrt[name] = False
        pool = low if has_wrt[name] else list(degree)
        for src in draw(st.lists(st.sampled_from(sorted(pool)), max_size=3)):
            _wire(g, src, name, draw(st.sampled_from([None, "in"])), draw(weights))
    # A signal nobody reads tests only the readout: feed most of them to an
    # integrator, so the high-degree chains reach the right-hand side.
    for block in sorted(degree):
        if g.out_degree(block) or g.nodes[block]["kind"] == "integrator":
            continue
        takers = [i for i in ints if not has_wrt[i] or degree[block] <= 3]
        if takers and draw(st.integers(0, 3)):
            _wire(g, block, pick(takers), None, draw(weights))
    return g


@st.composite
def cases(draw):
    """A circuit with random values for its base states (integrators, clock)."""
    g = draw(circuits())
    base = {n: draw(values) for n, d in g.nodes(data=True) if d["kind"] == "integrator"}
    if any(d["kind"] == "time" for _, d in g.nodes(data=True)):
        base["t"] = draw(values)
    return g, base


def base_names(g):
    """The base states in the contract's order: integrators by name, then t."""
    kinds = dict(g.nodes(data="kind"))
    names = sorted(n for n, k in kinds.items() if k == "integrator")
    return names + (["t"] if "time" in kinds.values() else [])


def parse_monomial(name):
    """``"p^2*q"`` -> {"p": 2, "q": 1}: the monomial a lifted state stands for."""
    exps: dict[str, int] = {}
    for factor in name.split("*"):
        m = re.fullmatch(r"(\w+)(?:\^(\d+))?", factor.strip())
        assert m, f"cannot read lifted state name {name!r}"
        exps[m[1]] = exps.get(m[1], 0) + int(m[2] or 1)
    return exps


def monomial(exps, base):
    return math.prod(base[v] ** e for v, e in exps.items())


def chain_rule(exps, base, rate):
    """d/dt prod y_v^e_v = sum_v e_v y^(e - e_v) y_v'."""
    total = 0.0
    for v, e in exps.items():
        rest = dict(exps)
        rest[v] -= 1
        total += e * monomial(rest, base) * rate[v]
    return total


def expected(g, base):
    """Naive derivatives of every state (base and lifted) and their size bounds."""
    system = compile_circuit(g)
    ints = {n: v for n, v in base.items() if n in g}
    clock = base.get("t", 0.0)
    rate = Naive(g).derivatives(ints, clock)
    _, rate_size = majorant(g, ints, clock)
    if "t" in base:
        rate = {**rate, "t": 1.0}
        rate_size = {**rate_size, "t": 1.0}
    size = {n: abs(v) for n, v in base.items()}
    want, bound = [], []
    for name in system.names:
        if name in rate and system.names.index(name) < system.n_base:
            want.append(rate[name])
            bound.append(rate_size[name])
        else:
            exps = parse_monomial(name)
            want.append(chain_rule(exps, base, rate))
            bound.append(chain_rule(exps, size, rate_size))
    return system, np.array(want), np.array(bound)


def close(actual, want, bound, rtol=1e-9):
    """Agreement up to rounding: relative, or absolute against the terms' sizes."""
    actual, want, bound = map(np.asarray, (actual, want, bound))
    return np.abs(actual - want) <= rtol * np.abs(want) + 1e-10 * bound + 1e-300


@SETTINGS
@given(cases(), st.floats(-3.0, 3.0, allow_nan=False))
def test_rhs_matches_naive_interpreter(case, t0):
    g, base = case
    system, want, bound = expected(g, base)
    names = base_names(g)
    assert list(system.names[: system.n_base]) == names
    assert system.n == len(system.names) == len(set(system.names))
    y_base = np.array([base[n] for n in names])
    y = system.embed(y_base)
    assert y.shape == (system.n,)
    np.testing.assert_array_equal(y[: system.n_base], y_base)
    for i in range(system.n_base, system.n):
        exps = parse_monomial(system.names[i])
        assert sum(exps.values()) >= 2, system.names[i]
        assert set(exps) <= set(names), system.names[i]
        assert y[i] == pytest.approx(monomial(exps, base), rel=1e-12, abs=1e-300)
    f = system.rhs(base.get("t", 0.0), y)
    assert f.shape == (system.n,)
    ok = close(f, want, bound)
    assert ok.all(), (
        f"{system}\nstates {[n for n, o in zip(system.names, ok, strict=True) if not o]}:\n"
        f"compiled {f[~ok]}\nnaive    {want[~ok]}"
    )
    # The start: integrators at their initials, the clock at t0, lifts on them.
    compiled = compile_circuit(g, t0=t0)
    start = {
        n: float(d.get("initial", 0.0))
        for n, d in g.nodes(data=True)
        if d["kind"] == "integrator"
    }
    if "t" in names:
        start["t"] = t0
    assert compiled.t0 == t0
    np.testing.assert_array_equal(
        compiled.y0[: compiled.n_base], [start[n] for n in names]
    )
    for i in range(compiled.n_base, compiled.n):
        lift = monomial(parse_monomial(compiled.names[i]), start)
        assert compiled.y0[i] == pytest.approx(lift, rel=1e-12, abs=1e-300)


def dense_rhs(system, y):
    """b + A y + sum_terms C y_J y_K, straight from the arrays."""
    out = system.b + system.A.toarray() @ y
    for i, j, k, c in zip(system.I, system.J, system.K, system.C, strict=True):
        out[i] += c * y[j] * y[k]
    return out


def size_rhs(system, y):
    """The same sum with every term made positive: a bound for rounding."""
    y = np.abs(y)
    out = np.abs(system.b) + abs(system.A).toarray() @ y
    for i, j, k, c in zip(system.I, system.J, system.K, system.C, strict=True):
        out[i] += abs(c) * y[j] * y[k]
    return out


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_jacobian_and_arrays_are_consistent(case, rnd):
    g, base = case
    system = compile_circuit(g)
    n = system.n
    assert system.b.shape == (n,) and system.A.shape == (n, n)
    assert sp.issparse(system.A)
    rows, left, right, coef = (
        np.asarray(a) for a in (system.I, system.J, system.K, system.C)
    )
    assert rows.shape == left.shape == right.shape == coef.shape
    assert (left <= right).all()
    triples = list(zip(rows.tolist(), left.tolist(), right.tolist(), strict=True))
    assert len(set(triples)) == len(triples), "quadratic terms are not merged"
    assert triples == sorted(triples), "quadratic terms are not sorted"
    assert np.isfinite(coef).all() and np.isfinite(system.b).all()
    on = system.embed(np.array([base[x] for x in base_names(g)]))
    off = np.array([rnd.uniform(-2.0, 2.0) for _ in range(n)])
    for y in (on, off):
        f = system.rhs(0.0, y)
        bound = size_rhs(system, y)
        assert close(f, dense_rhs(system, y), bound, rtol=1e-12).all()
        jac = system.jac(0.0, y)
        assert sp.issparse(jac) and jac.shape == (n, n)
        jac = jac.toarray()
        exact = system.A.toarray()
        for i, j, k, c in triples_with(system):
            exact[i, j] += c * y[k]
            exact[i, k] += c * y[j]
        np.testing.assert_allclose(
            jac, exact, rtol=1e-12, atol=1e-12 * (1 + bound.max())
        )
        fd = np.empty((n, n))
        steps = 1e-5 * np.maximum(1.0, np.abs(y))
        for j in range(n):
            e = np.zeros(n)
            e[j] = steps[j]
            fd[:, j] = (system.rhs(0.0, y + e) - system.rhs(0.0, y - e)) / (
                2 * steps[j]
            )
        # Central differences are exact on a quadratic: only rounding is left,
        # about eps times the size of the terms at y ± h, divided by h.
        reach = size_rhs(system, np.abs(y) + steps)
        # (plus a floor: coefficients can be subnormal, where rounding is absolute)
        tol = (
            1e-6 * (np.abs(jac) + reach[:, None] / np.maximum(1.0, np.abs(y))[None, :])
            + 1e-300
        )
        bad = np.abs(fd - jac) > tol
        assert not bad.any(), f"{system}\njac {jac[bad]}\nfd  {fd[bad]}"


def triples_with(system):
    return zip(system.I, system.J, system.K, system.C, strict=True)


@SETTINGS
@given(cases(), st.integers(1, 4), st.randoms(use_true_random=False))
def test_rhs_embed_and_signals_are_vectorised(case, m, rnd):
    g, _ = case
    system = compile_circuit(g)
    Yb = np.array(
        [[rnd.uniform(-2, 2) for _ in range(m)] for _ in range(system.n_base)]
    )
    Y = system.embed(Yb)
    assert Y.shape == (system.n, m)
    F = system.rhs(0.0, Y)
    assert F.shape == (system.n, m)
    S = system.signals(Y)
    for col in range(m):
        y = system.embed(Yb[:, col])
        np.testing.assert_allclose(Y[:, col], y, rtol=1e-14, atol=0)
        np.testing.assert_allclose(
            F[:, col], system.rhs(0.0, y), rtol=1e-12, atol=1e-12
        )
        s = system.signals(y)
        for block in system.blocks:
            np.testing.assert_allclose(
                np.asarray(S[block])[..., col], s[block], rtol=1e-12, atol=1e-12
            )
    # Autonomous: the clock is a state, the time argument is never read.
    np.testing.assert_array_equal(system.rhs(0.0, Y), system.rhs(123.5, Y))


@SETTINGS
@given(circuits(), st.randoms(use_true_random=False))
def test_node_order_does_not_matter(g, rnd):
    nodes = list(g.nodes(data=True))
    edges = list(g.edges(data=True))
    rnd.shuffle(nodes)
    rnd.shuffle(edges)
    h = nx.MultiDiGraph()
    h.add_nodes_from(nodes)
    h.add_edges_from(edges)
    one, two = compile_circuit(g), compile_circuit(h)
    assert one.names == two.names
    assert str(one) == str(two)
    assert set(one.blocks) == set(two.blocks) == set(g.nodes)
    np.testing.assert_array_equal(one.y0, two.y0)
    np.testing.assert_array_equal(one.b, two.b)
    np.testing.assert_array_equal(one.A.toarray(), two.A.toarray())
    for a, b in zip(
        (one.I, one.J, one.K, one.C), (two.I, two.J, two.K, two.C), strict=True
    ):
        np.testing.assert_array_equal(a, b)


@SETTINGS
@given(cases())
def test_signals_match_naive_interpreter(case):
    g, base = case
    system = compile_circuit(g)
    y = system.embed(np.array([base[n] for n in base_names(g)]))
    got = system.signals(y)
    assert set(got) == set(g.nodes) == set(system.blocks)
    ints = {n: v for n, v in base.items() if n in g}
    clock = base.get("t", 0.0)
    want = Naive(g).signals(ints, clock)
    size, _ = majorant(g, ints, clock)
    for block in g.nodes:
        assert close(float(got[block]), want[block], size[block]), (
            f"block {block!r}: compiled {float(got[block])}, naive {want[block]}"
        )


@settings(SETTINGS, max_examples=25)
@given(circuits(), st.sampled_from([0.0, -1.5, 2.0]))
def test_simulation_matches_naive_integration(g, t0):
    """End to end: simulate against scipy on the naive derivatives, no lifts."""
    oracle = Naive(g)
    ints = [n for n in base_names(g) if n != "t"]
    start = oracle.initial()

    def rhs(t, y):
        rate = oracle.derivatives(dict(zip(ints, y, strict=True)), t)
        return [rate[n] for n in ints]

    t1 = t0 + 0.3
    ref = solve_ivp(
        rhs, (t0, t1), [start[n] for n in ints], method="DOP853", rtol=1e-12, atol=1e-12
    )
    assume(ref.status == 0 and np.abs(ref.y).max() < 1e3)  # no blow-up nearby
    traj = simulate(g, (t0, t1), t_eval=[t1], rtol=1e-11, atol=1e-12)
    end = dict(zip(ints, ref.y[:, -1], strict=True))
    want = oracle.signals(end, t1)
    for block in g.nodes:
        got = float(traj[block][-1])
        assert abs(got - want[block]) <= 1e-6 * (1 + abs(want[block])), (
            f"block {block!r} at t = {t1}: simulated {got}, naive {want[block]}"
        )


def test_generator_reaches_every_feature():
    """The strategy does produce wrt, chains of degree 6, clocks and ports a/b."""
    seen = set()

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(circuits())
    def look(g):
        for _, _, d in g.edges(data=True):
            seen.add(("port", d.get("port")))
        for n, d in g.nodes(data=True):
            seen.add(("kind", d["kind"]))
            if n.endswith("_4"):
                seen.add("degree 6")

    look()
    for want in [
        ("port", "wrt"),
        ("port", "a"),
        ("port", None),
        ("kind", "time"),
        ("kind", "gain"),
        ("kind", "constant"),
        "degree 6",
    ]:
        assert want in seen, want
