"""Speed and accuracy of analyzer against the block-diagram simulators bdsim and PathSim.

The same four block diagrams (harmonic oscillator, Lorenz, Van der Pol, a
chain of 50 coupled oscillators) are built in each tool from integrators,
gains, summers and multipliers and solved with the closest solver each offers
at rtol 1e-8, atol 1e-10.  Each case reports the wall time (after a warm-up,
the best of 3 runs, or of 1 s of runs for short cases; analyzer's own cases
are timed before and after the peers' and keep the better), the ratio to
analyzer's time and the max abs error at the final time against a tight
reference (scipy DOP853, rtol 1e-13, on a hand-written rhs).

The peers run in their own virtual environment, outside the repository, so
their dependencies never touch analyzer's; the script creates it on first use
(about 30 s) and reuses it afterwards.  A peer that cannot be installed or run
gets a row that says why; the other rows still print.

Run from the repository root::

    python benchmarks/peers.py                    # about 3 minutes
    python benchmarks/peers.py --venv /tmp/peers  # another place for the venv
    python benchmarks/peers.py --tools bdsim --circuits lorenz --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Only the standard library at module level: the same file runs as the worker
# inside the peers' environment, where analyzer is not installed.
PINS = {"bdsim": "1.4.0", "pathsim": "0.27.1"}
RTOL, ATOL = 1e-8, 1e-10
REF_RTOL, REF_ATOL = 1e-13, 1e-14
CHAIN_N = 50
CIRCUITS = ("oscillator", "lorenz", "van_der_pol", "chain")
# scipy method -> the same family in PathSim (Dormand-Prince pairs).
FAMILIES = {"DOP853": "RKDP87", "RK45": "RKDP54"}
MARK = "PEERS-RESULT "
MIN_TOTAL = 1.0  # seconds of timed runs that a short case gets at least


def netlist(circuit: str) -> tuple[dict, list, float]:
    """The block diagram every peer builds: blocks, wires, end time.

    blocks: name -> (kind, parameter) with kinds int (initial value), gain (k),
    sum (sign string, one sign per input port), prod, const (value).
    wires: (source, destination, input port).
    """
    if circuit == "oscillator":  # s' = c, c' = -s
        blocks = {"s": ("int", 0.0), "c": ("int", 1.0), "minus": ("gain", -1.0)}
        return blocks, [("c", "s", 0), ("s", "minus", 0), ("minus", "c", 0)], 20.0
    if circuit == "lorenz":
        blocks = {"x": ("int", 1.0), "y": ("int", 1.0), "z": ("int", 1.0),
                  "ex": ("sum", "+-"), "sx": ("gain", 10.0),
                  "xz": ("prod", None), "rx": ("gain", 28.0), "ey": ("sum", "+--"),
                  "xy": ("prod", None), "bz": ("gain", 8.0 / 3.0), "ez": ("sum", "+-")}  # fmt: skip
        wires = [("y", "ex", 0), ("x", "ex", 1), ("ex", "sx", 0), ("sx", "x", 0),
                 ("x", "xz", 0), ("z", "xz", 1), ("x", "rx", 0),
                 ("rx", "ey", 0), ("xz", "ey", 1), ("y", "ey", 2), ("ey", "y", 0),
                 ("x", "xy", 0), ("y", "xy", 1), ("z", "bz", 0),
                 ("xy", "ez", 0), ("bz", "ez", 1), ("ez", "z", 0)]  # fmt: skip
        return blocks, wires, 20.0
    if circuit == "van_der_pol":  # x' = v, v' = mu (1 - x^2) v - x, mu = 1
        blocks = {"x": ("int", 2.0), "v": ("int", 0.0), "one": ("const", 1.0),
                  "x2": ("prod", None), "d": ("sum", "+-"), "dv": ("prod", None),
                  "mu": ("gain", 1.0), "ev": ("sum", "+-")}  # fmt: skip
        wires = [("v", "x", 0), ("x", "x2", 0), ("x", "x2", 1),
                 ("one", "d", 0), ("x2", "d", 1), ("d", "dv", 0), ("v", "dv", 1),
                 ("dv", "mu", 0), ("mu", "ev", 0), ("x", "ev", 1), ("ev", "v", 0)]  # fmt: skip
        return blocks, wires, 20.0
    if circuit == "chain":  # x_i'' = x_{i-1} - 2 x_i + x_{i+1}, fixed ends
        blocks, wires = {}, []
        for i in range(1, CHAIN_N + 1):
            blocks |= {f"x{i}": ("int", 1.0 if i == 1 else 0.0), f"v{i}": ("int", 0.0),
                       f"m{i}": ("gain", -2.0), f"a{i}": ("gain", 1.0)}  # fmt: skip
            inputs = [f"x{j}" for j in (i - 1, i + 1) if 1 <= j <= CHAIN_N]
            blocks[f"d{i}"] = ("sum", "+" * (len(inputs) + 1))
            wires += [(f"x{i}", f"m{i}", 0), (f"m{i}", f"d{i}", 0)]
            wires += [(src, f"d{i}", p + 1) for p, src in enumerate(inputs)]
            wires += [
                (f"d{i}", f"a{i}", 0),
                (f"a{i}", f"v{i}", 0),
                (f"v{i}", f"x{i}", 0),
            ]
        return blocks, wires, 50.0
    raise ValueError(f"unknown circuit {circuit!r}")


def states(circuit: str) -> list[str]:
    """Integrator names in the order of the hand-written reference rhs."""
    return [n for n, (kind, _) in netlist(circuit)[0].items() if kind == "int"]


# ---------------------------------------------------------------- worker side


def build_bdsim(sim, circuit):
    bd = sim.blockdiagram()
    make = {"int": lambda p, n: bd.INTEGRATOR(x0=p, name=n),
            "gain": lambda p, n: bd.GAIN(p, name=n), "sum": lambda p, n: bd.SUM(p, name=n),
            "prod": lambda p, n: bd.PROD("**", name=n),
            "const": lambda p, n: bd.CONSTANT(p, name=n)}  # fmt: skip
    blocks, wires, _ = netlist(circuit)
    made = {name: make[kind](param, name) for name, (kind, param) in blocks.items()}
    for src, dst, port in wires:
        bd.connect(made[src], made[dst][port])
    bd.compile()
    return bd


def build_pathsim(circuit, solver):
    from pathsim import Connection, Simulation
    from pathsim import blocks as pb

    make = {"int": pb.Integrator, "gain": pb.Amplifier, "sum": pb.Adder,
            "prod": lambda p: pb.Multiplier(), "const": pb.Constant}  # fmt: skip
    blocks, wires, _ = netlist(circuit)
    made = {name: make[kind](param) for name, (kind, param) in blocks.items()}
    ints = states(circuit)
    scope = pb.Scope()  # results come from a Scope in PathSim
    targets: dict[str, list] = {}
    for src, dst, port in wires:
        targets.setdefault(src, []).append(made[dst][port])
    for k, name in enumerate(ints):
        targets[name].append(scope[k])
    # one Connection per source, fanned out to all its destinations
    conns = [Connection(made[src], *dst) for src, dst in targets.items()]
    sim = Simulation([*made.values(), scope], conns, Solver=solver, log=False,
                     tolerance_lte_rel=RTOL, tolerance_lte_abs=ATOL)  # fmt: skip
    return sim, [made[name] for name in ints]


def best_of(case, repeats: int) -> tuple[float, float, Any, Any]:
    """Best build and run times of `case(warm)` -> (build s, run s, result).

    One warm-up, then at least `repeats` timed runs and, for short cases, as
    many more as fit in MIN_TOTAL seconds (up to 30): a short run is moved
    most by other work on the machine.  Returns the warm-up's result too.
    """
    _, _, first = case(True)
    builds, runs, last = [], [], first
    while len(runs) < repeats or (sum(runs) < MIN_TOTAL and len(runs) < 30):
        build, run, last = case(False)
        builds.append(build), runs.append(run)
    return min(builds), min(runs), first, last


def worker(tool: str, circuit: str, method: str, repeats: int) -> dict:
    """Build and run one case in this (peer) interpreter; each run is fresh."""
    import importlib.metadata as md

    import numpy as np

    t_end = netlist(circuit)[2]
    if tool == "bdsim":
        import bdsim

        sim = bdsim.BDSim(graphics=False, progress=False, quiet=True,
                          sysargs=False, banner=False, toolboxes=False)  # fmt: skip

        def case(warm):
            t0 = time.perf_counter()
            bd = build_bdsim(sim, circuit)
            t1 = time.perf_counter()
            # max_step=inf: bdsim's default caps the step at T/100
            out = sim.run(bd, T=t_end, solver=method, max_step=np.inf,
                          solver_args={"rtol": RTOL, "atol": ATOL})  # fmt: skip
            return t1 - t0, time.perf_counter() - t1, (bd, out)

        build, run, (bd, out), _ = best_of(case, repeats)
        index = {n.split(":")[0]: i for i, n in enumerate(out.xnames)}
        final = [float(out.x[-1][index[n]]) for n in states(circuit)]
        nfev, label, blocks = out.stats.ydot_calls, method, len(bd.blocklist)
    elif tool == "pathsim":
        from pathsim import Simulation, solvers

        label = FAMILIES[method]

        def case(warm):
            t0 = time.perf_counter()
            sim, ints = build_pathsim(circuit, getattr(solvers, label))
            t1 = time.perf_counter()
            calls = [0]
            if warm:  # count system evaluations in the warm-up only

                def counted(t):
                    calls[0] += 1
                    return Simulation._update(sim, t)

                sim._update = counted
            sim.run(t_end)
            return t1 - t0, time.perf_counter() - t1, (sim, ints, calls[0])

        build, run, (_, _, nfev), (sim, ints, _) = best_of(case, repeats)
        if abs(sim.time - t_end) > 1e-9 * t_end:
            raise RuntimeError(f"PathSim stopped at t={sim.time}, not {t_end}")
        final = [float(np.ravel(b.engine.get())[0]) for b in ints]
        blocks = len(sim.blocks)
    else:
        raise ValueError(f"unknown tool {tool!r}")
    return {"tool": f"{tool} {md.version(tool)}", "method": label, "blocks": blocks,
            "build": build, "run": run, "nfev": nfev, "final": final,
            "env": f"numpy {np.__version__}, scipy {md.version('scipy')}"}  # fmt: skip


# ------------------------------------------------------------------ main side


def default_venv() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "analyzer-bench" / "peers-venv"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:160] if lines else "no output"


def prepare_peers(venv: Path, tools: list[str], install: bool) -> dict[str, str]:
    """Create the venv and install the pinned peers; tool -> '' or why not."""
    status, py = {}, venv_python(venv)
    if install and not py.exists():
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "venv", str(venv)],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            return {t: f"no venv at {venv}: {_tail(done.stderr)}" for t in tools}
        log(f"created {venv} in {time.perf_counter() - t0:.1f} s")
    for tool in tools:
        pin = f"{tool}=={PINS[tool]}"
        have = subprocess.run([str(py), "-c", f"import importlib.metadata as m; "
                               f"assert m.version('{tool}') == '{PINS[tool]}'"],
                              capture_output=True, text=True) if py.exists() else None  # fmt: skip
        if have is not None and have.returncode == 0:
            status[tool] = ""
            continue
        if not install:
            status[tool] = f"{pin} not installed in {venv} (--no-install)"
            continue
        t0 = time.perf_counter()
        done = subprocess.run([str(py), "-m", "pip", "install", "-q", pin],
                              capture_output=True, text=True)  # fmt: skip
        ok = done.returncode == 0
        status[tool] = "" if ok else f"pip install {pin} failed: {_tail(done.stderr)}"
        log(
            f"pip install {pin}: {'ok' if ok else 'FAILED'} in {time.perf_counter() - t0:.0f} s"
        )
    return status


def run_worker(venv: Path, tool, circuit, method, repeats, timeout) -> dict | str:
    """A peer case in a subprocess of the peers' venv: its result, or why not."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    cmd = [str(venv_python(venv)), str(Path(__file__).resolve()), "--worker",
           tool, circuit, method, "--repeats", str(repeats)]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env,
                              timeout=timeout, cwd=Path(__file__).parent)  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s (raise it with --timeout)"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    return f"failed: {_tail(done.stderr or done.stdout)}"


