"""Output devices: strip-chart plots and the X–Y plotter, drawn with matplotlib.

Bush's output tables drew one shaft against another with a pen; electronic
machines had strip-chart recorders and X–Y plotters.  :func:`plot_trajectory`
is the strip chart (signals against time) and :func:`plot_phase` the X–Y
plotter.  Both draw into an ``Axes`` (a new one on a bare
``matplotlib.figure.Figure`` when none is given, so no GUI backend is needed)
and return it, so plots compose.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analyzer.trajectory import Trajectory

_SEGMENT_SHADES = ("#dde3ea", "#f0f2f5")  # alternating, light enough to read lines


def plot_trajectory(traj: Trajectory, *names: Hashable, ax: Axes | None = None) -> Axes:
    """Plot block signals against time, like a strip-chart recorder.

    Parameters
    ----------
    traj : Trajectory
        The result of :func:`analyzer.simulate`.
    *names : hashable
        The blocks to plot (any block, not only integrators); by default every
        integrator.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new Axes on a new ``Figure`` when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        With one line per block (one per member and block for a batched run,
        all members of a block in one colour with one legend entry), axis
        labels ``t`` and ``signal`` and a legend.  When ``traj.stats`` has
        ``"segments"`` (a list of ``(t_start, t_end, label)``, as scheduled
        runs record), each segment is shaded and labelled.

    Raises
    ------
    KeyError
        If a name is not a block of the trajectory.

    Examples
    --------
    >>> from analyzer import Circuit, simulate
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
    'x'
    'v'
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> traj = simulate(c, (0.0, 6.0), t_eval=np.linspace(0.0, 6.0, 61))
    >>> ax = plot_trajectory(traj)
    >>> [line.get_label() for line in ax.get_lines()]
    ['v', 'x']
    >>> ax.figure.savefig("oscillator.png")  # doctest: +SKIP
    """
    names = names or _integrators(traj)
    _check_names(traj, names)
    ax = _axes(ax)
    for i, segment in enumerate(traj.stats.get("segments") or ()):
        _shade_segment(ax, segment, i)
    for name in names:
        signal = np.asarray(traj[name])
        rows = signal.reshape(-1, signal.shape[-1])  # one row, or one per member
        (first,) = ax.plot(traj.t, rows[0], label=str(name), lw=1.5)
        for i, row in enumerate(rows[1:], start=1):
            # Members share the block's colour; a leading "_" keeps them out
            # of the legend, so it has one entry per block.
            ax.plot(traj.t, row, color=first.get_color(), lw=1.2, label=f"_{name}[{i}]")
    ax.set_xlabel("t")
    ax.set_ylabel("signal")
    if names:
        ax.legend(loc="best", fontsize="small")
    return ax


def plot_phase(
    traj: Trajectory,
    x: Hashable,
    y: Hashable,
    ax: Axes | None = None,
    *,
    equal_aspect: bool = False,
) -> Axes:
    """Plot one signal against another, like the X–Y plotter of the machines.

    Bush's output tables drove a pen with two shafts, so phase portraits were
    native to the differential analyzer ("does the pen close the circle?"
    was the test of a sine–cosine set-up).

    Parameters
    ----------
    traj : Trajectory
        The result of :func:`analyzer.simulate`.
    x, y : hashable
        The blocks on the horizontal and vertical axes.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new Axes on a new ``Figure`` when omitted.
    equal_aspect : bool
        Same scale on both axes (a circle looks like a circle).

    Returns
    -------
    matplotlib.axes.Axes
        The curve ``y`` against ``x`` (one per member of a batched run), a
        marker at each starting point, axis labels the block names.

    Raises
    ------
    KeyError
        If ``x`` or ``y`` is not a block of the trajectory.

    Examples
    --------
    >>> from analyzer import Circuit, simulate
    >>> c = Circuit()
    >>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
    'x'
    'v'
    'minus'
    >>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
    >>> traj = simulate(c, (0.0, 6.3), t_eval=np.linspace(0.0, 6.3, 64))
    >>> ax = plot_phase(traj, "x", "v", equal_aspect=True)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x', 'v')
    """
    _check_names(traj, (x, y))
    ax = _axes(ax)
    xs = np.asarray(traj[x])
    ys = np.asarray(traj[y])
    xs, ys = xs.reshape(-1, xs.shape[-1]), ys.reshape(-1, ys.shape[-1])
    (first,) = ax.plot(xs[0], ys[0], lw=1.2, label=f"{y} against {x}")
    color = first.get_color()
    for i in range(1, len(xs)):
        ax.plot(xs[i], ys[i], color=color, lw=1.2, label=f"_member {i}")
    ax.plot(
        xs[:, 0],
        ys[:, 0],
        linestyle="none",
        marker="o",
        markersize=6,
        markerfacecolor="white",
        markeredgecolor=color,
        label="start",
    )
    ax.set_xlabel(str(x))
    ax.set_ylabel(str(y))
    if equal_aspect:
        ax.set_aspect("equal", adjustable="datalim")
    return ax


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=(7.0, 4.5), layout="constrained").add_subplot()


def _integrators(traj: Trajectory) -> tuple[Hashable, ...]:
    """The integrator blocks, in state order (integrator states are named str(block))."""
    system = traj.system
    states = [
        s for i, s in enumerate(system.names[: system.n_base]) if i != system.clock
    ]
    by_text = {str(b): b for b in system.blocks}
    return tuple(by_text[s] for s in states if s in by_text)


def _check_names(traj: Trajectory, names: Any) -> None:
    for name in names:
        if name not in traj:
            known = ", ".join(repr(b) for b in traj.names[:10])
            more = " ..." if len(traj.names) > 10 else ""
            raise KeyError(
                f"no block named {name!r} in this trajectory; "
                f"plot one of its blocks: {known}{more}"
            )


def _shade_segment(ax: Axes, segment: Any, index: int) -> None:
    start, end, label = segment
    ax.axvspan(
        start,
        end,
        facecolor=_SEGMENT_SHADES[index % 2],
        edgecolor="none",
        zorder=0,
        gid="segment",
    )
    ax.text(
        (start + end) / 2.0,
        0.98,
        str(label),
        transform=ax.get_xaxis_transform(),  # x in data, y in axes fraction
        ha="center",
        va="top",
        fontsize="small",
        color="#4a5563",
        gid="segment label",
    )
