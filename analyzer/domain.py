"""Watches on a run: function domains, blow-ups, budgets and solver failures.

A function's input must stay where the function is defined: 1/u, ln u and u^p
are states whose rates grow without bound as u nears 0, so a run that reaches
the edge of a domain would otherwise end in a vague step-size failure, or,
worse, step across it.  :class:`DomainGuard` checks after every step that each
such input keeps the sign it started with, and raises a
:class:`~analyzer.errors.SimulationError` that names the block when it does not.

A run must end: :class:`Budget` caps its solver steps and wall-clock time,
:class:`BlowupWatch` recognises a finite-time blow-up the solver would chase
for ever, and :func:`solver_error` turns an exception from inside a scipy
solver into a SimulationError that names the states involved.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from analyzer.errors import SimulationError
from analyzer.functions import RULES, FunctionState, formula, in_domain
from analyzer.readout import Readout
from analyzer.system import QuadraticSystem


class DomainGuard:
    """Checks the inputs of a system's domain-restricted function states.

    Parameters
    ----------
    system : QuadraticSystem
    y0 : array
        The flat initial state (state i of member k at ``i * m + k``).
    batch : int or None
        The number of members m (None for a single run).
    """

    def __init__(self, system: QuadraticSystem, y0: np.ndarray, batch: int | None):
        self.guarded = [s for s in system.functions if s.domain is not None]
        self.shape = (system.n, batch or 1)
        self.n_core = system.n_core
        self.inputs = Readout.from_polys(
            {k: s.argument for k, s in enumerate(self.guarded)}, self.n_core
        )
        self.start = self._inputs(y0)
        self.sign = np.sign(self.start)
        bad = [
            f"{s.label}: its input starts at "
            f"{float(np.min(self.start[k])):.6g}, outside the domain of "
            f"{formula(s.rule, s.p)}"
            for k, s in enumerate(self.guarded)
            if not np.all(in_domain(s.domain, self.start[k]))
        ]
        if bad:
            raise ValueError("; ".join(bad) + "; change the initial values")

    def __bool__(self) -> bool:
        return bool(self.guarded)

    def _inputs(self, y: np.ndarray) -> np.ndarray:
        return self.inputs.evaluate(y.reshape(self.shape)[: self.n_core])

    def check(self, t: float, y: np.ndarray) -> None:
        """Raise a SimulationError if an input has left its domain at ``t``."""
        u = self._inputs(y)
        outside = ~(u * self.sign > 0)
        if outside.any():
            k, member = np.argwhere(outside)[0]
            raise domain_error(self.guarded[k], t, float(u[k, member]))

    def near_edge(self, t: float, y: np.ndarray) -> SimulationError | None:
        """The domain error to report for a failed run whose input has come
        within 1e-3 of its start's size to the edge, if any."""
        with np.errstate(all="ignore"):
            ratio = np.abs(self._inputs(y)) / np.abs(self.start)
        ratio[~np.isfinite(ratio)] = np.inf
        if not self.guarded or ratio.min() >= 1e-3:
            return None
        k, member = np.unravel_index(np.argmin(ratio), ratio.shape)
        return domain_error(self.guarded[k], t, float(self._inputs(y)[k, member]))


def domain_error(state: FunctionState, t: float, u: Any) -> SimulationError:
    """The error for a function state whose input reached its domain's edge."""
    rule = RULES[state.rule]
    if state.kind == "implicit loop":
        what = (
            f"{state.label}: the implicit loop's determinant det(I − L) reached "
            f"{u:.6g} near t = {t:.10g}, so the loop has no solution past it "
            "(a division by zero)"
        )
    else:
        edge = "u ≠ 0" if rule.domain == "nonzero" else "u > 0"
        what = (
            f"{state.label}: its input reached {u:.6g} near t = {t:.10g}, the edge "
            f"of the domain of {formula(state.rule, state.p)} ({edge}); the "
            "solution does not exist past it"
        )
    return SimulationError(
        what + ". End t_span before it, or change the circuit.",
        t=float(t),
        states=(state.name,),
    )


