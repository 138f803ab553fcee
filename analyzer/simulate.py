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

import numbers
import time
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from analyzer.circuit import Circuit
from analyzer.compile import compile_circuit
from analyzer.domain import MAX_STEPS, Budget
from analyzer.schedule import Program, compile_schedule
from analyzer.stepping import METHODS, integrate
from analyzer.system import QuadraticSystem
from analyzer.trajectory import Trajectory
from analyzer.validate import is_finite_number


def simulate(
    model: Circuit | nx.MultiDiGraph | nx.DiGraph | QuadraticSystem,
    t_span: tuple[float, float] | None,
    *,
    t_eval: Any = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    initial: Mapping[Any, Any] | None = None,
    max_step: float = np.inf,
    first_step: float | None = None,
    schedule: Sequence[Any] | Program | None = None,
    dense_output: bool = True,
    max_steps: int | None = MAX_STEPS,
    timeout: float | None = None,
) -> Trajectory:
    """Simulate a circuit or a compiled system over ``t_span``.

    Parameters
    ----------
    model : Circuit, networkx graph or QuadraticSystem
        What to simulate.  A circuit is compiled with ``t0 = t_span[0]``.
    t_span : (float, float)
        Start and end time, increasing.  With a schedule it may be None: the
        run starts at 0 and lasts as long as the schedule.
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
    schedule : list of segments, or a compiled Program, optional
        A program with modes (see :mod:`analyzer.schedule`): segments of
        ``(duration, operate, label)`` run one after the other, the integrators
        not named in ``operate`` (by name or by ``group``) holding their value.
        Default: one segment in which every integrator operates.
    dense_output : bool
        Keep every step's interpolant, for ``traj(t)``, ``traj.at`` and
        ``traj.crossings``.  With ``t_eval`` and ``dense_output=False`` the run
        keeps only the requested times, so memory does not grow with the
        number of steps (large batches).
    max_steps : int or None
        The most solver steps the run may take, all segments of a schedule
        together (default 100000); None for no cap.
    timeout : float or None
        The most wall-clock seconds the call may take, compiling included,
        read between solver steps (default None: no limit, so that whether a
        run succeeds never depends on the machine's speed or load).

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
        size that collapses, a failing solver, or a run that uses up
        ``max_steps`` or ``timeout`` (the message names the fastest-varying
        states and the step size reached).

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
    budget = Budget(*check_budget(max_steps, timeout))
    if schedule is not None:
        return _simulate_program(
            model, t_span, schedule, t_eval=t_eval, method=method, rtol=rtol,
            atol=atol, initial=initial, max_step=max_step, first_step=first_step,
            dense_output=dense_output, budget=budget,
        )  # fmt: skip
    t0, t1 = _check_span(t_span)
    method = _check_method(method)
    check_tolerances(rtol, atol)
    times = _check_t_eval(t_eval, t0, t1)
    system = _system(model, t0)
    y0, batch = _initial_state(system, initial)
    run = integrate(
        system, y0, batch, t0, t1, method, rtol, atol, max_step, first_step,
        t_eval=times, dense=dense_output, budget=budget,
    )  # fmt: skip
    t = run.ts if times is None else times
    flat = np.column_stack(run.ys) if run.ys is not None else run.samples
    assert flat is not None
    states = flat if batch is None else flat.reshape(system.n, batch, len(t))
    return Trajectory(
        np.asarray(t, float), states, system, run.stats, run.solution, batch
    )


def _simulate_program(
    model: Any,
    t_span: Any,
    schedule: Sequence[Any] | Program,
    *,
    t_eval: Any,
    method: str,
    rtol: float,
    atol: float,
    initial: Mapping[Any, Any] | None,
    max_step: float,
    first_step: float | None,
    dense_output: bool,
    budget: Budget,
) -> Trajectory:
    """Run a schedule segment by segment; lifted states restart at each switch."""
    start = 0.0 if t_span is None else _check_span(t_span)[0]
    if isinstance(schedule, Program):
        program = schedule
    elif isinstance(model, QuadraticSystem):
        raise ValueError("a schedule needs the circuit, not one compiled system")
    else:
        program = compile_schedule(model, schedule, t0=start)
    end = start + program.duration
    if t_span is not None and not np.isclose(_check_span(t_span)[1], end, rtol=1e-12):
        raise ValueError(
            f"the schedule lasts {program.duration}, so t_span must end at {end}; "
            f"got t_span={tuple(t_span)} (or pass t_span=None)"
        )
    method = _check_method(method)
    check_tolerances(rtol, atol)
    times = _check_t_eval(t_eval, start, end)
    first = program.segments[0][1]
    y, batch = _initial_state(first, initial)
    rows = first.n_base * (batch or 1)  # base states come first in the flat layout
    base = y[:rows].reshape(first.n_base, -1) if batch else y[: first.n_base]
    pieces, ts, ys, samples, bounds, methods = [], [start], [base.ravel()], [], [], []
    totals = dict.fromkeys(("nfev", "njev", "nlu", "steps"), 0)
    clock = time.perf_counter()
    t_a = start
    last = len(program.segments) - 1
    for number, (segment, system) in enumerate(program.segments):
        t_b = end if number == last else t_a + segment.duration
        inside = None
        if times is not None:  # each time to one segment: [t_a, t_b), the last closed
            upper = times <= t_b if number == last else times < t_b
            inside = times[(times >= t_a) & upper]
        run = integrate(
            system, system.embed(base).ravel(), batch, t_a, t_b, method, rtol, atol,
            max_step, first_step, t_eval=inside, dense=dense_output, budget=budget,
        )  # fmt: skip
        pieces.append(run.solution)
        ts.extend(run.ts[1:])
        if run.ys is not None:
            ys.extend(step[:rows] for step in run.ys[1:])
        if run.samples is not None:
            samples.append(run.samples[:rows])
        base = run.final[:rows].reshape(first.n_base, -1) if batch else run.final[:rows]
        bounds.append((t_a, t_b, segment.label or f"segment {number + 1}"))
        methods.append(run.stats["method"])
        for key in totals:
            totals[key] += run.stats[key]
        t_a = t_b
    piecewise = PiecewiseSolution(pieces, rows) if dense_output else None
    t = np.asarray(ts) if times is None else times
    flat = np.column_stack(ys) if times is None else np.hstack(samples)
    states = flat if batch is None else flat.reshape(first.n_base, batch, len(t))
    summary = {
        **totals,
        "method": ", ".join(dict.fromkeys(methods)),
        "wall_time": time.perf_counter() - clock,
        "segments": bounds,
    }
    readouts = [(start, first)] + [
        (t_a, system)
        for (t_a, _, _), (_, system) in zip(
            bounds[1:], program.segments[1:], strict=True
        )
    ]
    return Trajectory(
        np.asarray(t, float), states, first, summary, piecewise, batch, readouts
    )


class PiecewiseSolution:
    """Dense output of a scheduled run: base states, segment after segment.

    Each segment has its own state vector (its own lifted states), so only the
    base states, which all segments share, are read.  At a switch the later
    segment answers; the base states are continuous there.
    """

    def __init__(self, pieces: list[Any], rows: int) -> None:
        self.pieces = pieces
        self.rows = rows
        self.ts = np.concatenate([pieces[0].ts] + [p.ts[1:] for p in pieces[1:]])
        self._starts = np.array([p.ts[0] for p in pieces[1:]])

    def __call__(self, t: Any) -> np.ndarray:
        times = np.asarray(t, dtype=float)
        which = np.searchsorted(self._starts, np.atleast_1d(times), side="right")
        out = np.empty((self.rows, which.size))
        for k in np.unique(which):
            mask = which == k
            out[:, mask] = self.pieces[k](np.atleast_1d(times)[mask])[: self.rows]
        return out[:, 0] if times.ndim == 0 else out


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


def check_tolerances(rtol: Any, atol: Any) -> None:
    """The one rule for tolerances, of ``simulate`` and the command line alike:
    0 < rtol < 1 and 0 < atol, both finite numbers.

    scipy's error test is err_i <= atol + rtol·|y_i|: rtol is a fraction of
    each state (1 or more would accept any answer).  atol must be positive:
    with atol = 0 the error scale of a state that is exactly 0 (an integrator
    starting at 0, a held one) is 0, and scipy's explicit steppers then try
    step sizes that are nan for ever inside a single step, where no budget
    can stop them.

    Examples
    --------
    >>> check_tolerances(1e-8, 1e-12)
    >>> check_tolerances(1e-8, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: atol must be a finite number > 0, got 0.0
    """
    if not (is_finite_number(rtol) and 0 < rtol < 1):
        raise ValueError(f"rtol must be a number with 0 < rtol < 1, got {rtol!r}")
    if not (is_finite_number(atol) and atol > 0):
        raise ValueError(f"atol must be a finite number > 0, got {atol!r}")


def check_budget(max_steps: Any, timeout: Any) -> tuple[int | None, float | None]:
    """``max_steps`` (a positive int or None) and ``timeout`` (positive seconds
    or None), checked.

    Examples
    --------
    >>> check_budget(1000, 2.5)
    (1000, 2.5)
    >>> check_budget(0, None)
    Traceback (most recent call last):
    ...
    ValueError: max_steps must be a positive integer or None (no cap), got 0
    """
    if max_steps is not None and not (
        isinstance(max_steps, numbers.Integral)
        and not isinstance(max_steps, bool)
        and int(max_steps) > 0
    ):
        raise ValueError(
            f"max_steps must be a positive integer or None (no cap), got {max_steps!r}"
        )
    if timeout is not None and not (
        isinstance(timeout, numbers.Real)
        and not isinstance(timeout, bool)
        and float(timeout) > 0  # also false for nan
    ):
        raise ValueError(
            f"timeout must be a positive number of seconds or None (no limit), "
            f"got {timeout!r}"
        )
    return (
        None if max_steps is None else int(max_steps),
        None if timeout is None else float(timeout),
    )


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
    for name, value in initial.items():
        bad = ~np.isfinite(values[index[str(name)]])
        if bad.any():
            where = f" (members {np.flatnonzero(bad).tolist()})" if bad.ndim else ""
            shown = np.asarray(value, dtype=float)[bad] if bad.ndim else value
            raise ValueError(
                f"initial value of integrator {name!r} is not finite: "
                f"{np.asarray(shown).tolist()!r}{where}; give a finite number"
            )
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
