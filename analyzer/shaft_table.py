"""The shaft diagram's ink and its tables: the input table, and the output
table on which the pens draw a run's real curves at a stated scale.

Split from :mod:`analyzer.shaft` (which lays the machine out and draws its
units); both draw with the helpers and colours here.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

INK, PAPER, STEEL, GLASS = "#1f2a36", "#f6f1e4", "#5b6b7a", "#cfe0ea"
OUT = "#a33b20"  # cross shafts a unit drives
PENS = (OUT, "#2a5d9f", "#3d7a3a", "#7a3d8f", "#b8741a", "#1f7f86", "#6b4a2b")


def draw_text(
    ax: Axes, x: float, y: float, s: str, size: float = 7, /, **kw: Any
) -> None:
    style: dict[str, Any] = {"color": INK, "ha": "center", "va": "center"}
    ax.text(x, y, s, **{"zorder": 6, "fontsize": size, **style, **kw})


def draw_line(ax: Axes, xs: Any, ys: Any, **kw: Any) -> None:
    style: dict[str, Any] = {"color": INK, "lw": 1.0, "zorder": 5}
    ax.plot(xs, ys, **{"solid_capstyle": "butt", **style, **kw})


def draw_table(
    ax: Axes, table: dict[str, Any], title: str, grid: tuple[int, int] = (6, 4)
) -> Rectangle:
    """A table's board: the input table's, or the output table's graph paper."""
    x, y, w, h = (table[k] for k in ("x", "y", "width", "height"))
    board = Rectangle((x, y), w, h, fc="white", ec=INK, lw=1.2, zorder=1)
    ax.add_patch(board).set_gid(title)
    style = {"color": STEEL, "style": "italic"}
    if title == "input table":  # title below, clear of the motor above
        draw_text(ax, x + w / 2, y - 0.06, title, 7.5, va="top", **style)
        return board
    draw_text(ax, x + w / 2, y + h + 0.06, title, 7.5, va="bottom", **style)
    for gx in np.linspace(x, x + w, grid[0] + 1)[1:-1]:
        draw_line(ax, [gx, gx], [y, y + h], color=GLASS, lw=0.6, zorder=1)
    for gy in np.linspace(y, y + h, grid[1] + 1)[1:-1]:
        draw_line(ax, [x, x + w], [gy, gy], color=GLASS, lw=0.6, zorder=1)
    return board


def pen_scale(lo: float, hi: float) -> tuple[float, float, int]:
    """Round ends ``a <= lo``, ``b >= hi`` of an axis of the output table.

    The ends are multiples of a step of 1, 2, 2.5 or 5 times a power of ten,
    at most six steps apart (the graph paper's lines), and read back exactly
    from ``repr``; a constant signal gets a range around it.

    Returns
    -------
    (a, b, steps)

    Examples
    --------
    >>> pen_scale(0.0, 40.0), pen_scale(-17.3, 46.1), pen_scale(1.0, 1.0)
    ((0.0, 40.0, 4), (-20.0, 60.0, 4), (0.4, 1.6, 6))
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise ValueError(f"cannot scale the range {lo!r} to {hi!r}")
    a, b, step = lo, hi, 1.0
    if hi == lo:
        lo, hi = lo - max(abs(lo), 1.0) / 2, hi + max(abs(hi), 1.0) / 2
    power = 10.0 ** math.floor(math.log10(hi - lo) - 1)
    for step in (power * m for m in (1, 2, 2.5, 5, 10, 20, 25, 50, 100)):
        a, b = math.floor(lo / step) * step, math.ceil(hi / step) * step
        if b - a <= 6 * step:
            break
    # 12 significant digits drop the binary noise of k·step (0.30000000000000004)
    return float(f"{a:.12g}"), float(f"{b:.12g}"), round((b - a) / step)


def pen_signals(
    layout: dict[str, Any], trajectory: Any, graph: nx.MultiDiGraph
) -> tuple[np.ndarray, dict[Hashable, np.ndarray]]:
    """The abscissa and every pen's signal, checked against the circuit."""
    if not all(hasattr(trajectory, a) for a in ("t", "names", "batch")):
        raise ValueError(
            "trajectory must be a Trajectory, what analyzer.simulate(circuit, "
            f"t_span) returns; got {type(trajectory).__name__}"
        )
    names = set(trajectory.names)
    missing = [b for b in graph if b not in names]
    if missing:
        raise ValueError(
            "trajectory is not a run of this circuit: it has no signal for "
            f"block(s) {', '.join(repr(b) for b in missing[:8])}"
            + (" ..." if len(missing) > 8 else "")
            + "; pass the Trajectory that simulate returned for this circuit"
        )
    if trajectory.batch:
        raise ValueError(
            f"trajectory is a batch of {trajectory.batch} runs; the output table "
            "draws one run: simulate a single initial condition"
        )
    table = layout["output_table"]
    against = table["against"]
    x = np.asarray(trajectory[against] if against in names else trajectory.t, float)
    pens = {b: np.asarray(trajectory[b], float) for b in table["pens"]}
    if not all(np.isfinite(v).all() for v in (x, *pens.values())):
        raise ValueError("trajectory has non-finite values; the pens cannot draw it")
    return x, pens


