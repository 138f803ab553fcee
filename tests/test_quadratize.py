"""Quadratization: the portfolio and the exact search against QBee's optimal counts.

The benchmark systems and QBee's counts (QBee 0.8.2, default settings) come
from ``benchmarks/families.py``; every answer is checked twice, by the exact
check of :mod:`analyzer.compile.heuristics` and by ``assemble``.
"""

import itertools
import math
import random
import sys
from pathlib import Path

import pytest

# benchmarks/ is not a package; its families module is shared with the
# QBee comparison, so the tests import it from there.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import families

from analyzer.compile.assemble import assemble
from analyzer.compile.heuristics import Sparse, greedy, prune
from analyzer.compile.lower import PolynomialSystem
from analyzer.compile.quadratize import STRATEGIES, quadratize, unrepresented
from analyzer.polynomial import Poly, degree, divide

INSTANCES = {inst.label: inst for inst in families.INSTANCES}
EPS = sys.float_info.epsilon
# Where "auto" (10 000 nodes) falls short of QBee's optimum: hard(4) 11 vs 10,
# hard(5) 13 vs 10, multiplier_tree(6) 9 vs 7; "exact" reaches all three
# (test_exact_reaches_qbee_where_auto_does_not).  long_monomial(4): QBee timed
# out after 400 s; we find 24 (the naive lift needs 76).
AUTO_SHORT = {"hard(4)", "hard(5)", "multiplier_tree(6)", "long_monomial(4)"}
# Instances whose auto run visits its whole node cap (0.5-1 s each here).
CAPPED = {
    "cubic_cycle(8)", "multiplier_tree(6)",
    "hard(3)", "hard(4)", "hard(5)", "long_monomial(3)", "long_monomial(4)",
}  # fmt: skip
CHEAP = [label for label in INSTANCES if label not in CAPPED]


def auto(inst, **options):
    # a generous budget: the node cap, not the clock, ends the search
    return quadratize(inst.rates, budget=60.0, **options)


def checked(inst, lifts):
    """Assemble the lifted system (its exact check raises on a wrong lift)."""
    system = PolynomialSystem(inst.names, (0.5,) * len(inst.names), inst.rates, {})
    return assemble(system, lifts)


@pytest.mark.parametrize("strategy", ["greedy", "portfolio", "auto"])
@pytest.mark.parametrize("label", CHEAP)
def test_every_strategy_quadratizes(label, strategy):
    inst = INSTANCES[label]
    q = quadratize(inst.rates, strategy=strategy, budget=60.0)
    assert unrepresented(Sparse(inst.rates), q.lifts) is None
    system = checked(inst, q.lifts)
    assert system.n == len(inst.names) + len(q.lifts)
    assert q.lifts == tuple(sorted(q.lifts, key=lambda m: (degree(m), m)))
    assert 0 <= q.lower_bound <= len(q.lifts)
    assert q.optimal == (len(q.lifts) == q.lower_bound)  # a proof raises the bound


@pytest.mark.parametrize("label", [x for x in CHEAP if x not in AUTO_SHORT])
def test_auto_matches_qbee(label):
    inst = INSTANCES[label]
    q = auto(inst)
    assert q.lower_bound <= len(q.lifts) == inst.qbee_optimum


AT_CAP = {"hard(4)": 11, "hard(5)": 13, "multiplier_tree(6)": 9, "long_monomial(4)": 24}


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(CAPPED))
def test_auto_at_its_node_cap(label):
    inst = INSTANCES[label]
    q = auto(inst)
    assert len(q.lifts) == AT_CAP.get(label, inst.qbee_optimum)
    assert q.lower_bound <= (inst.qbee_optimum or len(q.lifts))  # deepening's proof
    assert not q.optimal and q.lower_bound < len(q.lifts) and q.nodes > 10_000 // 2
    checked(inst, q.lifts)


@pytest.mark.slow
@pytest.mark.parametrize(
    "label", ["hard(4)", "hard(5)", "multiplier_tree(6)", "long_monomial(3)"]
)
def test_exact_reaches_qbee_where_auto_does_not(label):
    inst = INSTANCES[label]
    q = quadratize(inst.rates, strategy="exact", budget=300.0)
    assert len(q.lifts) == inst.qbee_optimum
    assert q.optimal and q.lower_bound == inst.qbee_optimum
    checked(inst, q.lifts)


