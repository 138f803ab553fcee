"""Speed and accuracy of the feedforward-network emulator (circuits.feedforward).

A random tanh network 3-16-16-16-1 (weights N(0, 1.5²/fan-in), biases
N(0, 0.5²), fixed seed) is emulated on 10 000 inputs drawn uniformly from
[-2, 2]³, in both register layouts, with DOP853 at rtol 1e-10, atol 1e-12.
Reported: the wall time of the vectorised runs, the largest error against the
numpy forward pass (goal: at most 1e-8), and the cost per input of a Python
loop that emulates one input at a time, measured on a subset and extrapolated;
their ratio is the speed-up of vectorising (goal: at least 20), from wall
times and, less sensitive to other work on the machine, from CPU times.

The emulator keeps only the end of each run and integrates only the
registers that move in each segment, so all 10 000 inputs go in one run by
default (``--batch N`` splits them into runs of N).  BLAS runs single-threaded
(``OPENBLAS_NUM_THREADS=1`` unless set): the step loop's vector updates are
memory-bound, and extra threads only contend on a shared machine.

Run from the repository root::

    python benchmarks/feedforward.py            # prints a Markdown table
    python benchmarks/feedforward.py --quick    # 1000 inputs, a smoke test
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import itertools  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

from circuits.feedforward import NetworkEmulator  # noqa: E402

SIZES = (3, 16, 16, 16, 1)
TOL = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}


def network(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The benchmark's random tanh network (fixed seed)."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(0.0, 1.5 / np.sqrt(a), (b, a)), rng.normal(0.0, 0.5, b))
        for a, b in itertools.pairwise(SIZES)
    ]


def measure(layout: str, X: np.ndarray, batch: int, loop: int) -> dict:
    """Time one layout: vectorised runs over X, and a loop over X[:loop]."""
    start = time.perf_counter()
    net = NetworkEmulator(network(), layout=layout)
    compile_time = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    Y = net(X, batch_size=batch, **TOL)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    error = float(np.max(np.abs(Y - net.reference(X))))
    start, loop_cpu = time.perf_counter(), time.process_time()
    looped = np.array([net(x, **TOL) for x in X[:loop]])
    per_input_loop = (time.perf_counter() - start) / loop
    loop_cpu = (time.process_time() - loop_cpu) / loop
    loop_error = float(np.max(np.abs(looped - net.reference(X[:loop]))))
    return {
        "layout": layout,
        "W": net.width,
        "D": net.depth,
        "compile": compile_time,
        "wall": wall,
        "per_input": wall / len(X),
        "error": error,
        "loop": per_input_loop,
        "loop_error": loop_error,
        "ratio": per_input_loop / (wall / len(X)),
        "cpu_ratio": loop_cpu / (cpu / len(X)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000 inputs, 10 looped")
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=10_000, help="inputs per run")
    parser.add_argument("--loop", type=int, default=50, help="inputs looped over")
    args = parser.parse_args(argv)
    if args.quick:
        args.inputs, args.loop = 1000, 10
    X = np.random.default_rng(1).uniform(-2.0, 2.0, (args.inputs, SIZES[0]))
    rows = [measure(layout, X, args.batch, args.loop) for layout in ("fresh", "reuse")]
    runs = -(-args.inputs // args.batch)
    print(
        f"Feedforward emulator: tanh {'-'.join(map(str, SIZES))}, "
        f"{args.inputs} inputs in [-2, 2]^3, DOP853 rtol 1e-10 atol 1e-12, "
        f"{runs} vectorised run(s) of up to {args.batch} inputs\n"
    )
    print(
        "| layout | W | D | compile (s) | vectorised wall (s) | per input (ms) "
        "| max error | loop per input (ms) | loop max error | speed-up | speed-up (CPU time) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['layout']} | {r['W']} | {r['D']} | {r['compile']:.2f} "
            f"| {r['wall']:.1f} | {1e3 * r['per_input']:.2f} | {r['error']:.1e} "
            f"| {1e3 * r['loop']:.1f} | {r['loop_error']:.1e} | {r['ratio']:.1f}x | {r['cpu_ratio']:.1f}x |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(
        f"\nloop: {args.loop} inputs, one simulation each, extrapolated per input; "
        f"peak memory {peak:.1f} GB"
    )
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, {platform.machine()}, "
        f"BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}"
    )
    print(
        f"command: python benchmarks/feedforward.py {' '.join(argv or sys.argv[1:])}".rstrip()
    )


if __name__ == "__main__":
    main()
