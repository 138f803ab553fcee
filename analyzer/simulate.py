"""Simulation: a compiled quadratic system, integrated with scipy's solvers.

:func:`simulate` takes a circuit (compiled on the way) or a
:class:`~analyzer.system.QuadraticSystem` and returns a
:class:`~analyzer.trajectory.Trajectory`.  Implicit methods always get the exact
sparse Jacobian.  ``method="auto"`` starts with an explicit Runge-Kutta method
unless the Jacobian at the start is already stiff, and switches to Radau as soon
as the step size is limited by stability rather than accuracy, judged from
h·ρ(J) with ρ estimated by power iteration on the exact Jacobian.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, OdeSolution, Radau

from analyzer.circuit import Circuit
from analyzer.compile import compile_circuit
from analyzer.errors import SimulationError
from analyzer.system import QuadraticSystem
from analyzer.trajectory import Trajectory
from analyzer.validate import is_finite_number

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


def simulate(
    model: Circuit | nx.MultiDiGraph | nx.DiGraph | QuadraticSystem,
    t_span: tuple[float, float],
    *,
    t_eval: Any = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    initial: Mapping[Any, Any] | None = None,
    max_step: float = np.inf,
    first_step: float | None = None,
) -> Trajectory:
    """Simulate a circuit or a compiled system over ``t_span``.

    Parameters
    ----------
    model : Circuit, networkx graph or QuadraticSystem
        What to simulate.  A circuit is compiled with ``t0 = t_span[0]``.
    t_span : (float, float)
        Start and end time, increasing.
    t_eval : array_like, optional
        Times at which to report the solution (within ``t_span``); by default
        the solver's own steps.
    method : str
        ``"auto"`` or one of scipy's ``RK23``, ``RK45``, ``DOP853``, ``Radau``,
        ``BDF``, ``LSODA``.
    rtol, atol : float
        Relative and absolute tolerances, as in ``scipy.integrate.solve_ivp``.
    initial : mapping, optional
        Integrator name -> initial value overriding the circuit's.  Arrays of
        one length m make a batch: m initial conditions in one vectorised run,
        and every signal gets a leading axis of length m.
    max_step, first_step : float, optional
        Passed to the solver.

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        For bad arguments (the message says which and why).
    CircuitError
        If the circuit does not compile.
    SimulationError
        If the run does not reach ``t_span[1]``: a finite-time blow-up, a step
        size that collapses, or a failing solver.

    Examples
    --------
    Exponential decay x' = -x for three initial values in one run:

    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.gain("g", k=-1.0)
    'x'
    'g'
    >>> c.connect("x", "g"); c.connect("g", "x")
    >>> traj = simulate(c, (0.0, 1.0), t_eval=[1.0], initial={"x": [1.0, 2.0, 3.0]})
    >>> np.round(traj["x"][:, -1], 8)
    array([0.36787944, 0.73575888, 1.10363832])
    """
    t0, t1 = _check_span(t_span)
    method = _check_method(method)
    _check_tolerances(rtol, atol)
    times = _check_t_eval(t_eval, t0, t1)
    system = _system(model, t0)
    y0, batch = _initial_state(system, initial)
    run = _integrate(
        system, y0, batch, t0, t1, method, rtol, atol, max_step, first_step
    )
    solution, stats = run
    t = solution.ts if times is None else times
    flat = solution(t) if times is not None else np.column_stack(stats.pop("ys"))
    stats.pop("ys", None)
    states = flat if batch is None else flat.reshape(system.n, batch, len(t))
    return Trajectory(np.asarray(t, float), states, system, stats, solution, batch)


def _check_span(t_span: Any) -> tuple[float, float]:
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise ValueError(
            f"t_span must be two numbers (t0, t1), got {t_span!r}"
        ) from None
    if not (np.isfinite(t0) and np.isfinite(t1)):
        raise ValueError(f"t_span must be finite, got ({t0}, {t1})")
    if not t1 > t0:
        raise ValueError(f"t_span must increase (t0 < t1), got ({t0}, {t1})")
    return t0, t1


def _check_method(method: str) -> str:
    if method == "auto" or method in METHODS:
        return method
    close = [m for m in METHODS if str(method).lower() == m.lower()]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"unknown method {method!r}: use 'auto' or one of {', '.join(METHODS)}{hint}"
    )


def _check_tolerances(rtol: Any, atol: Any) -> None:
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not (is_finite_number(value) and value >= 0):
            raise ValueError(
                f"{name} must be a finite non-negative number, got {value!r}"
            )
    if rtol <= 0:
        raise ValueError(f"rtol must be positive, got {rtol!r}")


def _check_t_eval(t_eval: Any, t0: float, t1: float) -> np.ndarray | None:
    if t_eval is None:
        return None
    times = np.atleast_1d(np.asarray(t_eval, dtype=float))
    if times.ndim != 1 or not np.all(np.isfinite(times)):
        raise ValueError("t_eval must be a 1-D array of finite times")
    slack = 1e-12 * max(1.0, abs(t0), abs(t1))
    if times.min() < t0 - slack or times.max() > t1 + slack:
        raise ValueError(
            f"t_eval must lie within t_span ({t0}, {t1}); got times from "
            f"{times.min()} to {times.max()}"
        )
    if np.any(np.diff(times) < 0):
        raise ValueError("t_eval must be sorted in increasing order")
    return np.clip(times, t0, t1)


def _system(model: Any, t0: float) -> QuadraticSystem:
    if not isinstance(model, QuadraticSystem):
        return compile_circuit(model, t0=t0)
    if model.clock is not None and model.t0 != t0:
        raise ValueError(
            f"this system was compiled for t0 = {model.t0} and reads time; start "
            f"t_span at {model.t0}, or compile with compile_circuit(circuit, t0={t0})"
        )
    return model


def _initial_state(
    system: QuadraticSystem, initial: Mapping[Any, Any] | None
) -> tuple[np.ndarray, int | None]:
    """The flat initial state, and the batch size (None for a single run)."""
    if not initial:
        return system.y0.copy(), None
    index = {
        name: i
        for i, name in enumerate(system.names[: system.n_base])
        if i != system.clock
    }
    unknown = [name for name in initial if str(name) not in index]
    if unknown:
        raise ValueError(
            "initial values can be given for integrators only; not integrators: "
            + ", ".join(repr(n) for n in unknown)
        )
    values = {
        index[str(name)]: np.asarray(v, dtype=float) for name, v in initial.items()
    }
    sizes = {v.size for v in values.values() if v.ndim > 0}
    if len(sizes) > 1 or any(v.ndim > 1 for v in values.values()):
        raise ValueError(
            "initial values must be numbers or 1-D arrays of one common length; "
            f"got lengths {sorted(sizes)}"
        )
    if not all(np.all(np.isfinite(v)) for v in values.values()):
        raise ValueError("initial values must be finite")
    batch = sizes.pop() if sizes else None
    base = system.y0[: system.n_base].copy()
    if batch is None:
        for i, v in values.items():
            base[i] = float(v)
        return system.embed(base), None
    columns = np.repeat(base[:, None], batch, axis=1)
    for i, v in values.items():
        columns[i] = v
    return system.embed(columns).ravel(), batch


def _integrate(
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
) -> tuple[OdeSolution, dict[str, Any]]:
    """Step a solver to t1, collecting the dense output; switch when stiff."""
    fun, jac = system.rhs, system.jac
    if batch is not None:
        shape = (system.n, batch)

        def fun(t: float, y: np.ndarray) -> np.ndarray:
            return system.rhs(t, y.reshape(shape)).ravel()

        def jac(t: float, y: np.ndarray) -> Any:
            return system.jac(t, y.reshape(shape))

    auto = method == "auto"
    if auto:
        method = "Radau" if _stiff_at_start(jac(t0, y0), t1 - t0) else _explicit(rtol)
    start = time.perf_counter()
    ts, ys, interpolants = [t0], [y0], []
    stats: dict[str, Any] = {"nfev": 0, "njev": 0, "nlu": 0, "steps": 0}
    methods = [method]
    solver = _make_solver(
        method, fun, jac, t0, y0, t1, rtol, atol, max_step, first_step
    )
    stiff_checks = 0
    while solver.status == "running":
        message = solver.step()
        if solver.status == "failed":
            _fail(system, solver, y0, batch, message)
        if not np.max(np.abs(solver.y)) <= _BLOWUP:  # also catches nan
            _fail(
                system, solver, y0, batch, "the solution left the floating-point range"
            )
        ts.append(solver.t)
        ys.append(solver.y.copy())
        interpolants.append(_interpolant(solver))
        stats["steps"] += 1
        if auto and method in _STIFF_STEP and stats["steps"] % _CHECK_EVERY == 0:
            h = solver.t - solver.t_old
            stiff = h * _spectral_radius(jac(solver.t, solver.y)) > _STIFF_STEP[method]
            stiff_checks = stiff_checks + 1 if stiff else 0
            if stiff_checks >= _CHECKS_TO_SWITCH and solver.status == "running":
                _add_counts(stats, solver)
                method = "Radau"
                methods.append(method)
                solver = _make_solver(
                    method, fun, jac, solver.t, solver.y, t1, rtol, atol, max_step, h
                )
    _add_counts(stats, solver)
    stats["method"] = "→".join(methods)
    stats["wall_time"] = time.perf_counter() - start
    stats["ys"] = ys
    return OdeSolution(np.array(ts), interpolants), stats


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


def _fail(
    system: QuadraticSystem,
    solver: Any,
    y0: np.ndarray,
    batch: int | None,
    message: str | None,
) -> None:
    """Raise a SimulationError that says when, which states, and what to do."""
    y = solver.y
    growth = np.abs(y) / (1.0 + np.abs(y0))
    growth[~np.isfinite(growth)] = np.inf
    names = _flat_names(system, batch)
    base_size = system.n_base * (batch or 1)  # base states come first
    growing = [i for i in range(base_size) if growth[i] > 1e6]
    if growing:
        worst = sorted(growing, key=lambda i: -growth[i])[:5]
        states = [names[i] for i in worst]
        values = ", ".join(f"{names[i]} = {y[i]:.3g}" for i in worst)
        raise SimulationError(
            f"the solution blows up near t = {solver.t:.10g} (a finite-time "
            f"singularity): {values}; the solver stopped with: {str(message).rstrip('.')}. Shorten "
            "t_span to end before it, or check the circuit's signs and gains.",
            t=float(solver.t),
            states=states,
        )
    raise SimulationError(
        f"the solver ({type(solver).__name__}) failed at t = {solver.t:.10g}: "
        f"{message}. Try method='Radau' or looser tolerances.",
        t=float(solver.t),
    )


def _flat_names(system: QuadraticSystem, batch: int | None) -> list[str]:
    if batch is None:
        return list(system.names)
    return [f"{name}[{k}]" for name in system.names for k in range(batch)]