# -- budgets and the blow-up watch ---------------------------------------------

MAX_STEPS = 100_000
"""The default cap on solver steps of one run, all its segments together.

About 3 to 10 s of stepping for a small circuit, and a few hundred MB of dense
output at most for ten states; DifferentialEquations.jl caps its solvers at
the same 10^5 iterations.  The circuits of the catalog need at most ~10^3.
"""


class Budget:
    """What a run may spend: solver steps and wall-clock seconds, all segments
    together.  The clock starts when the budget is made (as ``simulate`` is
    called, so compiling counts) and is read between solver steps.

    Examples
    --------
    >>> budget = Budget(max_steps=1000, timeout=None)
    >>> budget.steps_left(), budget.deadline
    (1000, inf)
    """

    def __init__(self, max_steps: int | None = MAX_STEPS, timeout: float | None = None):
        self.max_steps = max_steps
        self.timeout = timeout
        self.used = 0  # steps of the segments that have finished
        self.start = time.perf_counter()
        self.deadline = math.inf if timeout is None else self.start + timeout

    def steps_left(self) -> float:
        """Steps the next segment may take (inf without a cap)."""
        return math.inf if self.max_steps is None else self.max_steps - self.used


def budget_error(
    budget: Budget,
    system: QuadraticSystem,
    batch: int | None,
    t: float,
    h: float,
    y: np.ndarray,
    t1: float,
    atol: float,
    steps: int,
) -> SimulationError:
    """The error for a run out of budget: where, how fast, and what to do."""
    used = budget.used + steps
    if budget.max_steps is not None and used >= budget.max_steps:
        what, more = (
            f"its budget of max_steps = {budget.max_steps} solver steps",
            ("raise max_steps (None for no cap; --max-steps on the command line)"),
        )
    else:
        what = f"its timeout of {budget.timeout:g} s after {used} solver steps"
        more = "raise timeout (--timeout on the command line)"
    fastest = fastest_states(system, batch, t, y, atol)
    scales = ", ".join(f"{name} (time scale {1 / r:.3g})" for name, r in fastest)
    pace = ""
    if h > 0:
        pace = f"; at that step size the rest of the span needs about {(t1 - t) / h:.2g} more steps"
    return SimulationError(
        f"the run used up {what} at t = {t:.10g}, short of t = {t1:.10g}: the last "
        f"step size was h = {h:.3g} and the fastest-varying states are "
        f"{scales or 'none'}{pace}. Shorten t_span, loosen rtol/atol, try "
        f"method='Radau' if those states decay fast (a stiff problem), or {more}.",
        t=float(t),
        states=[name for name, _ in fastest],
    )


def fastest_states(
    system: QuadraticSystem,
    batch: int | None,
    t: float,
    y: np.ndarray,
    atol: float,
    count: int = 3,
) -> list[tuple[str, float]]:
    """The states with the largest relative rates |y'| / (|y| + atol), and those
    rates (1 / time scale), fastest first; non-finite states come first."""
    with np.errstate(all="ignore"):
        rate = np.abs(system.rhs(t, y.reshape(system.n, -1)).ravel())
        rate = rate / (np.abs(y) + max(atol, np.finfo(float).tiny))
    rate[~np.isfinite(rate) | ~np.isfinite(y)] = np.inf
    names = state_names(system, batch)
    order = [i for i in np.argsort(-rate, kind="stable")[:count] if rate[i] > 0]
    return [(names[i], float(rate[i])) for i in order]


def state_names(system: QuadraticSystem, batch: int | None) -> list[str]:
    """Names of the flat states: ``x``, or ``x[k]`` for member k of a batch."""
    if batch is None:
        return list(system.names)
    return [f"{name}[{k}]" for name in system.names for k in range(batch)]