def pen_scales(
    signals: tuple[np.ndarray, dict[Hashable, np.ndarray]],
) -> tuple[tuple[float, float, int], tuple[float, float, int]]:
    """The abscissa's and the pens' common ordinate's :func:`pen_scale`."""
    abscissa, values = signals
    lo = min(float(v.min()) for v in values.values())
    hi = max(float(v.max()) for v in values.values())
    pad = 0.05 * (hi - lo)  # keeps the curves off the top and bottom edges
    xs = pen_scale(float(abscissa.min()), float(abscissa.max()))
    return xs, pen_scale(lo - pad, hi + pad)


def draw_pens(
    ax: Axes,
    table: dict[str, Any],
    board: Rectangle,
    signals: tuple[np.ndarray, dict[Hashable, np.ndarray]] | None,
) -> None:
    """The pens' curves on the board, its scale, and which pen is which.

    A value v of a pen is drawn at board.y + (v - y0)/(y1 - y0)·board.height,
    its abscissa likewise between x0 and x1: the four ends are the labels
    ``pen scale:x0`` ... ``pen scale:y1`` at the board's corners.
    """
    x, y, w, h = (table[k] for k in ("x", "y", "width", "height"))
    against, pens = table["against"], table["pens"]
    caption = {"color": STEEL, "va": "top"}
    if signals is None:
        text = textwrap.fill("pens: " + ", ".join(map(str, pens)), 30)
        text += f"\nagainst {against}\nno run given: board left blank"
        draw_text(ax, x + w / 2, y - 0.06, text, 6.5, gid="pen caption", **caption)
        return
    abscissa, values = signals
    (x0, x1, _), (y0, y1, _) = pen_scales(signals)
    for i, (block, v) in enumerate(values.items()):
        xs = x + (abscissa - x0) / (x1 - x0) * w
        ys = y + (v - y0) / (y1 - y0) * h
        color = PENS[i % len(PENS)]
        (line,) = ax.plot(xs, ys, color=color, lw=0.9, zorder=2, gid=f"pen:{block}")
        line.set_clip_path(board)
    small = {"color": STEEL, "fontsize": 6}
    for gid, px, py, value, align in (
        ("x0", x, y - 0.04, x0, {"ha": "left", "va": "top"}),
        ("x1", x + w, y - 0.04, x1, {"ha": "right", "va": "top"}),
        ("y0", x + w + 0.05, y, y0, {"ha": "left", "va": "bottom"}),
        ("y1", x + w + 0.05, y + h, y1, {"ha": "left", "va": "top"}),
    ):
        draw_text(
            ax, px, py, scale_label(value), **small, **align, gid=f"pen scale:{gid}"
        )
    draw_text(ax, x + w / 2, y - 0.04, str(against), **small, va="top", gid="pen axis")
    draw_text(ax, x, y - 0.24, "pens:", 6.5, ha="left", gid="pen caption", **caption)
    col, row = x + 0.42, y - 0.24
    for i, block in enumerate(values):
        width = 0.075 * len(str(block)) + 0.12
        if col + width > x + w + 0.4 and col > x + 0.42:
            col, row = x + 0.42, row - 0.16
        label = {"ha": "left", "va": "top", "fontweight": "bold"}
        color = PENS[i % len(PENS)]
        draw_text(
            ax,
            col,
            row,
            str(block),
            6.5,
            color=color,
            gid=f"pen label:{block}",
            **label,
        )
        col += width


def scale_label(value: float) -> str:
    """A scale end, written so that it reads back exactly (Unicode minus)."""
    return repr(value).removesuffix(".0").replace("-", "−")