def hand_rhs(circuit: str):
    import numpy as np

    if circuit == "oscillator":
        return lambda t, u: np.array([u[1], -u[0]])
    if circuit == "lorenz":
        return lambda t, u: np.array([10.0 * (u[1] - u[0]), u[0] * (28.0 - u[2]) - u[1],
                                      u[0] * u[1] - 8.0 / 3.0 * u[2]])  # fmt: skip
    if circuit == "van_der_pol":
        return lambda t, u: np.array([u[1], (1.0 - u[0] * u[0]) * u[1] - u[0]])

    def chain(t, u):  # states x1, v1, x2, v2, ... as in netlist()
        x, v = u[0::2], u[1::2]
        acc = -2.0 * x
        acc[1:] += x[:-1]
        acc[:-1] += x[1:]
        return np.column_stack([v, acc]).ravel()

    return chain


def analyzer_circuit(circuit: str):
    import circuits

    return {"oscillator": lambda: circuits.sine_cosine.build(),
            "lorenz": lambda: circuits.lorenz.build(),
            "van_der_pol": lambda: circuits.van_der_pol.build(mu=1.0),
            "chain": lambda: circuits.oscillator_chain.build(n=CHAIN_N)}[circuit]()  # fmt: skip


def local_cases(circuit: str, method: str, repeats: int) -> list[dict]:
    """analyzer's simulate, and solve_ivp on the hand-written rhs for scale."""
    import numpy as np
    from scipy.integrate import solve_ivp

    import analyzer
    from analyzer import compile_circuit, simulate

    names, t_end = states(circuit), netlist(circuit)[2]
    y0 = np.array([netlist(circuit)[0][n][1] for n in names])

    def run_ours(warm):
        t0 = time.perf_counter()
        system = compile_circuit(analyzer_circuit(circuit))
        t1 = time.perf_counter()
        traj = simulate(system, (0.0, t_end), method=method, rtol=RTOL, atol=ATOL)
        return t1 - t0, time.perf_counter() - t1, (system, traj)

    def run_plain(warm):
        t0 = time.perf_counter()
        sol = solve_ivp(hand_rhs(circuit), (0.0, t_end), y0, method=method,
                        rtol=RTOL, atol=ATOL)  # fmt: skip
        return 0.0, time.perf_counter() - t0, sol

    build, run, _, (system, traj) = best_of(run_ours, repeats)
    ours = {"tool": f"analyzer {analyzer.__version__}", "method": traj.stats["method"],
            "blocks": len(system.blocks), "build": build, "run": run,
            "nfev": traj.stats["nfev"], "final": [float(traj.final[n]) for n in names]}  # fmt: skip
    _, run, _, sol = best_of(run_plain, repeats)
    plain = {"tool": "scipy, hand-written numpy rhs", "method": method, "blocks": None,
             "build": None, "run": run, "nfev": sol.nfev, "final": sol.y[:, -1].tolist()}  # fmt: skip
    return [ours, plain]


