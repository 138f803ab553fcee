"""Make the measured tables of docs/neural_odes.md.

Usage::

    python docs/neural_odes_tables.py                   # print every table
    python docs/neural_odes_tables.py --only sobolev    # print one table
    python docs/neural_odes_tables.py --write           # refresh them in the page

Each table sits in the page between ``<!-- BEGIN table NAME -->`` and
``<!-- END table NAME -->``; ``--write`` replaces only what lies between the
markers.  The tables hold measured errors, which depend on the solver's
floating point to the last digits, so no test compares them with the page;
the circuits' own tests check every value that matters.  The whole run takes
about half a minute; the time goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

PAGE = Path(__file__).with_name("neural_odes.md")
"""The page whose tables are refreshed."""

TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}
LOOSE = {"method": "RK45", "rtol": 1e-6, "atol": 1e-9}


def fitted_rate(N: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of log(error) against log(N).

    Examples
    --------
    >>> round(fitted_rate([4, 8, 16], [1e-3, 1.25e-4, 1.5625e-5]), 6)
    -3.0
    """
    return float(np.polyfit(np.log(N), np.log(errors), 1)[0])


def markdown(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table: the first column left-aligned, the others right.

    Examples
    --------
    >>> print(markdown(["N", "error"], [[4, "3.1e-04"]]))
    | N | error |
    |:--|--:|
    | 4 | 3.1e-04 |
    """
    lines = ["| " + " | ".join(header) + " |", "|:--|" + "--:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def e(value: float) -> str:
    """An error in two significant digits."""
    return f"{value:.1e}"


def random_network(rng: np.random.Generator, sizes: Sequence[int]) -> list:
    """Weights N(0, 1.5²/fan-in) and biases N(0, 0.5²), as in the notes."""
    return [
        (rng.normal(0.0, 1.5 / np.sqrt(a), (b, a)), rng.normal(0.0, 0.5, b))
        for a, b in pairwise(sizes)
    ]


def elementary_table() -> str:
    """W, D and the worst error of each elementary circuit on a grid."""
    from circuits import elementary as el

    wide, unit = np.linspace(-20.0, 20.0, 41), np.linspace(-2.0, 2.0, 41)
    positive = np.geomspace(0.05, 100.0, 23)
    cases = [
        ("exp", el.exp_circuit(), np.linspace(-3.0, 2.5, 23)),
        ("reciprocal", el.reciprocal_circuit(), positive),
        ("ln", el.ln_circuit(), positive),
        ("tanh", el.tanh_circuit(), wide),
        ("logistic", el.logistic_circuit(), wide),
        (
            "steep logistic β = 32, a = 0.3125",
            el.steep_logistic_circuit(32.0, 0.3125),
            np.linspace(0.0, 1.0, 41),
        ),
        ("swish β = 50", el.swish_circuit(50.0), unit),
        ("softplus β = 10", el.softplus_circuit(10.0), unit),
    ]
    rows = []
    for name, f, x in cases:
        exact = f.reference(x)
        errors = [np.max(np.abs(f(x, **opts) - exact)) for opts in (TIGHT, LOOSE)]
        rows.append([name, f.width, f.depth, e(errors[0]), e(errors[1])])
    header = ["circuit", "W", "D", "max error, tight", "max error, loose"]
    return markdown(header, rows)


def networks_table() -> str:
    """W, D and the error against numpy for tanh networks, both layouts.

    Networks 3-n-...-n-1 with L hidden layers of width n on 20 inputs in
    [-2, 2]^3; for the reuse layout also the largest scratch register left
    after the algebraic uncompute (tight tolerances).
    """
    from circuits.feedforward import NetworkEmulator

    rng = np.random.default_rng(2025)
    X = rng.uniform(-2.0, 2.0, (20, 3))
    rows = []
    for width in (4, 8, 16):
        for depth in (1, 2, 4, 8):
            layers = random_network(rng, [3] + [width] * depth + [1])
            row: list[object] = [width, depth]
            for layout in ("fresh", "reuse"):
                net = NetworkEmulator(layers, "tanh", layout=layout)
                exact = net.reference(X)[:, 0]
                traj = net.run(X, **TIGHT)
                loose = net(X, **LOOSE)[:, 0]
                row += [
                    net.width,
                    net.depth,
                    e(np.max(np.abs(traj["y0"][:, -1] - exact))),
                    e(np.max(np.abs(loose - exact))),
                ]
            row.append(e(max(np.max(np.abs(traj[s][:, -1])) for s in net.scratch)))
            rows.append(row)
    header = [
        "n",
        "L",
        "W fresh",
        "D fresh",
        "error tight",
        "error loose",
        "W reuse",
        "D reuse",
        "error tight",
        "error loose",
        "scratch left",
    ]
    return markdown(header, rows)


def tolerance_table() -> str:
    """The error of the tanh circuit and of one network against rtol."""
    from circuits.elementary import tanh_circuit
    from circuits.feedforward import NetworkEmulator

    rng = np.random.default_rng(7)
    tanh = tanh_circuit()
    x = np.linspace(-5.0, 5.0, 41)
    layers = random_network(rng, [3, 8, 8, 8, 1])
    X = rng.uniform(-2.0, 2.0, (20, 3))
    nets = [NetworkEmulator(layers, "tanh", layout=lay) for lay in ("fresh", "reuse")]
    rows = []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10, 1e-12):
        row: list[object] = [f"{rtol:.0e}"]
        for method in ("RK45", "DOP853"):
            opts = {"method": method, "rtol": rtol, "atol": rtol * 1e-2}
            row.append(e(np.max(np.abs(tanh(x, **opts) - np.tanh(x)))))
            for net in nets:
                row.append(e(np.max(np.abs(net(X, **opts) - net.reference(X)))))
        rows.append(row)
    header = [
        "rtol",
        "tanh RK45",
        "fresh RK45",
        "reuse RK45",
        "tanh DOP853",
        "fresh DOP853",
        "reuse DOP853",
    ]
    return markdown(header, rows)


def sobolev_table() -> str:
    """The approximant's sup error against N, with the fitted rate."""
    from circuits.sobolev import SineRidge, SobolevApproximant

    x1 = np.linspace(0.0, 1.0, 41)
    grid = np.linspace(0.0, 1.0, 15)  # steps of 1/14: off the bump centres m/N
    x2 = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    cases = [  # (d, n, gamma, f, points, N values)
        (1, 3, 4.0, SineRidge(1 / 8, (2.0,), 1.0), x1, (4, 8, 16, 32, 64)),
        (1, 4, 8.0, SineRidge(1 / 16, (2.0,), 1.0), x1, (4, 8, 16, 32)),
        (2, 3, 4.0, SineRidge(1 / 8, (1.0, 2.0), 0.0), x2, (4, 8, 16)),
    ]
    rows, rates = [], []
    for d, n, gamma, f, X, Ns in cases:
        errors = []
        for N in Ns:
            approx = SobolevApproximant(f, n=n, N=N, gamma=gamma, d=d)
            y = approx(X)
            error = float(np.max(np.abs(y - f(X))))
            errors.append(error)
            gap = np.max(np.abs(y - approx.formula(X)))
            rows.append(
                [
                    d,
                    n,
                    f"{gamma:g}",
                    N,
                    approx.width,
                    approx.depth,
                    e(error),
                    f"{error * N**n:.4f}",
                    e(approx.bound()),
                    e(gap),
                ]
            )
        rates.append(f"d = {d}, n = {n}: {fitted_rate(Ns, errors):.2f}")
    header = [
        "d",
        "n",
        "γ",
        "N",
        "W",
        "D",
        "sup error",
        "N^n · error",
        "bound",
        "ODE − formula",
    ]
    fits = "; ".join(rates)
    return f"{markdown(header, rows)}\n\nFitted rates (slope of log error on log N): {fits}."


TABLES: dict[str, Callable[[], str]] = {
    "elementary": elementary_table,
    "networks": networks_table,
    "tolerance": tolerance_table,
    "sobolev": sobolev_table,
}


def replace_table(page: str, name: str, table: str) -> str:
    """The page with the text between the markers of table ``name`` replaced.

    Examples
    --------
    >>> page = "a\\n<!-- BEGIN table t -->\\nold\\n<!-- END table t -->\\nb"
    >>> print(replace_table(page, "t", "new"))
    a
    <!-- BEGIN table t -->
    new
    <!-- END table t -->
    b
    """
    begin, end = f"<!-- BEGIN table {name} -->", f"<!-- END table {name} -->"
    if page.count(begin) != 1 or page.count(end) != 1:
        raise ValueError(f"the page needs exactly one {begin} and one {end}")
    head, rest = page.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{table}\n{end}{tail}"


def main(argv: Sequence[str] | None = None, path: Path = PAGE) -> int:
    """Print the tables, or with ``--write`` refresh them in the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refresh the page")
    parser.add_argument("--only", choices=sorted(TABLES), action="append")
    args = parser.parse_args(argv)
    page = path.read_text(encoding="utf-8") if args.write else ""
    start = time.perf_counter()
    for name in args.only or TABLES:
        clock = time.perf_counter()
        table = TABLES[name]()
        print(f"{name}: {time.perf_counter() - clock:.1f} s", file=sys.stderr)
        if args.write:
            page = replace_table(page, name, table)
        else:
            print(f"### {name}\n\n{table}\n")
    if args.write:
        path.write_text(page, encoding="utf-8")
    print(f"total: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