class BlowupWatch:
    """Recognises a finite-time blow-up that the solver is chasing step by step.

    A solver stops by itself at a blow-up such as y' = y² only when its step
    size falls below the spacing of the floating-point numbers near t.  When a
    block reads the growing signal through a fast function (``sin(y)``
    oscillates ever faster as y grows), the step size is set by that instead,
    the cost of each doubling of y grows with y, and the run crawls towards
    the singularity without ever failing.  This watch recognises it from the
    solution: each time the largest core state doubles past its record, it
    notes t, the steps taken and the growth time τ = |y / y'|.  Near a blow-up
    y ~ C·(T − t)^(−α), τ = (T − t)/α falls linearly to zero at T.  It raises
    when, over the last ``WINDOW`` doublings, every pair of notes extrapolates
    τ to the same T (within 1 % of the time the window covers, T before the
    end of the span) and the steps per doubling have grown at least
    ``SLOWING``-fold.  The last condition keeps it to runs the solver cannot
    finish on its own: a run that doubles at a steady cost, like y' = y², is
    left to fail (or not) by itself, so a solution that only looks like a
    blow-up for a while and then turns away is never stopped while it is cheap.
    """

    WINDOW = 7
    SLOWING = 8.0

    def __init__(
        self, system: QuadraticSystem, y0: np.ndarray, batch: int | None, t1: float
    ) -> None:
        self.system = system
        self.batch = batch
        self.t1 = t1
        self.rows = system.n_core * (batch or 1)  # core states come first
        self.scale = 1.0 + np.abs(y0[: self.rows])
        self.inverse = 1.0 / self.scale
        self.level = 2.0
        self.notes: list[tuple[float, float, float, int, int]] = []

    def check(self, t: float, y: np.ndarray, steps: int, h: float) -> None:
        """Note a new doubling of the largest core state; raise on a blow-up."""
        if not self.rows:
            return
        growth = np.abs(y[: self.rows]) * self.inverse  # the hot path: keep it lean
        i = int(growth.argmax())
        if not growth[i] >= self.level:  # also false for nan
            return
        self.level = 2.0 * float(growth[i])
        with np.errstate(all="ignore"):
            rate = self.system.rhs(t, y.reshape(self.system.n, -1)).ravel()[i]
            tau = float(abs(y[i] / rate))
        if self.notes and self.notes[-1][4] != i:
            self.notes.clear()  # another state leads now: start again
        self.notes.append((t, float(growth[i]), tau, steps, i))
        del self.notes[: -self.WINDOW]
        if len(self.notes) == self.WINDOW:
            end = self._singularity()
            if end is not None:
                raise self._error(t, y, h, i, *end)

    def _singularity(self) -> tuple[float, float] | None:
        """(T, α) if the notes agree on a blow-up at T before t1 and the run slows."""
        t, g, tau, steps, _ = (
            np.array(column) for column in zip(*self.notes, strict=True)
        )
        with np.errstate(all="ignore"):
            slope = np.diff(tau) / np.diff(t)
            ends = t[1:] - tau[1:] / slope
            cost = np.diff(steps) / np.log2(g[1:] / g[:-1])
        if not (np.all(np.isfinite(ends)) and np.all(slope < 0)):
            return None
        span = ends[-1] - t[0]
        if not (ends.max() - ends.min() <= 0.01 * span and ends[-1] <= self.t1):
            return None
        if not cost[-1] >= self.SLOWING * max(cost[0], 10.0):
            return None
        return float(ends[-1]), float(-1.0 / slope[-1])

    def _error(
        self, t: float, y: np.ndarray, h: float, i: int, end: float, alpha: float
    ) -> SimulationError:
        names = state_names(self.system, self.batch)
        start = self.scale[i] - 1.0
        fastest = fastest_states(self.system, self.batch, t, y, 0.0)
        chasing = ", ".join(name for name, _ in fastest)
        return SimulationError(
            f"the solution blows up near t = {end:.6g} (a finite-time singularity): "
            f"{names[i]} grew from {start:.3g} to {y[i]:.3g} like (T − t)^−{alpha:.2g}, "
            f"T = {end:.6g}, over its last {self.WINDOW} doublings, while the step "
            f"size fell to h = {h:.3g} to follow {chasing}; the run would never "
            f"reach t = {self.t1:.10g}. Shorten t_span to end before it, or check "
            "the circuit's signs and gains.",
            t=float(t),
            states=(names[i],),
        )