def reference(circuit: str) -> tuple[list[float], float]:
    """Final state of the tight reference, and its distance to one at rtol 1e-12."""
    import numpy as np
    from scipy.integrate import solve_ivp

    blocks, _, t_end = netlist(circuit)
    y0 = [blocks[n][1] for n in states(circuit)]
    ends = [solve_ivp(hand_rhs(circuit), (0.0, t_end), y0, method="DOP853",
                      rtol=rtol, atol=REF_ATOL).y[:, -1] for rtol in (REF_RTOL, 1e-12)]  # fmt: skip
    return ends[0].tolist(), float(np.max(np.abs(ends[0] - ends[1])))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def table(rows: list[dict]) -> str:
    head = ("| circuit | tool | solver | blocks | build s | run s | × analyzer "
            "| RHS evals | µs / eval | max abs error |")  # fmt: skip
    lines = [head, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "why" in r:
            lines.append(f"| {r['circuit']} | {r['tool']} | {r['method']} | "
                         f"not run: {r['why']} | | | | | | |")  # fmt: skip
            continue
        per = 1e6 * r["run"] / r["nfev"] if r["nfev"] else None
        lines.append(
            f"| {r['circuit']} | {r['tool']} | {r['method']} | {fmt(r['blocks'], 'd')} | "
            f"{fmt(r['build'], '.3g')} | {r['run']:.3g} | {r['ratio']:.3g} | "
            f"{fmt(r['nfev'], 'd')} | {fmt(per, '.3g')} | {r['error']:.1e} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv",
        type=Path,
        default=default_venv(),
        help="the peers' virtual environment (default: %(default)s)",
    )
    parser.add_argument("--tools", default="bdsim,pathsim")
    parser.add_argument("--circuits", default=",".join(CIRCUITS))
    parser.add_argument(
        "--methods",
        default="DOP853,RK45",
        help="scipy methods; PathSim runs the Dormand-Prince pair of the same order",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="timed runs after a warm-up (at least; short cases get more)",
    )
    parser.add_argument(
        "--timeout", type=float, default=180.0, help="seconds per peer case"
    )
    parser.add_argument(
        "--no-install", action="store_true", help="use the venv as it is"
    )
    parser.add_argument(
        "--rk45-chain",
        action="store_true",
        help="also the chain with RK45 (adds about 4 minutes)",
    )
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "CIRCUIT", "METHOD"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.worker:
        print(MARK + json.dumps(worker(*args.worker, args.repeats)), flush=True)
        return
    import numpy as np
    import scipy

    start = time.perf_counter()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(PINS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; known: {sorted(PINS)}")
    for circuit in args.circuits.split(","):
        if circuit not in CIRCUITS:
            parser.error(f"unknown circuit {circuit!r}; known: {', '.join(CIRCUITS)}")
    for method in args.methods.split(","):
        if method not in FAMILIES:
            parser.error(f"unknown method {method!r}; known: {sorted(FAMILIES)}")
    status = prepare_peers(args.venv, tools, not args.no_install)
    log(f"peers ready in {time.perf_counter() - start:.0f} s")
    rows, refs, env = [], {}, {}
    for method in args.methods.split(","):
        for circuit in args.circuits.split(","):
            if circuit == "chain" and method == "RK45" and not args.rk45_chain:
                continue
            if circuit not in refs:
                refs[circuit] = reference(circuit)
            truth = np.array(refs[circuit][0])
            cases = local_cases(circuit, method, args.repeats)
            for tool in tools:
                log(f"{method} {circuit} {tool} ...")
                got = status[tool] or run_worker(args.venv, tool, circuit, method,
                                                 args.repeats, args.timeout)  # fmt: skip
                label = FAMILIES[method] if tool == "pathsim" else method
                if isinstance(got, str):
                    cases.append(
                        {"tool": f"{tool} {PINS[tool]}", "method": label, "why": got}
                    )
                else:
                    env[tool] = got.pop("env")
                    cases.append(got)
            # analyzer and scipy again, after the peers: the better of two
            # moments keeps one busy spell on the machine out of every ratio
            later = local_cases(circuit, method, args.repeats)
            for case, again in zip(cases[:2], later, strict=True):
                for key in ("build", "run"):
                    if case[key] is not None:
                        case[key] = min(case[key], again[key])
            for case in cases:
                case["circuit"] = circuit
                if "why" not in case:
                    case["ratio"] = case["run"] / cases[0]["run"]
                    case["error"] = float(
                        np.max(np.abs(np.array(case["final"]) - truth))
                    )
            rows += cases
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"scipy {scipy.__version__} (analyzer); peers' venv {args.venv}: "
          + (", ".join(f"{t} with {e}" for t, e in env.items()) or "not used"))  # fmt: skip
    print(f"command: python benchmarks/peers.py {' '.join(sys.argv[1:])}".rstrip())
    load = "load average unknown"
    if hasattr(os, "getloadavg"):  # other work on the machine moves the timings
        load = f"load average {os.getloadavg()[1]:.1f} over the last 5 min, {os.cpu_count()} cores"
    print(f"rtol {RTOL:g}, atol {ATOL:g}; after a warm-up, best of {args.repeats} runs or of"
          f" {MIN_TOTAL:g} s of runs, whichever is more (analyzer and scipy: before and"
          f" after the peers); {load}\n")  # fmt: skip
    print(table(rows) + "\n")
    print("reference: scipy DOP853 at rtol 1e-13, atol 1e-14 on a hand-written rhs;"
          " its distance to the same at rtol 1e-12: "
          + ", ".join(f"{c} {d:.0e}" for c, (_, d) in refs.items()))  # fmt: skip
    log(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
