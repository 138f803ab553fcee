"""Speed of analyzer, as ratios measured in one run.

Simulation: the compiled system against a hand-written numpy right-hand side,
with the same scipy solver, tolerances and time span, on Lorenz and on a chain
of 200 damped coupled oscillators built from 1000 blocks.  Compilation: the
time to compile chains of 10k and 100k blocks.

Run from the repository root::

    python benchmarks/run.py            # prints a Markdown table
    python benchmarks/run.py --quick    # smaller sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
from scipy.integrate import solve_ivp

from analyzer import Circuit, compile_circuit, simulate
from circuits import lorenz

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0


def lorenz_numpy(t: float, u: np.ndarray) -> np.ndarray:
    x, y, z = u
    return np.array([SIGMA * (y - x), x * (RHO - z) - y, x * y - BETA * z])


def chain_circuit(n: int, k: float = 1.0, damping: float = 0.01) -> Circuit:
    """n damped coupled oscillators with fixed ends, 5 blocks each."""
    c = Circuit()
    for i in range(n):
        c.integrator(f"x{i}", initial=np.sin(np.pi * (i + 1) / (n + 1)))
        c.integrator(f"v{i}")
        c.adder(f"a{i}")
        c.gain(f"k{i}", k=k)
        c.gain(f"d{i}", k=-damping)
    for i in range(n):
        c.connect(f"v{i}", f"x{i}")
        c.connect(f"x{i}", f"a{i}", weight=-2.0)
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                c.connect(f"x{j}", f"a{i}")
        c.connect(f"a{i}", f"k{i}")
        c.connect(f"k{i}", f"v{i}")
        c.connect(f"v{i}", f"d{i}")
        c.connect(f"d{i}", f"v{i}")
    return c


def chain_numpy(
    n: int, k: float = 1.0, damping: float = 0.01
) -> Callable[..., np.ndarray]:
    def rhs(t: float, u: np.ndarray) -> np.ndarray:
        x, v = u[:n], u[n:]
        acc = -2.0 * x
        acc[1:] += x[:-1]
        acc[:-1] += x[1:]
        return np.concatenate([v, k * acc - damping * v])

    return rhs


def chain_y0(n: int) -> np.ndarray:
    return np.concatenate([np.sin(np.pi * np.arange(1, n + 1) / (n + 1)), np.zeros(n)])


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def simulate_ratio(
    name: str,
    circuit: Circuit,
    numpy_rhs: Callable[..., np.ndarray],
    y0: np.ndarray,
    t_span: tuple[float, float],
    method: str,
    repeats: int,
) -> dict[str, Any]:
    """Best-of wall time of simulate against solve_ivp on the hand-written rhs."""
    system = compile_circuit(circuit)
    opts = {"rtol": 1e-8, "atol": 1e-10}
    ours = best_of(repeats, lambda: simulate(system, t_span, method=method, **opts))
    theirs = best_of(
        repeats, lambda: solve_ivp(numpy_rhs, t_span, y0, method=method, **opts)
    )
    a = simulate(system, t_span, method=method, t_eval=[t_span[1]], **opts)
    b = solve_ivp(numpy_rhs, t_span, y0, method=method, t_eval=[t_span[1]], **opts)
    order = np.argsort(np.argsort(_numpy_order(system.names, len(y0))))
    agree = float(np.max(np.abs(a.states[: len(y0), -1] - b.y[order, -1])))
    return {"case": name, "method": method, "analyzer s": ours, "numpy s": theirs,
            "ratio": ours / theirs, "max |diff|": agree}  # fmt: skip


def _numpy_order(names: tuple[str, ...], n: int) -> list[int]:
    """Index in the numpy state vector of each compiled base state."""
    if names[0] in ("x", "y", "z"):
        return ["xyz".index(s) for s in names[:n]]
    half = n // 2
    return [int(s[1:]) + (half if s[0] == "v" else 0) for s in names[:n]]


def compile_time(blocks: int, repeats: int) -> dict[str, Any]:
    circuit = chain_circuit(blocks // 5)
    seconds = best_of(repeats, lambda: compile_circuit(circuit))
    return {"blocks": circuit.graph.number_of_nodes(), "compile s": seconds,
            "µs per block": 1e6 * seconds / circuit.graph.number_of_nodes()}  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    args = parser.parse_args()
    repeats = 1 if args.quick else 5
    n_chain = 20 if args.quick else 200
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}\n"
    )
    sims = [
        simulate_ratio("Lorenz (8 blocks)", lorenz.build(), lorenz_numpy,
                       np.ones(3), (0.0, 20.0), "DOP853", repeats),
        simulate_ratio(f"chain of {n_chain} oscillators ({5 * n_chain} blocks)",
                       chain_circuit(n_chain), chain_numpy(n_chain), chain_y0(n_chain),
                       (0.0, 500.0), "RK45", repeats),
        simulate_ratio(f"chain of {n_chain} oscillators ({5 * n_chain} blocks)",
                       chain_circuit(n_chain), chain_numpy(n_chain), chain_y0(n_chain),
                       (0.0, 500.0), "DOP853", repeats),
    ]  # fmt: skip
    print(table(sims), "\n")
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000]
    print(
        table([compile_time(size, 1 if size > 20_000 else repeats) for size in sizes])
    )


if __name__ == "__main__":
    main()
