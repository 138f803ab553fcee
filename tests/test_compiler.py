"""The compiler's passes: polynomials, quadratization counts, the exact check, the IR."""

import numpy as np
import pytest

from analyzer import Circuit, QuadraticSystem, compile_circuit
from analyzer.compile import LiftError, assemble, lower, quadratize
from analyzer.compile.lower import PolynomialSystem
from analyzer.polynomial import Poly, divisors, lie_monomials
from analyzer.validate import validate

EPS = np.finfo(float).eps
# Tolerances (issue 10): each a stated bound, with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  (abs=0 beside rel=:
# pytest.approx keeps a hidden abs 1e-12 otherwise.)


def term_sizes(system, y):
    """Σ|terms| of each rate at ``y``: the scale its rounding is measured on."""
    sizes = np.abs(system.b) + np.abs(system.A) @ np.abs(y)
    np.add.at(sizes, system.I, np.abs(system.C * y[system.J] * y[system.K]))
    return sizes


def power_circuit(n):
    """x' = x^n from a chain of n - 1 multipliers."""
    c = Circuit()
    c.integrator("x", initial=0.5)
    previous = "x"
    for i in range(2, n + 1):
        c.multiplier(f"p{i}")
        c.connect(previous, f"p{i}")
        c.connect("x", f"p{i}")
        previous = f"p{i}"
    c.connect(previous, "x")
    return c


def monomial_rates(exponents_per_state):
    """rates[i] = product of y_v^e over the dict exponents_per_state[i]."""
    return [Poly({tuple(sorted(m.items())): 1.0}) for m in exponents_per_state]


def test_polynomial_arithmetic():
    x, v = Poly.var(0), Poly.var(1)
    p = (x + v) * (x + v.scale(-1.0))  # x² - v²
    assert p.terms == {((0, 2),): 1.0, ((1, 2),): -1.0}
    assert (p + p.scale(-1.0)).is_zero()
    rates = {0: v, 1: x.scale(-1.0)}  # the oscillator
    assert p.time_derivative(rates).terms == {
        ((0, 1), (1, 1)): 4.0
    }  # d/dt (x²-v²) = 4xv
    assert sorted(divisors(((0, 2), (1, 1)))) == sorted(
        [(), ((1, 1),), ((0, 1),), ((0, 1), (1, 1)), ((0, 2),), ((0, 2), (1, 1))]
    )
    assert lie_monomials(((0, 2),), {0: Poly({((0, 3),): 1.0})}) == {((0, 4),)}


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 8, 12])
def test_power_chains_get_the_optimal_single_new_state(n):
    # x' = x^n: w = x^(n-1) gives x' = x·w, w' = (n-1) w² (QBee's optimum: 1)
    system = compile_circuit(power_circuit(n))
    assert system.lifted == (() if n == 2 else (f"x^{n - 1}",))
    x = 0.7
    # x^(n-1) built with ≤ n - 2 roundings (products or pow), one for x·w, and
    # x**n's own: ≤ n eps/2 relative, allowed n eps; measured ≤ 1 ulp
    # (2.2e-16 at n = 5), margin 5×, IEEE rounding, the same on every machine
    assert system.rhs(0.0, system.embed([x]))[0] == pytest.approx(
        x**n, abs=0, rel=n * EPS
    )


def test_x_to_the_fifth_lifts_to_x_to_the_fourth():
    system = compile_circuit(power_circuit(5))
    assert system.names == ("x", "x^4")
    assert str(system) == "x' = x·x^4\nx^4' = 4·x^4·x^4"
    np.testing.assert_array_equal(system.y0, [0.5, 0.5**4])  # powers of 2: exact


@pytest.mark.parametrize("n", [2, 3, 5, 8, 40])
def test_cubic_cycle_needs_two_states_per_variable(n):
    # x_i' = x_{i+1}^3: QBee's optimum is 2n, but 3 for n = 2 (x0², x1², x0·x1)
    # (quadratization notes, table 5.1)
    rates = monomial_rates([{(i + 1) % n: 3} for i in range(n)])
    lifts = quadratize(rates).lifts
    assert len(lifts) == (3 if n == 2 else 2 * n)
    names = tuple(f"x{i}" for i in range(n))
    assemble(
        PolynomialSystem(names, (0.1,) * n, tuple(rates), {}), lifts
    )  # checks exactly


def test_duffing_chain_needs_one_state_per_oscillator():
    # x_i' = v_i, v_i' = -x_i - x_i^3 + x_{i+1}: QBee's optimum is n (x_i^2)
    n = 6
    rates = [Poly.var(n + i) for i in range(n)] + [
        Poly.var(i).scale(-1.0) + Poly({((i, 3),): -1.0}) + Poly.var((i + 1) % n)
        for i in range(n)
    ]
    lifts = quadratize(rates).lifts
    assert sorted(lifts) == sorted(((i, 2),) for i in range(n))


def test_the_exact_check_rejects_a_wrong_lift():
    rates = (Poly({((0, 5),): 1.0}),)
    system = PolynomialSystem(("x",), (0.5,), rates, {})
    with pytest.raises(LiftError, match="x' has x\\^5"):
        assemble(system, [])
    with pytest.raises(LiftError, match="x\\^2' has x\\^6"):
        assemble(system, [((0, 2),)])  # x^5 = x·x^4?  no x^4; x^2·x^3? no x^3
    assemble(system, [((0, 4),)])


