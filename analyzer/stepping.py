"""Stepping: one scipy solver (or two, after a stiffness switch) driven to the end.

The loop collects every step and its dense output, checks each step for a
blow-up, and, for ``method="auto"``, watches whether an explicit method's step
size is limited by stability rather than accuracy: when h·ρ(J) stays above a
fraction of the method's real stability interval, with ρ estimated by power
iteration on the exact Jacobian, it continues with Radau from where it is.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, OdeSolution, Radau

from analyzer.domain import (
    BlowupWatch,
    Budget,
    DomainGuard,
    budget_error,
    failure_error,
    solver_error,
)
from analyzer.errors import SimulationError
from analyzer.freeze import Expanded, Frozen, moving_states
from analyzer.system import QuadraticSystem

METHODS = {
    "RK23": RK23,
    "RK45": RK45,
    "DOP853": DOP853,
    "Radau": Radau,
    "BDF": BDF,
    "LSODA": LSODA,
}
"""scipy's solvers by name; ``"auto"`` chooses among them."""

IMPLICIT = frozenset({"Radau", "BDF", "LSODA"})

# h·ρ(J) above which an explicit step is limited by stability: about 40 % of the
# real stability interval of each method (2.5 for RK23, 3.3 for RK45, 6 for DOP853).
_STIFF_STEP = {"RK23": 1.0, "RK45": 1.3, "DOP853": 2.4}
_CHECK_EVERY = 10  # steps between stiffness checks
_CHECKS_TO_SWITCH = 3  # consecutive stiff checks before switching
_STIFF_AT_START = 2000.0  # (t1 - t0)·max(-Re λ) above which we start implicit
_DENSE_EIG_LIMIT = 400
_BLOWUP = 1e100
_SMALLEST_RTOL = 100 * np.finfo(float).eps  # scipy's own floor for rtol


def integrate(
    system: QuadraticSystem,
    y0: np.ndarray,
    batch: int | None,
    t0: float,
    t1: float,
    method: str,
    rtol: float,
    atol: float,
    max_step: float,
    first_step: float | None,
    t_eval: np.ndarray | None = None,
    dense: bool = True,
    budget: Budget | None = None,
) -> Run:
    """Step a solver to t1; switch to Radau when an explicit method turns stiff.

    With ``t_eval`` the states at those times are sampled step by step, and
    the steps themselves are not kept; without ``dense`` no interpolant is
    kept either, so memory does not grow with the number of steps.  The steps
    taken are charged to ``budget`` (default: :data:`~analyzer.domain.MAX_STEPS`
    steps, no timeout), which a scheduled run shares between its segments.
    """
    budget = Budget() if budget is None else budget
    fun: Any = system.rhs
    jac: Any = system.jac
    if batch is not None:
        shape = (system.n, batch)

        def fun(t: float, y: np.ndarray) -> np.ndarray:
            return system.rhs(t, y.reshape(shape)).ravel()

        def jac(t: float, y: np.ndarray) -> Any:
            return system.jac(t, y.reshape(shape))

    # Held states (rate identically zero) are taken out of the integration.
    frozen = None if moving_states(system).all() else Frozen(system, y0, batch)
    if frozen is not None:
        fun, jac = frozen.fun, frozen.jac
    full = frozen.expand if frozen is not None else _same
    z0 = frozen.z0 if frozen is not None else y0
    guard = DomainGuard(system, y0, batch)
    if len(z0) == 0:  # everything holds: nothing to integrate
        return _still(y0, t0, t1, t_eval, dense, len(y0) == 0)
    if batch is not None:
        # scipy's error norm is an RMS over all n·m states, which lets easy
        # members dilute a hard one; dividing the tolerances by √m makes every
        # member meet them as it would alone.
        shrink = np.sqrt(batch)
        rtol, atol = max(rtol / shrink, _SMALLEST_RTOL), atol / shrink
    auto = method == "auto"
    if auto:
        with np.errstate(over="ignore", invalid="ignore"):  # judged just below
            first = system.jac(t0, y0.reshape(system.n, -1)[:, 0])  # one member says
        method = "Radau" if _stiff_at_start(first, t1 - t0) else _explicit(rtol)
    start = time.perf_counter()
    ts, interpolants = [t0], []
    ys: list[np.ndarray] | None = [y0] if t_eval is None else None
    sampler = _Sampler(t_eval, t0, y0, full)
    stats: dict[str, Any] = {"nfev": 0, "njev": 0, "nlu": 0, "steps": 0}
    methods = [method]
    watch = BlowupWatch(system, y0, batch, t1)
    steps, next_check, stiff_checks = 0, _CHECK_EVERY, 0
    limit, deadline = budget.steps_left(), budget.deadline
    timed = budget.timeout is not None
    # Trial steps of a run that blows up overflow before the checks below see
    # it; the SimulationError says so, so numpy's own warnings would be noise.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        solver = _start(
            system, batch, method, fun, jac, t0, z0, t1, rtol, atol, max_step,
            first_step, y0,
        )  # fmt: skip
        while solver.status == "running":
            try:
                message = solver.step()
            except SimulationError:
                raise
            except (RuntimeError, ArithmeticError, ValueError) as err:
                y = full(solver.y)
                raise solver_error(system, batch, method, solver.t, y, err) from err
            if solver.status == "failed":
                raise failure_error(
                    system, solver, full(solver.y), y0, batch, message, guard, atol
                )
            if not np.max(np.abs(solver.y)) <= _BLOWUP:  # also catches nan
                raise failure_error(
                    system,
                    solver,
                    full(solver.y),
                    y0,
                    batch,
                    "the solution left the floating-point range",
                    guard,
                    atol,
                )
            if guard:
                guard.check(solver.t, full(solver.y))
            ts.append(solver.t)
            if ys is not None:
                ys.append(full(solver.y).copy())
            if dense:
                interpolant = _interpolant(solver)
                if frozen is not None:
                    interpolant = Expanded(interpolant, frozen)
                interpolants.append(interpolant)
            sampler.step(solver, interpolants[-1] if dense else None)
            steps += 1
            if steps >= next_check:  # every _CHECK_EVERY steps: one comparison a step
                next_check += _CHECK_EVERY
                h = solver.t - solver.t_old
                if not solver.t > ts[-1 - _CHECK_EVERY]:  # LSODA may step by h = 0
                    stuck = f"no progress in {_CHECK_EVERY} steps (step size 0)"
                    raise failure_error(
                        system, solver, full(solver.y), y0, batch, stuck, guard, atol
                    )
                watch.check(solver.t, full(solver.y), budget.used + steps, h)
                if auto and method in _STIFF_STEP:
                    stiff = (
                        h * _spectral_radius(jac(solver.t, solver.y))
                        > _STIFF_STEP[method]
                    )
                    stiff_checks = stiff_checks + 1 if stiff else 0
                    if stiff_checks >= _CHECKS_TO_SWITCH and solver.status == "running":
                        _add_counts(stats, solver)
                        method = "Radau"
                        methods.append(method)
                        solver = _start(
                            system, batch, method, fun, jac, solver.t, solver.y, t1,
                            rtol, atol, max_step, h, full(solver.y),
                        )  # fmt: skip
            if solver.status == "running" and (
                steps >= limit or (timed and time.perf_counter() > deadline)
            ):
                last = solver.t_old  # None just after a switch to Radau
                h = solver.t - last if last is not None else solver.step_size or 0.0
                y = full(solver.y)
                raise budget_error(
                    budget, system, batch, solver.t, h, y, t1, atol, steps
                )
    budget.used += steps
    stats["steps"] = steps
    _add_counts(stats, solver)
    stats["method"] = "→".join(methods)
    stats["wall_time"] = time.perf_counter() - start
    solution = OdeSolution(np.array(ts), interpolants) if dense else None
    final = full(solver.y).copy()
    return Run(solution, np.array(ts), ys, sampler.values(), final, stats)


