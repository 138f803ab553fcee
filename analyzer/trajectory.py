"""The result of a run: named signals of every block, statistics, crossings."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.integrate import OdeSolution
from scipy.optimize import brentq

from analyzer.system import QuadraticSystem

_SAMPLES_PER_STEP = 4  # interior points per solver step when bracketing crossings


class Trajectory:
    """Signals of every block over a run, read from the compiled states.

    ``traj[name]`` is the signal of any block (integrator or not) at the times
    ``traj.t``: shape ``(len(t),)``, or ``(m, len(t))`` for a batch of ``m``
    initial conditions.

    Attributes
    ----------
    t : ndarray
        Output times.
    states : ndarray
        State values, shape ``(n, len(t))`` or ``(n, m, len(t))``; for a
        scheduled run only the base states (each segment has its own lifted
        states), shape ``(n_base, ...)``.
    system : QuadraticSystem
        What was simulated.
    stats : dict
        ``method`` (what ran, e.g. ``"DOP853"`` or ``"DOP853→Radau"`` after a
        stiffness switch), ``nfev``, ``njev``, ``nlu``, ``steps``, ``wall_time``.
    """

    def __init__(
        self,
        t: np.ndarray,
        states: np.ndarray,
        system: QuadraticSystem,
        stats: Mapping[str, Any],
        solution: OdeSolution | None,
        batch: int | None = None,
        readouts: Sequence[tuple[float, QuadraticSystem]] = (),
    ) -> None:
        self.t = t
        self.states = states
        self.system = system
        self.stats = dict(stats)
        self.batch = batch
        self._solution = solution
        self._signals: dict[Hashable, np.ndarray] = {}
        # A scheduled run reads each segment's signals with that segment's
        # readout (settings change gains): (start time, system) per segment.
        self._readouts = list(readouts) or [(float(t[0]), system)]

    def __repr__(self) -> str:
        batch = f", batch of {self.batch}" if self.batch else ""
        return (
            f"Trajectory({len(self.t)} times from {self.t[0]:g} to {self.t[-1]:g}, "
            f"{len(self.names)} blocks{batch}, method {self.stats.get('method')})"
        )

    @property
    def names(self) -> tuple[Hashable, ...]:
        """Every block's name."""
        return self.system.blocks

    def __contains__(self, name: object) -> bool:
        return name in self.system.outputs._index

    def __getitem__(self, name: Hashable) -> np.ndarray:
        if name not in self._signals:
            base = self.states[: self.system.n_base]
            self._signals[name] = self._read(self.t, base, [name])[0]
        return self._signals[name]

    def _read(self, times: Any, base: np.ndarray, names: list[Hashable]) -> np.ndarray:
        """Signals from base states whose last axis runs over ``times``."""
        if len(self._readouts) == 1:
            return self.system.outputs.evaluate(base, names)
        times = np.atleast_1d(np.asarray(times, dtype=float))
        starts = np.array([start for start, _ in self._readouts[1:]])
        which = np.searchsorted(
            starts, times, side="right"
        )  # the later one at a switch
        out = np.empty((len(names), *base.shape[1:]))
        for k in np.unique(which):
            columns = which == k
            outputs = self._readouts[k][1].outputs
            out[..., columns] = outputs.evaluate(base[..., columns], names)
        return out

    @property
    def final(self) -> dict[Hashable, Any]:
        """Every block's value at the last output time (an array for a batch)."""
        if self.batch:
            return {name: self[name][:, -1] for name in self.names}
        return {name: float(self[name][-1]) for name in self.names}

    def at(self, t: Any, *names: Hashable) -> dict[Hashable, np.ndarray]:
        """Signals at any times in the span, read from the dense output.

        Parameters
        ----------
        t : float or array of times
        *names : block names (default: every block)

        Examples
        --------
        >>> from analyzer import Circuit, simulate
        >>> c = Circuit()
        >>> c.integrator("x", initial=1.0); c.gain("g", k=-1.0)
        'x'
        'g'
        >>> c.connect("x", "g"); c.connect("g", "x")
        >>> traj = simulate(c, (0.0, 2.0), rtol=1e-10, atol=1e-12)
        >>> round(float(traj.at(1.0, "x")["x"]), 9)   # e^-1, between solver steps
        0.367879441
        """
        selected = list(names) if names else list(self.names)
        times = np.asarray(t, dtype=float)
        base = self(np.atleast_1d(times))[: self.system.n_base]
        values = self._read(times, base, selected)
        if times.ndim == 0:
            values = values[..., 0]
        return dict(zip(selected, values, strict=True))

    def __call__(self, t: Any) -> np.ndarray:
        """State values at any time(s) in the span, from the dense output."""
        return self._unflatten(self._dense()(t))

    def _dense(self) -> Any:
        """The dense output, or an error that says how to keep it."""
        if self._solution is None:
            raise ValueError(
                "this run kept no dense output (dense_output=False); simulate "
                "with dense_output=True to read it between output times"
            )
        return self._solution

    def _unflatten(self, y: np.ndarray) -> np.ndarray:
        if self.batch is None:
            return y
        return y.reshape(self.states.shape[0], self.batch, *y.shape[1:])

    def plot(self, *names: Hashable, ax: Any = None) -> Any:
        """Time series of the named blocks (default: every integrator).

        Segments of a scheduled run are shaded.  Returns the matplotlib Axes;
        see :func:`analyzer.plot.plot_trajectory`.
        """
        from analyzer.plot import plot_trajectory

        return plot_trajectory(self, *names, ax=ax)

    def plot_phase(
        self, x: Hashable, y: Hashable, ax: Any = None, **options: Any
    ) -> Any:
        """The X-Y plotter: block ``y`` against block ``x``.

        Returns the matplotlib Axes; see :func:`analyzer.plot.plot_phase`.
        """
        from analyzer.plot import plot_phase

        return plot_phase(self, x, y, ax=ax, **options)

    def crossings(self, name: Hashable, level: float = 0.0, direction: int = 0) -> Any:
        """Times at which a block's signal crosses ``level``.

        Found by bracketing on the solver's steps (sampled at interior points)
        and root-finding with ``brentq`` on the dense output, so a crossing is
        as accurate as the solution itself.

        Parameters
        ----------
        name : hashable
            The block.
        level : float
            The level to cross.
        direction : {0, +1, -1}
            +1 for upward crossings only, -1 for downward, 0 for both.

        Returns
        -------
        ndarray of times, or a list of them (one per member) for a batch.

        Examples
        --------
        >>> from analyzer import Circuit, simulate
        >>> c = Circuit()
        >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("g", k=-1.0)
        'x'
        'v'
        'g'
        >>> c.connect("v", "x"); c.connect("x", "g"); c.connect("g", "v")
        >>> traj = simulate(c, (0.0, 7.0), rtol=1e-10, atol=1e-12)
        >>> traj.crossings("x", direction=-1)   # cos t falls through 0 at pi/2
        array([1.57079633])
        """
        if direction not in (-1, 0, 1):
            raise ValueError(f"direction must be -1, 0 or +1, got {direction!r}")
        self.system.outputs.index(name)  # a clear KeyError for an unknown block
        solution = self._dense()
        steps = solution.ts
        fractions = np.arange(_SAMPLES_PER_STEP) / _SAMPLES_PER_STEP
        grid = np.append(
            (steps[:-1, None] + np.diff(steps)[:, None] * fractions).ravel(), steps[-1]
        )
        members = range(self.batch) if self.batch else [None]

        def signal(times: Any, member: int | None) -> np.ndarray:
            y = self._unflatten(solution(times))[: self.system.n_base]
            if member is not None:
                y = y[:, member]
            return self._read(times, y, [name])[0] - level

        found = [_roots(lambda s, k=k: signal(s, k), grid, direction) for k in members]
        return found if self.batch else found[0]


def _roots(g: Any, grid: np.ndarray, direction: int) -> np.ndarray:
    values = g(grid)
    roots = []
    for i in range(len(grid) - 1):
        a, b = values[i], values[i + 1]
        if a == 0.0:
            if i == 0 or values[i - 1] != 0.0:
                rising = b > 0 if i == 0 else values[i - 1] < 0
                if direction == 0 or (direction > 0) == rising:
                    roots.append(grid[i])
            continue
        if a * b < 0 and (direction == 0 or (direction > 0) == (b > a)):
            roots.append(
                brentq(
                    lambda s: float(g(np.array([s]))[0]),
                    grid[i],
                    grid[i + 1],
                    xtol=1e-15,
                    rtol=4 * np.finfo(float).eps,
                )
            )
    return np.array(roots)