def solver_error(
    system: QuadraticSystem,
    batch: int | None,
    method: str,
    t: float,
    y: np.ndarray,
    error: Exception,
) -> SimulationError:
    """The error for an exception raised inside a scipy solver (a singular
    factor, an overflow): the states with the largest Jacobian entries, and
    what to do."""
    names = state_names(system, batch)
    with np.errstate(all="ignore"):
        jacobian = abs(system.jac(t, y.reshape(system.n, -1)).tocsr())
        size = np.asarray(jacobian.max(axis=1).todense()).ravel()
    size[~np.isfinite(size) | ~np.isfinite(y)] = np.inf
    worst = [i for i in np.argsort(-size, kind="stable")[:3] if size[i] > 0]
    where = ", ".join(f"{names[i]} (|∂y'/∂y| up to {size[i]:.3g})" for i in worst)
    if worst and not size[worst[0]] < 1e100:
        advice = (
            "Rates this large are beyond what floating point can integrate: "
            "rescale the circuit (smaller gains, a slower time scale) so they "
            "stay well below 1e100"
        )
    else:
        advice = "Try another method (BDF, LSODA, Radau) or looser rtol/atol"
    return SimulationError(
        f"the solver ({method}) failed at t = {t:.10g} with "
        f"{type(error).__name__}: {error}. The largest rates are in "
        f"{where or 'no state'}. {advice}, or shorten t_span.",
        t=float(t),
        states=[names[i] for i in worst],
    )


def failure_error(
    system: QuadraticSystem,
    solver: Any,
    y: np.ndarray,
    y0: np.ndarray,
    batch: int | None,
    message: str | None,
    guard: DomainGuard,
    atol: float,
) -> SimulationError:
    """The error for a solver that stopped (status failed, or values out of
    range): when, which states, and what to do."""
    edge = guard.near_edge(solver.t, y)
    if edge is not None:
        return edge
    growth = np.abs(y) / (1.0 + np.abs(y0))
    growth[~np.isfinite(growth)] = np.inf
    names = state_names(system, batch)
    base_size = system.n_base * (batch or 1)  # base states come first
    growing = [i for i in range(base_size) if growth[i] > 1e6]
    reason = str(message).rstrip(".")
    if growing:
        worst = sorted(growing, key=lambda i: -growth[i])[:5]
        states = [names[i] for i in worst]
        values = ", ".join(f"{names[i]} = {y[i]:.3g}" for i in worst)
        return SimulationError(
            f"the solution blows up near t = {solver.t:.10g} (a finite-time "
            f"singularity): {values}; the solver stopped with: {reason}. Shorten "
            "t_span to end before it, or check the circuit's signs and gains.",
            t=float(solver.t),
            states=states,
        )
    fastest = fastest_states(system, batch, solver.t, y, atol)
    stability = getattr(system.report, "stability", None)
    if stability is not None and stability.unstable and not stability.lam:
        advice = (
            "The lift is unstable off its manifold (system.report.stability): "
            "compile with stabilise=True."
        )
    elif fastest and not fastest[0][1] < 1e100:
        advice = (
            "Rates this large are beyond what floating point can integrate: "
            "rescale the circuit (smaller gains, a slower time scale)."
        )
    elif type(solver).__name__ in ("Radau", "BDF"):
        advice = "Try looser tolerances, or check the circuit's signs and gains."
    else:
        advice = "Try method='Radau' or looser tolerances."
    scales = ", ".join(f"{name} (time scale {1 / r:.3g})" for name, r in fastest)
    return SimulationError(
        f"the solver ({type(solver).__name__}) failed at t = {solver.t:.10g}: "
        f"{reason}; the fastest-varying states are {scales or 'none'}. {advice}",
        t=float(solver.t),
        states=[name for name, _ in fastest],
    )