def _start(
    system: QuadraticSystem,
    batch: int | None,
    method: str,
    fun: Any,
    jac: Any,
    t0: float,
    z0: np.ndarray,
    t1: float,
    rtol: float,
    atol: float,
    max_step: float,
    first_step: float | None,
    y: np.ndarray,
) -> Any:
    """A solver at (t0, z0); an exception while it starts becomes our error."""
    try:
        solver = _make_solver(
            method, fun, jac, t0, z0, t1, rtol, atol, max_step, first_step
        )
        # scipy would try a nan step for ever inside one step() call.
        if not np.isfinite(getattr(solver, "h_abs", 0.0)):
            raise FloatingPointError("no finite first step size (rates not finite)")
    except (RuntimeError, ArithmeticError, ValueError) as err:
        raise solver_error(system, batch, method, t0, y, err) from err
    return solver


def _same(y: np.ndarray) -> np.ndarray:
    return y


def _still(
    y0: np.ndarray,
    t0: float,
    t1: float,
    t_eval: np.ndarray | None,
    dense: bool,
    empty: bool = False,
) -> Run:
    """The run of a segment in which every state holds (or there is none)."""
    method = "none (no states)" if empty else "none (all hold)"
    stats = {"method": method, "nfev": 0, "njev": 0, "nlu": 0, "steps": 1}
    stats["wall_time"] = 0.0
    ts = np.array([t0, t1])
    samples = None if t_eval is None else np.repeat(y0[:, None], len(t_eval), axis=1)
    solution = OdeSolution(ts, [_Constant(y0)]) if dense else None
    ys = [y0, y0.copy()] if t_eval is None else None
    return Run(solution, ts, ys, samples, y0.copy(), stats)


class _Constant:
    """The interpolant of a state that does not move."""

    def __init__(self, y: np.ndarray) -> None:
        self.y = y

    def __call__(self, t: Any) -> np.ndarray:
        t = np.asarray(t)
        return (
            self.y.copy() if t.ndim == 0 else np.repeat(self.y[:, None], t.size, axis=1)
        )