def test_wrt_integrator_lowers_by_the_chain_rule():
    # w integrated with respect to s = x²: w' = u · 2 x x'
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.constant("one", value=1.0)
    c.connect("one", "x")  # x' = 1
    c.multiplier("s")
    c.connect("x", "s", port="a")
    c.connect("x", "s", port="b")
    c.integrator("w")
    c.constant("u", value=3.0)
    c.connect("u", "w")
    c.connect("s", "w", port="wrt")
    rates = lower(validate(c)).rates
    assert rates[0].terms == {((1, 1),): 6.0}  # states: w, x  =>  w' = 6 x


def test_linear_algebraic_loop_is_solved_exactly():
    # a = x + 0.5 a  =>  a = 2x ; x' = -a = -2x
    c = Circuit()
    c.integrator("x", initial=1.0)
    c.adder("a")
    c.connect("x", "a")
    c.connect("a", "a", weight=0.5)
    c.gain("neg", k=-1.0)
    c.connect("a", "neg")
    c.connect("neg", "x")
    system = compile_circuit(c)
    assert str(system) == "x' = -2·x"
    # 3 / (1 - 0.5): two roundings, eps relative, allowed 2 eps; measured exact
    assert system.signals(np.array([3.0]))["a"] == pytest.approx(
        6.0, abs=0, rel=2 * EPS
    )


def test_the_ir_checks_itself():
    good = compile_circuit(power_circuit(3))
    fields = {
        f: getattr(good, f)
        for f in (
            "names",
            "y0",
            "b",
            "A",
            "I",
            "J",
            "K",
            "C",
            "monomials",
            "n_base",
            "outputs",
        )
    }
    with pytest.raises(ValueError, match="not canonical"):
        QuadraticSystem(**{**fields, "J": good.K, "K": good.J})
    with pytest.raises(ValueError, match="not finite"):
        QuadraticSystem(**{**fields, "C": good.C * np.nan})
    with pytest.raises(ValueError, match="not unique"):
        QuadraticSystem(**{**fields, "names": (good.names[0],) * good.n})
    assert not good.y0.flags.writeable


def test_str_and_repr():
    system = compile_circuit(power_circuit(3))
    assert str(system) == "x' = x·x^2\nx^2' = 2·x^2·x^2"
    assert (
        repr(system)
        == "QuadraticSystem(2 states: 1 base, 1 lifted; 0 linear and 2 quadratic terms)"
    )
    assert system.lifted == ("x^2",)


def test_rhs_and_jac_agree_with_the_definition_on_a_large_sparse_system():
    # more than the dense limit of states, so the sparse paths run
    n = 90
    c = Circuit()
    for i in range(n):
        c.integrator(f"x{i:02d}", initial=0.1 * i)
    for i in range(n):
        c.multiplier(f"m{i:02d}")
        c.connect(f"x{i:02d}", f"m{i:02d}")
        c.connect(f"x{(i + 1) % n:02d}", f"m{i:02d}")
        c.connect(f"m{i:02d}", f"x{(i + 2) % n:02d}", weight=-0.5)
        c.connect(f"x{i:02d}", f"x{i:02d}", weight=-1.0)
    system = compile_circuit(c)
    rng = np.random.default_rng(1)
    y = rng.normal(size=system.n)
    expected = system.b + system.A @ y
    np.add.at(expected, system.I, system.C * y[system.J] * y[system.K])
    # the same ≤ 3 terms per rate summed in another order: ≤ 4 eps × Σ|terms|
    # (≤ 3.4 here); measured 0
    sizes = term_sizes(system, y)
    assert np.all(np.abs(system.rhs(0.0, y) - expected) <= 4 * EPS * sizes)
    Y = rng.normal(size=(system.n, 3))
    # a column of a batch against a single run: the same bound (np.allclose's
    # hidden defaults allowed 1e-8 + 1e-5 relative); measured 0
    one = system.rhs(0.0, Y[:, 1])
    assert np.all(
        np.abs(system.rhs(0.0, Y)[:, 1] - one) <= 4 * EPS * term_sizes(system, Y[:, 1])
    )
    eps = 1e-6
    jac = system.jac(0.0, y).toarray()
    # central differences of a quadratic are exact but for rounding: the two
    # rates (2 eps × Σ|terms| each) and y_j ± ε (eps |y_j| each, times |J_ij|),
    # over 2ε → ≤ 1.5e-9; measured ≤ 1.7e-10, at least 5.5× inside the bound
    # entry by entry (a rigorous bound; the former atol 1e-7 came with a hidden
    # rtol 1e-5)
    for j in range(0, system.n, 7):
        e = np.zeros(system.n)
        e[j] = eps
        fd = (system.rhs(0.0, y + e) - system.rhs(0.0, y - e)) / (2 * eps)
        fd_tol = EPS * (4 * sizes + 2 * np.abs(jac[:, j]) * abs(y[j])) / (2 * eps)
        np.testing.assert_array_less(np.abs(jac[:, j] - fd), fd_tol)
    batch = system.jac(0.0, Y).toarray()
    # entries are 1 or 0.5 × a state, at most two of them summed: 4 eps ×
    # (1 + max|Y|); measured 0
    np.testing.assert_allclose(
        batch[1::3, 1::3],
        system.jac(0.0, Y[:, 1]).toarray(),
        rtol=0,
        atol=4 * EPS * (1.0 + np.abs(Y).max()),
    )