@pytest.mark.parametrize(
    "label", ["hard(3)", "circular(8)", "cubic_cycle(6)", "multiplier_tree(5)"]
)
def test_exact_proves_the_optimum(label):
    inst = INSTANCES[label]
    q = quadratize(inst.rates, strategy="exact", budget=60.0)
    assert q.optimal and len(q.lifts) == q.lower_bound == inst.qbee_optimum


@pytest.mark.parametrize("label", list(INSTANCES))
def test_lower_bound_never_exceeds_the_optimum(label):
    inst = INSTANCES[label]
    q = quadratize(inst.rates, strategy="portfolio")
    assert q.lower_bound <= len(q.lifts)
    if inst.qbee_optimum is not None:
        assert q.lower_bound <= inst.qbee_optimum <= len(q.lifts)


def test_optimal_means_proven():
    q = auto(INSTANCES["duffing_chain(16)"])  # the packing bound proves n
    assert q.optimal and q.nodes == 0 and len(q.lifts) == q.lower_bound == 16
    q = auto(INSTANCES["hard(3)"])  # capped: the best found, not proven
    assert not q.optimal and q.lower_bound < len(q.lifts)


@pytest.mark.parametrize("label", CHEAP)
def test_pruning_never_adds(label):
    problem = Sparse(INSTANCES[label].rates)
    lifts = greedy(problem, "D")
    pruned = prune(problem, lifts)
    assert set(pruned) <= set(lifts)
    assert unrepresented(problem, pruned) is None


@pytest.mark.parametrize(
    "label", ["hill(20)", "circular(6)", "product_ring(8)", "hard(3)"]
)
def test_deterministic(label):
    inst = INSTANCES[label]
    first, second = auto(inst), auto(inst)
    assert (first.lifts, first.lower_bound, first.strategy, first.nodes) == (
        second.lifts,
        second.lower_bound,
        second.strategy,
        second.nodes,
    )


def is_inner(lifts, n):
    states = {()} | {((i, 1),) for i in range(n)} | set(lifts)
    for w in lifts:
        splits = [
            (a, divide(w, a))
            for a in states
            if a not in ((), w) and divide(w, a) not in (None, (), w)
        ]
        if not any(b in states for _, b in splits):
            return False
    return True


@pytest.mark.parametrize("strategy", ["greedy", "portfolio", "auto"])
@pytest.mark.parametrize(
    "label", ["monomial(8)", "dense_scalar(6)", "hill(8)", "circular(5)", "cubic_cascade(5)",
              "product_ring(5)", "multiplier_tree(5)", "long_monomial(2)", "hard(3)"],
)  # fmt: skip
def test_inner_lifts_are_products_of_other_states(label, strategy):
    inst = INSTANCES[label]
    q = quadratize(inst.rates, strategy=strategy, inner=True, max_nodes=2000)
    assert is_inner(q.lifts, len(inst.names))
    assert unrepresented(Sparse(inst.rates), q.lifts, inner=True) is None
    checked(inst, q.lifts)
    plain = quadratize(inst.rates, strategy=strategy, max_nodes=2000)
    if plain.optimal:  # an inner lift is a lift
        assert len(plain.lifts) <= len(q.lifts)


def test_plain_optimum_can_be_outer():
    # x' = x^5: the optimum {x^4} is not inner (x^4 = x·x^3, x^2·x^2: no x^3, x^2)
    rates = [Poly({((0, 5),): 1.0})]
    assert quadratize(rates).lifts == (((0, 4),),)
    inner = quadratize(rates, inner=True)
    assert len(inner.lifts) == 2 and is_inner(inner.lifts, 1)


@pytest.mark.parametrize(
    "family, n, per", [("cubic_cycle", 10_000, 2), ("duffing_chain", 5000, 1)]
)
def test_ten_thousand_state_chains(family, n, per):
    inst = families.FAMILIES[family](n)
    q = quadratize(inst.rates)
    assert len(q.lifts) == per * n
    assert q.lower_bound >= n and q.nodes == 0
    assert unrepresented(Sparse(inst.rates), q.lifts) is None


def test_the_check_rejects_wrong_lifts():
    problem = Sparse([Poly({((0, 5),): 1.0})])  # x' = x^5
    assert unrepresented(problem, [((0, 4),)]) is None
    assert unrepresented(problem, []) is not None
    assert "derivative" in unrepresented(problem, [((0, 2),), ((0, 3),)])
    assert unrepresented(problem, [((0, 1),)]) is not None  # a base state again
    assert unrepresented(problem, [((0, 4),), ((0, 4),)]) is not None
    assert unrepresented(problem, [((0, 2),), ((0, 4),)], inner=False) is None
    assert unrepresented(problem, [((0, 4),)], inner=True) is not None