@dataclass
class Run:
    """What :func:`integrate` returns.

    ``solution`` is the dense output (None unless kept); ``ys`` the state after
    every step, the first being y0 (None when sampling at ``t_eval``);
    ``samples`` the states at ``t_eval`` as columns; ``final`` the state at t1;
    ``stats`` has ``method``, ``nfev``, ``njev``, ``nlu``, ``steps`` and
    ``wall_time``.
    """

    solution: OdeSolution | None
    ts: np.ndarray
    ys: list[np.ndarray] | None
    samples: np.ndarray | None
    final: np.ndarray
    stats: dict[str, Any]


class _Sampler:
    """States at requested times, read from each step's interpolant as it passes."""

    def __init__(
        self, times: np.ndarray | None, t0: float, y0: np.ndarray, full: Any
    ) -> None:
        self.times = times
        self.full = full  # reduced states (held ones out) -> full states
        self.columns: list[np.ndarray] = []
        self.next = 0
        if times is not None:
            while self.next < len(times) and times[self.next] <= t0:
                self.columns.append(y0.copy())
                self.next += 1

    def step(self, solver: Any, interpolant: Any) -> None:
        times = self.times
        if times is None or self.next >= len(times) or times[self.next] > solver.t:
            return
        stop = int(np.searchsorted(times, solver.t, side="right"))
        if interpolant is None:  # not kept: build this step's, in reduced states
            reduced = np.asarray(solver.dense_output()(times[self.next : stop]))
            values = self.full(reduced.reshape(len(solver.y), -1))
        else:
            values = np.asarray(interpolant(times[self.next : stop]))
        values = values.reshape(len(self.full(solver.y)), -1)
        self.columns.extend(values.T)
        self.next = stop

    def values(self) -> np.ndarray | None:
        if self.times is None:
            return None
        return np.column_stack(self.columns) if self.columns else None


class _DeferredInterpolant:
    """A Runge-Kutta step's dense output, built only if someone reads it.

    DOP853's interpolant costs three extra right-hand-side evaluations a step;
    deferring it keeps runs that only need the step values (or a few t_eval
    points) as cheap as ``solve_ivp``.  The snapshot owns copies of the stage
    array the solver overwrites on its next step.
    """

    __slots__ = ("_interpolant", "_snapshot")

    def __init__(self, solver: Any) -> None:
        snapshot = copy.copy(solver)
        if hasattr(solver, "K_extended"):  # DOP853: K is a view of K_extended
            snapshot.K_extended = solver.K_extended.copy()
            snapshot.K = snapshot.K_extended[: solver.n_stages + 1]
        else:
            snapshot.K = solver.K.copy()
        self._snapshot: Any = snapshot
        self._interpolant: Any = None

    def __call__(self, t: Any) -> np.ndarray:
        if self._interpolant is None:
            self._interpolant = self._snapshot.dense_output()
            self._snapshot = None
        return np.asarray(self._interpolant(t))


def _interpolant(solver: Any) -> Any:
    if isinstance(solver, RK23 | RK45 | DOP853):
        return _DeferredInterpolant(solver)
    return solver.dense_output()


def _explicit(rtol: float) -> str:
    return "DOP853" if rtol < 1e-6 else "RK45"


def _make_solver(
    method: str,
    fun: Any,
    jac: Any,
    t0: float,
    y0: np.ndarray,
    t1: float,
    rtol: float,
    atol: float,
    max_step: float,
    first_step: float | None,
) -> Any:
    options: dict[str, Any] = {
        "rtol": rtol,
        "atol": atol,
        "max_step": max_step,
        "first_step": first_step,
    }
    if method == "LSODA":
        options["jac"] = lambda t, y: jac(t, y).toarray()
    elif method in IMPLICIT:
        options["jac"] = jac
    return METHODS[method](fun, t0, y0, t1, **options)


def _add_counts(stats: dict[str, Any], solver: Any) -> None:
    stats["nfev"] += solver.nfev
    stats["njev"] += getattr(solver, "njev", 0)
    stats["nlu"] += getattr(solver, "nlu", 0)


def _stiff_at_start(jacobian: Any, duration: float) -> bool:
    """Whether the start is stiff: strong damping over a long span (small systems)."""
    if not np.isfinite(jacobian.data).all():
        return True  # rates that overflow: Radau's failure names the states
    if jacobian.shape[0] > _DENSE_EIG_LIMIT:
        return False
    eig = np.linalg.eigvals(jacobian.toarray())
    return bool(duration * max(0.0, -eig.real.min(initial=0.0)) > _STIFF_AT_START)


def _spectral_radius(jacobian: Any, iterations: int = 12) -> float:
    """A power-iteration estimate of the largest |eigenvalue| of J."""
    v = np.cos(np.arange(jacobian.shape[0]) * 1.7 + 0.3)  # fixed, generic start
    growth = 0.0
    for _ in range(iterations):
        w = jacobian @ v
        norm_v, norm_w = np.linalg.norm(v), np.linalg.norm(w)
        if norm_w == 0.0 or norm_v == 0.0:
            return 0.0
        growth = float(norm_w / norm_v)
        v = w / norm_w
    return float(growth)
