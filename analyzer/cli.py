"""The ``analyzer`` command: list the catalog, run, show or draw a circuit.

Usage: ``analyzer list``, ``analyzer run TARGET [options]``, ``analyzer show
TARGET [--param KEY=VALUE ...]``, ``analyzer draw TARGET -o FILE [--style S]``,
``analyzer --version``; ``analyzer run -h`` lists the options (time span,
solver, tolerances, parameters, probes, outputs, the phase view).

TARGET is a catalog name (``analyzer list``), a Python file that defines
``build(**params)`` or a module-level ``circuit`` (and optionally ``T_SPAN``,
``PROBES`` and ``TITLE``, as catalog modules do), or a JSON file written by
:func:`analyzer.io.save_circuit` (its graph attributes ``t_span`` and
``probes`` are used when present); see :mod:`analyzer.targets`.  Files
without a time span run over (0, 10), and the summary prints that span with
"(default)".  ``--max-steps`` and ``--timeout`` bound a run as ``simulate``'s
``max_steps`` and ``timeout`` do.

Output is plain text, ``key  value`` a line, numbers in full precision.
Errors go to stderr as ``analyzer: error: <message>``; the exit status is 2
for a bad command line (unknown circuit, option or parameter, missing file)
and 1 for a circuit, file or run that fails.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
import warnings
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from analyzer import __version__
from analyzer.circuit import as_graph
from analyzer.compile import compile_circuit
from analyzer.domain import MAX_STEPS
from analyzer.errors import CircuitError, SimulationError, StabilityWarning
from analyzer.simulate import check_budget, check_tolerances, simulate
from analyzer.stepping import METHODS as STEPPERS
from analyzer.targets import (
    RunError,
    UsageError,
    block_named,
    param_pair,
    resolve,
)
from analyzer.validate import extra_attributes

METHODS = ("auto", *STEPPERS)
DEFAULT_SPAN = (0.0, 10.0)
TARGET_HELP = "a catalog name, a FILE.py with build() or circuit, or a FILE.json"
PARAM_HELP = "arguments of the circuit's build(), e.g. omega=2.0"
DESCRIPTION = "Simulate analog differential-analyzer circuits."
METHODS_HELP = "solver: " + ", ".join(METHODS) + " (default auto)"
T_END_HELP = (
    f"end time (default: the circuit's T_SPAN; a circuit without one runs over "
    f"{DEFAULT_SPAN[0]:g}..{DEFAULT_SPAN[1]:g}, and the summary says '(default)')"
)


DRAW_STYLES = ("gpac", "electronic", "compiled", "shaft")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"analyzer: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    epilog = "Exit status: 0 done, 1 the circuit or the run failed, 2 bad usage."
    parser = _Parser(prog="analyzer", description=DESCRIPTION, epilog=epilog)
    version = f"analyzer {__version__}"
    parser.add_argument("--version", action="version", version=version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="list the catalog of ready-made circuits")
    run = sub.add_parser(
        "run",
        help="simulate a circuit and summarise the run",
        description="Simulate TARGET and print a summary of the run. A circuit "
        "file without a time span (T_SPAN, or the JSON graph attribute t_span) "
        f"runs over {DEFAULT_SPAN[0]:g}..{DEFAULT_SPAN[1]:g}, marked '(default)' "
        "in the summary.",
    )
    show = sub.add_parser("show", help="print the compiled equations and statistics")
    draw = sub.add_parser("draw", help="draw the circuit (Graphviz or Bush's shafts)")
    for cmd in (run, show, draw):
        cmd.add_argument("target", metavar="TARGET", help=TARGET_HELP)
        opts: dict[str, Any] = dict(
            action="extend", nargs="+", type=param_pair, default=[]
        )
        cmd.add_argument("-p", "--param", metavar="KEY=VALUE", help=PARAM_HELP, **opts)
    arg = run.add_argument
    arg("--t-end", type=float, metavar="T", help=T_END_HELP)
    arg("--method", choices=METHODS, default="auto", metavar="M", help=METHODS_HELP)
    arg(
        "--rtol",
        type=float,
        default=1e-8,
        metavar="R",
        help="relative tolerance, 0 < R < 1 (default 1e-8)",
    )
    arg(
        "--atol",
        type=float,
        default=1e-10,
        metavar="A",
        help="absolute tolerance, A > 0 (default 1e-10)",
    )
    arg("--max-steps", type=_max_steps, default=MAX_STEPS, metavar="N",
        help=f"most solver steps (default {MAX_STEPS}; 'none' for no cap)")  # fmt: skip
    arg("--timeout", type=_timeout, default=None, metavar="S",
        help="most seconds of wall-clock time (default: none)")  # fmt: skip
    arg("--samples", type=int, metavar="N", help="N equally spaced output times")
    arg("--probe", metavar="A,B", help="blocks to summarise and plot")
    arg("--out", type=Path, metavar="FILE.csv", help="write every signal as CSV")
    arg("--plot", type=Path, metavar="FILE.png", help="plot the probes (png, pdf...)")
    arg("--phase", metavar="X,Y", help="add the X-Y plotter's view of Y against X")
    draw.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                      help="the drawing: .svg, .png or .pdf")  # fmt: skip
    draw.add_argument("--style", choices=DRAW_STYLES, default="gpac", metavar="S",
                      help=f"one of {', '.join(DRAW_STYLES)} (default gpac)")  # fmt: skip
    return parser


def _max_steps(text: str) -> int | None:
    """``--max-steps``: a positive integer, or ``none`` for no cap."""
    if text.strip().lower() == "none":
        return None
    try:
        return check_budget(int(text), None)[0]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive integer (or 'none' for no cap)"
        ) from None


def _timeout(text: str) -> float | None:
    """``--timeout``: positive seconds, or ``none``."""
    if text.strip().lower() == "none":
        return None
    try:
        return check_budget(None, float(text))[1]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive number of seconds (or 'none')"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["--version"])
    analyzer ...
    0
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse's own exit: --help, --version, errors
        return stop.code if isinstance(stop.code, int) else 1
    commands = {"list": _list, "run": _run, "show": _show, "draw": _draw}
    try:
        commands[args.command](args)
    except (UsageError, FileNotFoundError) as err:
        return _fail(err, 2)
    except (RunError, CircuitError, SimulationError, ValueError, OSError) as err:
        return _fail(err, 1)
    except KeyboardInterrupt:
        print("analyzer: interrupted", file=sys.stderr)
        return 130
    return 0


def _fail(err: BaseException, code: int) -> int:
    message = str(err)
    if isinstance(err, OSError) and err.filename is not None:
        message = f"{err.strerror}: {err.filename}"
    print(f"analyzer: error: {message}", file=sys.stderr)
    return code


def _list(args: argparse.Namespace) -> None:
    from circuits import CATALOG

    width = max(map(len, CATALOG), default=0)
    for name, entry in CATALOG.items():
        print(f"{name:<{width}}  {entry.title}")


def _run(args: argparse.Namespace) -> None:
    target = resolve(args.target, dict(args.param))
    graph = as_graph(target.circuit)
    t0, t1 = target.t_span or DEFAULT_SPAN
    span_note = ""
    if target.t_span is None:  # said in the summary: a file without T_SPAN
        span_note = " (default)" if args.t_end is None else " (default start)"
    if args.t_end is not None:
        t1 = args.t_end
    if not t0 < t1 < math.inf:
        raise UsageError(f"the end time {t1!r} must be finite and after {t0!r}")
    try:
        check_tolerances(args.rtol, args.atol)  # the rule simulate() applies
    except ValueError as err:
        raise UsageError(f"--rtol/--atol: {err}") from None
    if args.samples is not None and args.samples < 2:
        raise UsageError(f"--samples {args.samples}: need at least 2 output times")
    probes = target.probes
    if args.probe is not None:
        probes = tuple(
            block_named(graph, p.strip()) for p in args.probe.split(",") if p
        )
    if probes is None:
        probes = tuple(n for n, k in graph.nodes(data="kind") if k == "integrator")
    for path in (args.out, args.plot):
        if path is not None and not path.parent.is_dir():
            raise UsageError(f"cannot write {path}: no directory {path.parent}")
    if args.plot is not None:
        _check_plot_format(args.plot)
    phase = None
    if args.phase is not None:
        if args.plot is None:
            raise UsageError(
                "--phase draws into the --plot figure; give --plot FILE too"
            )
        names = [p.strip() for p in args.phase.split(",")]
        if len(names) != 2 or not all(names):
            raise UsageError(f"--phase {args.phase!r}: expected two blocks, X,Y")
        phase = (block_named(graph, names[0]), block_named(graph, names[1]))

    start = time.perf_counter()
    system = compile_circuit(target.circuit, t0=t0)
    compiled = time.perf_counter()
    t_eval = None if args.samples is None else np.linspace(t0, t1, args.samples)
    keys = ("method", "rtol", "atol", "max_steps", "timeout")
    options = {key: getattr(args, key) for key in keys}
    traj = simulate(system, (t0, t1), t_eval=t_eval, **options)
    done = time.perf_counter()
    timing = f"compile {compiled - start:.4f} s, solve {done - compiled:.4f} s"
    made = system.n_core - system.n_base
    functions = f"functions {made}, " if made else ""
    states = (
        f"{system.n} (base {system.n_base}, {functions}lifted {len(system.lifted)})"
    )
    _print_rows(
        ("circuit", target.label),
        ("blocks", graph.number_of_nodes()),
        ("states", states),
        ("t_span", f"{t0!r} {t1!r}{span_note}"),
        *((key, traj.stats[key]) for key in ("method", "steps", "nfev")),
        ("time", f"{done - start:.4f} s ({timing})"),
        *((f"final {n}", repr(float(traj[n][-1]))) for n in probes),
    )
    if args.out is not None:
        _write_csv(traj, args.out)
        print(f"wrote {args.out}")
    if args.plot is not None:
        _plot(traj, probes, f"{target.label}: {target.title}", args.plot, phase)
        print(f"wrote {args.plot}")


def _show(args: argparse.Namespace) -> None:
    target = resolve(args.target, dict(args.param))
    t0 = (target.t_span or DEFAULT_SPAN)[0]
    with warnings.catch_warnings():  # the report below says it, once
        warnings.simplefilter("ignore", StabilityWarning)
        system = compile_circuit(target.circuit, t0=t0)
    base, lifted = system.names[: system.n_base], system.lifted
    made = system.names[system.n_base : system.n_core]
    print(str(system))
    print()
    for line in system.report.lines():
        print(line)
    print()
    _print_rows(
        ("circuit", target.label),
        ("blocks", as_graph(target.circuit).number_of_nodes()),
        ("base states", " ".join([str(len(base)), *base])),
        ("function states", " ".join([str(len(made)), *made])),
        ("lifted states", " ".join([str(len(lifted)), *lifted])),
        ("constant terms", int(np.count_nonzero(system.b))),
        ("linear terms", int(system.A.count_nonzero())),
        ("quadratic terms", int(np.count_nonzero(system.C))),
        ("extra attributes", _extras_text(extra_attributes(target.circuit))),
    )


def _extras_text(extras: dict[Hashable, tuple[Hashable, ...]]) -> str:
    """``x: colour, note; g: unit``: the node data the compiler ignores."""
    if not extras:
        return "none"
    return "; ".join(
        f"{block}: {', '.join(map(str, names))}" for block, names in extras.items()
    )


def _draw(args: argparse.Namespace) -> None:
    target = resolve(args.target, dict(args.param))
    path = args.output
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: no directory {path.parent}")
    if path.suffix.lower() not in (".svg", ".png", ".pdf"):
        raise UsageError(f"-o {path}: the drawing is written as .svg, .png or .pdf")
    if args.style == "shaft":
        from analyzer.shaft import MAX_BLOCKS, shaft_diagram

        # The output table draws the run's own curves: simulate the target over
        # its time span first (a circuit too large to draw is refused below).
        graph = as_graph(target.circuit)
        run = None
        pens = any(kind == "integrator" for _, kind in graph.nodes(data="kind"))
        if pens and graph.number_of_nodes() <= MAX_BLOCKS:
            t0, t1 = target.t_span or DEFAULT_SPAN
            run = simulate(target.circuit, (t0, t1), t_eval=np.linspace(t0, t1, 600))
        figure: Any = shaft_diagram(graph, trajectory=run).figure  # sized to fit
        figure.savefig(path)
    else:
        from analyzer.draw import DotNotFoundError, render

        try:
            render(target.circuit, path, style=args.style)
        except DotNotFoundError as err:
            raise RunError(str(err)) from None
    print(f"wrote {path}")


def _print_rows(*rows: tuple[str, object]) -> None:
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def _write_csv(traj: Any, path: Path) -> None:
    table = np.column_stack([traj.t, *(traj[n] for n in traj.names)]).astype(float)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["t", *map(str, traj.names)])
        # repr is the shortest text that reads back to the same double.
        writer.writerows(map(repr, row) for row in table.tolist())


def _check_plot_format(path: Path) -> None:
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        known = ", ".join(sorted(formats))
        raise UsageError(f"--plot {path}: unknown figure format; known: {known}")


def _plot(
    traj: Any,
    probes: Sequence[Hashable],
    title: str,
    path: Path,
    phase: tuple[Hashable, Hashable] | None = None,
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A bare Figure on the Agg canvas: no pyplot, no window, no global state.
    fig = Figure(figsize=(8 if phase is None else 13, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    if phase is None:
        ax = fig.add_subplot()
    else:
        ax, xy = fig.subplots(1, 2, width_ratios=(1.7, 1))
    # Draw from the dense output: solver steps alone would show polygons.
    grid = np.linspace(traj.t[0], traj.t[-1], max(1001, len(traj.t)))
    signals = traj.at(grid, *dict.fromkeys([*probes, *(phase or ())]))
    for name in probes:
        ax.plot(grid, signals[name], label=str(name))
    if phase is not None:  # the X-Y plotter's pen
        x, y = phase
        xy.plot(signals[x], signals[y], lw=1.2)
        xy.plot(signals[x][0], signals[y][0], "o", mfc="white", label="start")
        xy.set(xlabel=str(x), ylabel=str(y), title=f"{y} against {x}")
        xy.grid(True, alpha=0.3)
    ax.set(xlabel="t", ylabel="signal", title=title)
    ax.grid(True, alpha=0.3)
    if probes:
        ax.legend()
    fig.savefig(path)