def test_bad_arguments_say_what_is_allowed():
    rates = [Poly({((0, 3),): 1.0})]
    with pytest.raises(ValueError, match=r"auto.*greedy.*portfolio.*exact"):
        quadratize(rates, strategy="fast")
    for budget in (0.0, -1.0, math.inf, math.nan, True, "1"):
        with pytest.raises(ValueError, match="budget"):
            quadratize(rates, budget=budget)
    for nodes in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="max_nodes"):
            quadratize(rates, max_nodes=nodes)
    with pytest.raises(ValueError, match=r"rates\[0\] uses y_1"):
        quadratize([Poly({((1, 3),): 1.0})])
    assert STRATEGIES == ("auto", "greedy", "portfolio", "exact")


def test_quadratic_systems_need_nothing():
    q = quadratize(INSTANCES["lorenz"].rates)
    assert (q.lifts, q.lower_bound, q.optimal, q.strategy) == (
        (),
        0,
        True,
        "none needed",
    )


def brute_force(rates, top, most):
    """The fewest new states among monomials of degree 2..top (at most ``most``)."""
    problem = Sparse(rates)
    n = len(rates)
    pool = [
        tuple((v, e) for v, e in enumerate(exps) if e)
        for exps in itertools.product(range(top + 1), repeat=n)
        if 2 <= sum(exps) <= top
    ]
    for k in range(most + 1):
        for lifts in itertools.combinations(pool, k):
            if unrepresented(problem, list(lifts)) is None:
                return k
    return None


def test_exact_agrees_with_brute_force_on_tiny_systems():
    rng = random.Random(7)
    checked_ = 0
    for _ in range(60):
        n = rng.choice([1, 2])
        rates = []
        for _ in range(n):
            exps = [
                [rng.randint(0, 4 if n == 1 else 3) for _ in range(n)] for _ in range(2)
            ]
            rates.append(
                Poly({tuple((v, e) for v, e in enumerate(x) if e): 1.0 for x in exps})
            )
        q = quadratize(rates, strategy="exact", budget=10.0)
        assert q.optimal and q.lower_bound == len(q.lifts)
        if len(q.lifts) <= 2:
            found = brute_force(rates, 6, len(q.lifts))
            assert found is None or found == len(q.lifts)
            checked_ += found is not None
    assert checked_ > 10


def test_families_text_round_trip():
    for inst in families.INSTANCES:
        texts = families.to_text(inst)
        assert len(texts) == len(inst.rates)
        for text, rate in zip(texts, inst.rates, strict=True):
            assert families.from_text(text, inst.names) == rate
            point = {name: 0.3 + 0.1 * i for i, name in enumerate(inst.names)}
            value = eval(text.replace("^", "**"), {}, dict(point))  # plain Python
            want = rate.evaluate([point[name] for name in inst.names])
            # two evaluation orders of the same terms, plus the text's rationals
            # (57/10) rounded once: ≤ degree + #terms roundings, eps/2 each, on
            # either side, of Σ|terms| → (degree + #terms) eps Σ|terms| (issue
            # 10); measured ≤ 0.69 eps Σ|terms|, margin ≥ 10× on every rate
            # (IEEE rounding: the same on every machine)
            size = Poly({m: abs(c) for m, c in rate.terms.items()}).evaluate(
                [point[name] for name in inst.names]
            )
            tol = (rate.degree() + len(rate.terms)) * EPS * size
            assert abs(value - want) <= tol, (inst.label, text)
    assert families.to_text(families.van_der_pol()) == ("y", "-x + y - x**2*y")
    assert families.to_text(families.rossler())[2] == "1/5 - 57/10*z + x*z"


def test_families_table():
    assert len(families.INSTANCES) == 76
    assert [i.label for i in families.INSTANCES[:8]] == [
        "lorenz", "rossler", "van_der_pol", "fitzhugh_nagumo", "selkov",
        "brusselator", "bush", "monomial(3)",
    ]  # fmt: skip
    known = [i for i in families.INSTANCES if i.qbee_optimum is not None]
    assert len(known) == 75 and families.INSTANCES[73].label == "long_monomial(4)"
    assert sum(i.qbee_optimum for i in known) == 353


def test_random_sparse_is_sparse_and_reproducible():
    a, b = families.random_sparse(200, seed=3), families.random_sparse(200, seed=3)
    assert a == b and a != families.random_sparse(200, seed=4)
    for rate in a.rates:
        assert len(rate.variables()) <= 3
        assert 3 <= rate.degree() <= 4
