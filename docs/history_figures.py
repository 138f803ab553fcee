"""The figures of the history pages, drawn by our own code at docs build.

``generate(folder)`` writes every figure that ``docs/history/*.md`` embeds as
``![...](figures/<name>.svg)`` into ``folder`` (``docs/history/figures/``,
not kept in the repository); ``docs/conf.py`` calls it from a
``builder-inited`` hook.  The figures are:

- ``kelvin_integrator.svg``: James Thomson's disc–globe–cylinder integrator, a
  schematic (kelvin_machines.md);
- ``kelvin_tide.svg``: a tide curve summed from four harmonic constituents, as
  the pulleys of Thomson's tide predictor summed them, with the sourced
  constants of :data:`TIDE_CONSTITUENTS` (kelvin_machines.md);
- ``capstan_amplifier.svg`` and ``differential_adder.svg``: schematics of
  Nieman's torque amplifier and of the differential-gear adder
  (fifty_five_years.md);
- ``falling_body_shaft.svg``: the shaft diagram of Bush's falling-body set-up,
  with the pens drawing a simulated run (fifty_five_years.md);
- ``machine_sizes.svg``: machine size against year, the sourced table
  :data:`MACHINE_SIZES` (electronic.md).

The numbers the figures carry come from the tables below, which
``tests/test_history_figures.py`` checks against the tables printed on the
pages, or from a simulation.  Importing this module has no side effects.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

FOLDER = Path(__file__).resolve().parent / "history" / "figures"

# Harmonic constants of NOAA station 8727328 (Ozello North, FL): amplitude H
# in feet, phase lag (epoch) κ in degrees, speed in degrees per hour.  The
# page kelvin_machines.md prints the same table.
TIDE_CONSTITUENTS: dict[str, tuple[float, float, float]] = {
    "M2": (0.59, 103.5, 28.984104),
    "S2": (0.18, 149.8, 30.0),
    "K1": (0.27, 25.9, 15.041069),
    "O1": (0.32, 27.8, 13.943035),
}
TIDE_HOURS = 24.0 * 15  # a fortnight and a day: one spring-neap cycle

# Machine sizes: (year, machine, count, what is counted).  The page
# electronic.md prints the same table with a reference for each row.
MACHINE_SIZES: list[tuple[int, str, int, str]] = [
    (1931, "MIT differential analyzer", 6, "integrators"),
    (1934, "Manchester Meccano model", 4, "integrators"),
    (1953, "Michigan tabletop analyzer", 6, "amplifiers"),
    (1959, "EAI TR-10", 20, "amplifiers"),
    (1961, "EAI TR-48", 48, "amplifiers"),
    (2021, "THE ANALOG THING", 5, "integrators"),
]

# Bush's falling body, x'' + k x' + g = 0: the values the page runs it with.
FALLING_BODY = {"g": 9.81, "k": 0.5, "x0": 100.0, "v0": 0.0, "T": 4.0}

INK, STEEL, GLASS, BRASS, RED = "#222222", "#8a939c", "#cfe3ee", "#d9b55a", "#b22222"


def tide_height(hours: Any) -> np.ndarray:
    """The sum Σ H cos(speed·t − κ) of :data:`TIDE_CONSTITUENTS` at ``hours``.

    The astronomical arguments and node factors of a real prediction are left
    out (set to 0 and 1), so this is the machine's sum of four cosines, not a
    forecast for any date.

    Examples
    --------
    >>> round(float(tide_height(0.0)), 4)
    0.2326
    """
    t = np.asarray(hours, dtype=float)
    return sum(
        (a * np.cos(np.radians(speed * t - phase)))
        for a, phase, speed in TIDE_CONSTITUENTS.values()
    ) + np.zeros_like(t)


def falling_body(
    g: float = 9.81, k: float = 0.5, x0: float = 100.0, v0: float = 0.0
) -> Any:
    """Bush's falling body with drag, x'' + k x' + g = 0, as a circuit.

    Integrator ``v`` (x') integrates the acceleration −g − k·v; integrator
    ``x`` integrates ``v``; ``g`` is a constant (Bush's input table) and
    ``drag`` a gain (his gear box).

    Examples
    --------
    >>> sorted(falling_body().graph.nodes)
    ['drag', 'g', 'v', 'x']
    """
    from analyzer import Circuit

    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v", initial=v0)
    c.constant("g", value=g)
    c.gain("drag", k=-k)
    c.connect("v", "x")
    c.connect("g", "v", weight=-1.0)
    c.connect("v", "drag")
    c.connect("drag", "v")
    return c


def _svg(figure: Any) -> bytes:
    """A figure as SVG bytes that do not change from run to run."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "analyzer-history"}):
        figure.savefig(
            buffer, format="svg", metadata={"Date": None}, bbox_inches="tight"
        )
    return buffer.getvalue()


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    return fig, ax


def _blank(ax: Any, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_kelvin_integrator() -> Any:
    """James Thomson's disc–globe–cylinder integrator, in perspective."""
    from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, Rectangle

    fig, ax = _figure(7.5, 4.6)
    _blank(ax, (-4.2, 5.6), (-3.0, 3.4))
    # the disc, seen obliquely, on its vertical axis
    ax.add_patch(Rectangle((-0.06, -2.8), 0.12, 1.9, color=STEEL, zorder=1))
    ax.add_patch(Ellipse((0, -0.9), 6.0, 1.5, fc=GLASS, ec=INK, lw=1.2, zorder=2))
    ax.add_patch(Ellipse((0, -0.9), 0.25, 0.08, fc=INK, zorder=3))
    ax.annotate(
        "",
        (1.0, -1.95),
        (-1.0, -1.95),
        arrowprops={
            "arrowstyle": "->",
            "color": INK,
            "connectionstyle": "arc3,rad=0.25",
        },
    )
    ax.text(0, -2.45, "disc: turns through dx", ha="center", fontsize=10)
    # the globe rests on the disc at distance y from the centre
    y = 1.6
    ax.add_patch(Circle((y, -0.2), 0.7, fc=STEEL, ec=INK, lw=1.2, zorder=5))
    ax.plot([0, y], [-0.9, -0.9], color=RED, lw=1.5, zorder=4)
    ax.text(y / 2, -1.2, "y", color=RED, ha="center", fontsize=12, style="italic")
    # the fork that sets the globe's distance y
    ax.plot([y - 0.8, y - 0.8, y + 0.8, y + 0.8], [-0.2, 0.25, 0.25, -0.2], color=INK)
    ax.plot([y + 0.8, 4.6], [0.25, 0.25], color=INK, lw=2)
    ax.add_patch(
        FancyArrowPatch((4.0, 0.5), (5.0, 0.5), arrowstyle="<->", mutation_scale=12)
    )
    ax.text(4.5, 0.7, "fork sets y", ha="center", fontsize=10)
    # the cylinder on top of the globe, axis parallel to the globe's path
    ax.add_patch(Rectangle((-3.2, 0.5), 6.4, 0.9, fc=BRASS, ec=INK, lw=1.2, zorder=6))
    ax.add_patch(Ellipse((3.2, 0.95), 0.3, 0.9, fc=BRASS, ec=INK, lw=1.2, zorder=7))
    ax.plot([-4.0, -3.2], [0.95, 0.95], color=INK, lw=2)
    ax.plot([3.35, 4.0], [0.95, 0.95], color=INK, lw=2)
    ax.annotate(
        "",
        (-3.6, 1.5),
        (-3.6, 0.4),
        arrowprops={
            "arrowstyle": "->",
            "color": RED,
            "connectionstyle": "arc3,rad=-0.6",
        },
    )
    ax.text(
        0, 1.75, "cylinder: turns through ∫ y dx", ha="center", fontsize=10, color=RED
    )
    ax.text(
        0.6,
        2.6,
        "The globe rolls between disc and cylinder without slipping;\n"
        "moving it with the fork changes y, the ratio of the two turnings.",
        ha="center",
        fontsize=9,
    )
    return fig


def draw_kelvin_tide() -> Any:
    """A fortnight of tide summed from four constituents, as the pulleys did."""
    fig = _figure(8.0, 4.2)[0]
    fig.clear()
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    t = np.linspace(0.0, TIDE_HOURS, 2401)
    offset = 0.0
    for name, (a, phase, speed) in TIDE_CONSTITUENTS.items():
        curve = a * np.cos(np.radians(speed * t - phase))
        line = top.plot(t / 24.0, curve + offset, lw=0.8, label=name)[0]
        line.set_gid(f"tide:{name}")
        top.text(TIDE_HOURS / 24 + 0.2, offset, name, va="center", fontsize=8)
        offset -= 1.3
    top.set_yticks([])
    top.set_title("Four constituents (one pulley each), offset for clarity", fontsize=9)
    total = bottom.plot(t / 24.0, tide_height(t), color=INK, lw=1.0)[0]
    total.set_gid("tide:sum")
    bottom.axhline(0, color=STEEL, lw=0.6)
    bottom.set_ylabel("height above mean (ft)")
    bottom.set_xlabel("days")
    bottom.set_title("Their sum: what the pen drew", fontsize=9)
    for ax in (top, bottom):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def draw_capstan_amplifier() -> Any:
    """Nieman's torque amplifier: two capstans turned by a motor."""
    from matplotlib.patches import Circle, FancyArrowPatch

    fig, ax = _figure(8.0, 3.8)
    _blank(ax, (-5.2, 5.4), (-2.4, 2.7))
    for cx, sense, label in ((-1.8, 1, "drum A"), (1.8, -1, "drum B")):
        ax.add_patch(Circle((cx, 0), 1.0, fc=STEEL, ec=INK, lw=1.2))
        ax.add_patch(Circle((cx, 0), 0.12, fc=INK))
        theta = np.linspace(0, 2 * np.pi * 1.6, 400) * sense
        r = 1.08 + 0.04 * np.linspace(0, 1, theta.size)
        ax.plot(cx + r * np.cos(theta), r * np.sin(theta), color=BRASS, lw=2.2)
        ax.add_patch(
            FancyArrowPatch(
                (cx + 0.55 * sense, 0.55),
                (cx - 0.55 * sense, 0.55),
                connectionstyle=f"arc3,rad={0.5 * sense}",
                arrowstyle="->",
                mutation_scale=12,
                color="white",
                lw=1.5,
            )
        )
        ax.text(cx, -1.45, label, ha="center", fontsize=9)
    ax.text(
        0,
        -2.05,
        "a motor keeps both drums turning, in opposite senses",
        ha="center",
        fontsize=9,
    )
    # input arm (left) holds the light ends, output arm (right) the heavy ends
    ax.plot([-2.88, -4.3], [0, 0], color=INK, lw=1)
    ax.plot([2.88, 4.3], [0, 0], color=INK, lw=2.5)
    ax.plot([-1.8, -1.8, 1.8, 1.8], [1.14, 1.9, 1.9, 1.14], color=INK, lw=1, ls=":")
    ax.text(
        -4.3, 0.25, "input shaft\n(light pull T₀)", ha="center", va="bottom", fontsize=9
    )
    ax.text(
        4.3,
        0.25,
        "output shaft\n(heavy load T₀·e^{μθ})".replace("e^{μθ}", "e$^{\\mu\\theta}$"),
        ha="center",
        va="bottom",
        fontsize=9,
        color=RED,
    )
    ax.text(
        0,
        2.1,
        "band ends linked: output angle follows input angle",
        ha="center",
        fontsize=9,
    )
    return fig


def draw_differential_adder() -> Any:
    """A differential gear as an adder: the cage turns by (a + b)/2."""
    from matplotlib.patches import Polygon, Rectangle

    fig, ax = _figure(8.0, 3.6)
    _blank(ax, (-5.4, 5.4), (-2.4, 2.4))

    def bevel(x: float, facing: int) -> None:
        w = 0.45 * facing
        ax.add_patch(
            Polygon(
                [(x, -1.0), (x + w, -0.6), (x + w, 0.6), (x, 1.0)],
                closed=True,
                fc=BRASS,
                ec=INK,
            )
        )

    # cage
    ax.add_patch(Rectangle((-1.3, -1.6), 2.6, 3.2, fc="none", ec=INK, lw=1.5, ls="--"))
    # side gears on shafts a and b
    ax.plot([-5.0, -0.9], [0, 0], color=INK, lw=2)
    ax.plot([0.9, 5.0], [0, 0], color=INK, lw=2)
    bevel(-0.9, 1)
    bevel(0.9, -1)
    # spider (planet) gears on the cage's cross pin
    ax.plot([0, 0], [-1.6, 1.6], color=STEEL, lw=2)
    for yy, f in ((1.0, -1), (-1.0, 1)):
        ax.add_patch(
            Polygon(
                [(-0.4, yy), (0.4, yy), (0.25, yy + 0.4 * f), (-0.25, yy + 0.4 * f)],
                closed=True,
                fc=STEEL,
                ec=INK,
            )
        )
    ax.text(-4.2, 0.2, "shaft a", fontsize=10)
    ax.text(3.3, 0.2, "shaft b", fontsize=10)
    ax.text(0, 1.85, "cage turns by (a + b)/2", ha="center", fontsize=10, color=RED)
    ax.text(
        0,
        -2.15,
        "a 2 : 1 gear on the cage gives a + b; reversing b gives a − b",
        ha="center",
        fontsize=9,
    )
    return fig


def falling_body_run(n: int = 241) -> Any:
    """The run the shaft diagram's pens draw (:data:`FALLING_BODY`)."""
    from analyzer import simulate

    p = FALLING_BODY
    circuit = falling_body(p["g"], p["k"], p["x0"], p["v0"])
    t = np.linspace(0.0, p["T"], n)
    return circuit, simulate(circuit, (0.0, p["T"]), t_eval=t, rtol=1e-10, atol=1e-12)


def draw_falling_body_shaft() -> Any:
    """The shaft diagram of the falling body, the pens drawing its run."""
    from analyzer.shaft import shaft_diagram

    circuit, traj = falling_body_run()
    return shaft_diagram(circuit, trajectory=traj).figure


_LABEL_AT = {  # label offsets in points, so that no two labels overlap
    "MIT differential analyzer": (-4, 10, "left"),
    "Manchester Meccano model": (6, -10, "left"),
    "Michigan tabletop analyzer": (6, -10, "left"),
    "EAI TR-10": (6, -3, "left"),
    "EAI TR-48": (6, -3, "left"),
    "THE ANALOG THING": (-4, 9, "right"),
}


def draw_machine_sizes() -> Any:
    """Machine size against year from :data:`MACHINE_SIZES`."""
    fig, ax = _figure(8.0, 4.0)
    style = {"integrators": ("o", INK), "amplifiers": ("s", RED)}
    for kind, (marker, colour) in style.items():
        rows = [r for r in MACHINE_SIZES if r[3] == kind]
        pts = ax.plot(
            [r[0] for r in rows],
            [r[2] for r in rows],
            marker,
            color=colour,
            ls="none",
            ms=7,
            label="integrators"
            if kind == "integrators"
            else "computing amplifiers (integrators, summers, inverters)",
        )[0]
        pts.set_gid(f"sizes:{kind}")
        for year, name, count, _ in rows:
            dx, dy, ha = _LABEL_AT.get(name, (6, 4, "left"))
            ax.annotate(
                f"{name} ({year}): {count}",
                (year, count),
                textcoords="offset points",
                xytext=(dx, dy),
                ha=ha,
                fontsize=8,
            )
    ax.set_yscale("log")
    ax.set_ylim(2, 100)
    ax.set_xlim(1925, 2030)
    ax.set_xlabel("year")
    ax.set_ylabel("count (log scale)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


FIGURES: dict[str, Callable[[], Any]] = {
    "kelvin_integrator.svg": draw_kelvin_integrator,
    "kelvin_tide.svg": draw_kelvin_tide,
    "capstan_amplifier.svg": draw_capstan_amplifier,
    "differential_adder.svg": draw_differential_adder,
    "falling_body_shaft.svg": draw_falling_body_shaft,
    "machine_sizes.svg": draw_machine_sizes,
}


def generate(folder: Path = FOLDER) -> list[Path]:
    """Write every figure of :data:`FIGURES` into ``folder``; return those changed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        data = _svg(draw())
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in generate():
        print(p)
