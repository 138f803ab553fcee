"""The command line, run in-process through main() and once as a subprocess."""

from __future__ import annotations

import csv
import os
import re
import runpy
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import analyzer
import circuits
from analyzer import compile_circuit, simulate
from analyzer.circuit import as_graph
from analyzer.cli import main
from analyzer.io import save_circuit
from analyzer.targets import parse_value
from circuits import CATALOG

# Tolerances (issue 10), each a stated bound with the error measured on
# numpy 2.4 / scipy 1.17 and the margin beside it.  The CLI prints values in
# full (repr), so only the solver's error is left: rtol × signal size × G.
DEFAULT_RTOL = 1e-8  # simulate()'s and the CLI's default
# sine_cosine is a rotation (|c| ≤ 1): the local errors add, over ≤ 10 steps
# (6 here): 1e-7.  Measured 1.5e-9; margin 65×.
ROTATION_TOL = DEFAULT_RTOL * 1.0 * 10
# Decays (x' = -k x³, x' = -x/2) contract: the relative error is at most the
# sum of the local ones, rtol × G 100 (≥ the 20 | 11 | 4 steps here).
# Measured 2.3e-12 (cubic, rtol 1e-10), 2.8e-9 | 3.7e-10 (decay, spanned,
# default rtol); margins 4300× | 357× | 2700×.
DECAY_G = 100

CUBIC = '''\
"""Cubic decay x' = -k x^3, whose exact solution is x0 / sqrt(1 + 2 k x0^2 t)."""
from analyzer import Circuit

T_SPAN = (0.0, 2.0)


def build(k=1.0, x0=1.0):
    c = Circuit()
    c.integrator("x", initial=x0)
    c.multiplier("x2")
    c.multiplier("x3")
    c.gain("g", k=-k)
    c.connect("x", "x2")
    c.connect("x", "x2")
    c.connect("x2", "x3", port="a")
    c.connect("x", "x3", port="b")
    c.connect("x3", "g")
    c.connect("g", "x")
    return c
'''

MODULE_LEVEL = """\
import networkx as nx

circuit = nx.MultiDiGraph()
circuit.add_node("x", kind="integrator", initial=2.0)
circuit.add_node("g", kind="gain", k=-0.5)
circuit.add_edge("x", "g")
circuit.add_edge("g", "x")
"""


def run(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> dict[str, str]:
    """The ``key  value`` lines of a summary."""
    table = {}
    for line in out.splitlines():
        key, sep, value = line.partition("  ")
        if sep and not line.startswith(" "):
            table[key] = value.strip()
    return table


@pytest.fixture
def cubic(tmp_path) -> Path:
    path = tmp_path / "cubic.py"
    path.write_text(CUBIC, encoding="utf-8")
    return path


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"analyzer {analyzer.__version__}\n")


def test_the_package_is_marked_as_typed():
    # PEP 561: type checkers read analyzer's annotations only with this marker.
    assert (Path(analyzer.__file__).parent / "py.typed").is_file()


def test_help_exits_zero(capsys):
    code, out, _ = run(capsys, "run", "--help")
    assert code == 0 and "--t-end" in out and "--param" in out


def test_list_prints_every_entry_aligned(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(circuits.CATALOG)
    columns = {
        line.index(entry.title)
        for line, entry in zip(lines, circuits.CATALOG.values(), strict=True)
    }
    assert len(columns) == 1


def test_run_summary_matches_simulate(capsys):
    code, out, err = run(capsys, "run", "sine_cosine")
    assert code == 0 and err == ""
    entry = circuits.CATALOG["sine_cosine"]
    traj = simulate(entry.build(**entry.params), entry.t_span)
    table = rows(out)
    assert table["circuit"] == "sine_cosine"
    assert table["blocks"] == "3"
    assert table["states"] == "2 (base 2, lifted 0)"
    assert table["method"] == traj.stats["method"]
    assert table["steps"] == str(traj.stats["steps"])
    assert table["nfev"] == str(traj.stats["nfev"])
    assert table["time"].endswith(" s)")
    for name in entry.probes:
        assert float(table[f"final {name}"]) == traj[name][-1]


def test_run_writes_csv_and_png(capsys, tmp_path):
    csv_path, png_path = tmp_path / "traj.csv", tmp_path / "fig.png"
    options = ["--method", "RK45", "--rtol", "1e-9", "--atol", "1e-11", "--t-end", "3"]
    code, out, err = run(
        capsys,
        "run",
        "damped_oscillator",
        *options,
        "--out",
        csv_path,
        "--plot",
        png_path,
    )
    assert code == 0, err
    assert f"wrote {csv_path}" in out and f"wrote {png_path}" in out
    entry = circuits.CATALOG["damped_oscillator"]
    traj = simulate(
        entry.build(**entry.params),
        (entry.t_span[0], 3.0),
        method="RK45",
        rtol=1e-9,
        atol=1e-11,
    )
    with csv_path.open(newline="") as f:
        header, *body = list(csv.reader(f))
    assert header == ["t", *map(str, traj.names)]
    table = np.array(body, dtype=float)
    assert table.shape == (len(traj.t), 1 + len(traj.names))
    assert np.array_equal(table[:, 0], traj.t)  # full precision: bit for bit
    for column, name in enumerate(traj.names, start=1):
        assert np.array_equal(table[:, column], traj[name]), name
    assert table[-1, 0] == 3.0
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_path.stat().st_size > 10_000  # lines, labels and legend, not blank


def test_run_options_samples_probe_param(capsys, tmp_path):
    csv_path = tmp_path / "t.csv"
    options = ["--param", "omega=2", "--probe", "c", "--samples", "11", "--t-end", "1"]
    code, out, err = run(capsys, "run", "sine_cosine", *options, "--out", csv_path)
    assert code == 0, err
    table = rows(out)
    assert "final s" not in table and table["t_span"] == "0.0 1.0"
    c = circuits.CATALOG["sine_cosine"].build(omega=2.0)
    traj = simulate(c, (0.0, 1.0), t_eval=np.linspace(0.0, 1.0, 11))
    assert float(table["final c"]) == traj["c"][-1]
    assert float(table["final c"]) == pytest.approx(
        np.cos(2.0), rel=0, abs=ROTATION_TOL
    )
    data = np.loadtxt(csv_path, delimiter=",", skiprows=1)
    assert np.array_equal(data[:, 0], np.linspace(0.0, 1.0, 11))


def test_show_prints_equations_and_statistics(capsys, cubic):
    code, out, err = run(capsys, "show", cubic)
    assert code == 0 and err == ""
    system = compile_circuit(runpy.run_path(str(cubic))["build"]())
    assert out.startswith(str(system) + "\n\n")
    table = rows(out)
    assert table["blocks"] == "4"
    assert table["base states"] == "1 x"
    assert table["lifted states"] == "1 " + " ".join(system.lifted)
    assert table["quadratic terms"] == str(len(system.C))
    assert table["linear terms"] == "0"


NEURON = """\
from analyzer import Circuit

def build(x0=0.3):
    c = Circuit()
    c.integrator("x", initial=x0)
    c.constant("half", 0.5)
    c.adder("arg")
    c.connect("x", "arg", weight=2.0)
    c.connect("half", "arg")
    c.add("t", "tanh")
    c.add("c", "cos")
    c.add("s", "sin")
    c.connect("arg", "t")
    c.connect("arg", "c")
    c.connect("arg", "s")
    c.connect("t", "x")
    c.connect("x", "x", weight=-1.0)
    return c
"""


def test_show_says_which_states_each_block_introduced(capsys, tmp_path):
    code, out, err = run(capsys, "show", write(tmp_path, "neuron.py", NEURON))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "block 'c' (cos) introduced c = cos(in)" in lines
    assert "block 'c' (cos) introduced c.sin = sin(in)" in lines
    assert "block 's' reads c.sin, made by 'c'" in lines
    assert "block 't' (tanh) introduced t = tanh(in)" in lines
    quadratization = next(line for line in lines if line.startswith("quadratization"))
    assert "2 new states (x*t, t^2)" in quadratization
    stability = next(line for line in lines if line.startswith("stability"))
    assert "stabilised with -λ(w - a·b)" in stability
    table = rows(out)
    assert table["function states"] == "3 c c.sin t"
    assert table["lifted states"] == "2 x*t t^2"


def test_show_catalog_entry(capsys):
    code, out, _ = run(capsys, "show", "bessel")
    entry = circuits.CATALOG["bessel"]
    system = compile_circuit(entry.build(**entry.params), t0=entry.t_span[0])
    assert code == 0 and out.startswith(str(system))
    assert rows(out)["circuit"] == "bessel"


def test_python_file_with_build_and_params(capsys, cubic):
    code, out, err = run(capsys, "run", cubic, "-p", "k=2", "x0=1.0", "--rtol", "1e-10")
    assert code == 0, err
    table = rows(out)
    assert table["circuit"] == str(cubic) and table["t_span"] == "0.0 2.0"
    assert table["states"] == "2 (base 1, lifted 1)"
    # x0 / sqrt(1 + 2 k x0² t) at t = 2 with k = 2: 1/3.
    assert float(table["final x"]) == pytest.approx(1 / 3, rel=1e-10 * DECAY_G, abs=0)


def test_python_file_with_module_level_circuit(capsys, tmp_path):
    path = write(tmp_path, "decay.py", MODULE_LEVEL)
    code, out, err = run(capsys, "run", path)
    assert code == 0, err
    table = rows(out)
    assert table["t_span"] == "0.0 10.0 (default)"  # no T_SPAN: the default span
    assert list(k for k in table if k.startswith("final")) == ["final x"]
    assert float(table["final x"]) == pytest.approx(
        2.0 * np.exp(-5.0), rel=DEFAULT_RTOL * DECAY_G, abs=0
    )


def test_run_help_says_what_span_a_file_without_one_runs_over(capsys):
    code, out, _ = run(capsys, "run", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "runs over 0..10" in text and "'(default)'" in text
    assert "--max-steps N" in text and "--timeout S" in text


def test_a_defaulted_start_is_marked_when_only_the_end_is_given(capsys, tmp_path):
    path = write(tmp_path, "decay.py", MODULE_LEVEL)
    code, out, err = run(capsys, "run", path, "--t-end", "4")
    assert code == 0, err
    assert rows(out)["t_span"] == "0.0 4.0 (default start)"


def test_run_budget_options_reach_simulate(capsys):
    code, out, err = run(
        capsys, "run", "sine_cosine", "--max-steps", "none", "--timeout", "60"
    )
    assert code == 0, err
    entry = circuits.CATALOG["sine_cosine"]
    traj = simulate(entry.build(**entry.params), entry.t_span)
    assert rows(out)["steps"] == str(traj.stats["steps"])
    steps = traj.stats["steps"]
    code, _, err = run(capsys, "run", "sine_cosine", "--max-steps", steps - 1)
    assert code == 1 and f"max_steps = {steps - 1} solver steps" in err
    code, _, err = run(capsys, "run", "sine_cosine", "--max-steps", steps)
    assert code == 0, err


def test_json_file(capsys, tmp_path):
    entry = circuits.CATALOG["exponential_decay"]
    circuit = entry.build(**entry.params)
    path = tmp_path / "decay.json"
    save_circuit(circuit, path)
    code, out, err = run(capsys, "run", path, "--t-end", "2")
    assert code == 0, err
    traj = simulate(circuit, (0.0, 2.0))
    integrators = [n for n, k in circuit.graph.nodes(data="kind") if k == "integrator"]
    table = rows(out)
    for name in integrators:
        assert float(table[f"final {name}"]) == traj[name][-1]
    assert run(capsys, "show", path)[0] == 0


def test_span_probes_and_title_from_the_file(capsys, tmp_path):
    text = MODULE_LEVEL + 'T_SPAN = (1.0, 3.0)\nPROBES = ("g",)\nTITLE = "decay"\n'
    path = write(tmp_path, "spanned.py", text)
    png = tmp_path / "f.png"
    code, out, err = run(capsys, "run", path, "--plot", png)
    assert code == 0, err
    table = rows(out)
    assert table["t_span"] == "1.0 3.0"
    assert [k for k in table if k.startswith("final")] == ["final g"]
    assert float(table["final g"]) == pytest.approx(
        -np.exp(-1.0), rel=DEFAULT_RTOL * DECAY_G, abs=0
    )
    graph = runpy.run_path(str(path))["circuit"]
    graph.graph.update(t_span=[0.0, 4.0], probes=["g"])
    save_circuit(graph, tmp_path / "spanned.json")
    code, out, err = run(capsys, "run", tmp_path / "spanned.json")
    assert code == 0, err
    table = rows(out)
    assert table["t_span"] == "0.0 4.0" and "final x" not in table
    assert float(table["final g"]) == pytest.approx(
        -np.exp(-2.0), rel=DEFAULT_RTOL * DECAY_G, abs=0
    )


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", 3),
        ("-1e-3", -0.001),
        ("inf", float("inf")),
        ("True", True),
        ("false", False),
        ("none", None),
        ("(1, 2)", (1, 2)),
        ("'7'", "7"),
        ("RK45", "RK45"),
        ("[1,", "[1,"),
    ],
)
def test_parse_value(text, value):
    assert parse_value(text) == value and type(parse_value(text)) is type(value)


BUILD_FAILS = """\
def build(k=1.0):
    raise ValueError("k must be positive")
"""
INVALID = """\
from analyzer import Circuit

def build():
    c = Circuit()
    c.integrator("x")
    c.gain("g", k=2.0)
    c.connect("g", "x")
    return c
"""
BLOWS_UP = """\
from analyzer import Circuit

circuit = Circuit()
circuit.integrator("y", initial=1.0)
circuit.multiplier("sq")
circuit.connect("y", "sq")
circuit.connect("y", "sq")
circuit.connect("sq", "y")
"""
MALFORMED = '{"nodes": [{"id": "x"}], "edges": [{"source": "x", "target": 1}]}'
FILES = {
    "build_fails.py": BUILD_FAILS,
    "invalid.py": INVALID,
    "blows_up.py": BLOWS_UP,
    "broken.py": "def build(:\n",
    "empty.py": "x = 1\n",
    "not_circuit.py": "circuit = 42\n",
    "module.py": MODULE_LEVEL,
    "malformed.json": MALFORMED,
    "notes.txt": "hello",
    "bad_span.py": MODULE_LEVEL + "T_SPAN = (1, 0)\n",
    "bad_probes.py": MODULE_LEVEL + "PROBES = ['nope']\n",
}
ERRORS = [
    # (command line, exit status, text of the message); {d} is the folder of FILES
    ("run besel", 2, "unknown circuit 'besel'; did you mean 'bessel'?"),
    ("run qqqqqq", 2, "known: sine_cosine, damped_oscillator"),
    ("show lorentz", 2, "did you mean 'lorenz'?"),
    ("run sine_cosine --param omega", 2, "bad --param 'omega': expected KEY=VALUE"),
    ("run sine_cosine -p 1x=2", 2, "bad --param '1x=2'"),
    ("run -p omega=2 sine_cosine", 2, "(put TARGET before --param)"),
    ("run sine_cosine -p omegaa=2", 2, "no parameter 'omegaa'; it has: omega=1.0"),
    ("run {d}/cubic.py -p q=1", 2, "build() has no parameter 'q'; it takes: k, x0"),
    ("run {d}/module.py -p k=1", 2, "--param needs a build(**params)"),
    ("run {d}/malformed.json -p k=1", 2, "a JSON circuit takes no --param"),
    ("run {d}/nowhere.py", 2, "no such file: {d}/nowhere.py"),
    ("show {d}/nowhere.json", 2, "no such file"),
    ("run {d}/notes.txt", 2, "not a catalog name, .py or .json"),
    ("run sine_cosine --probe cc", 2, "no block named 'cc'; did you mean 'c'?"),
    ("run sine_cosine --method Euler", 2, "invalid choice: 'Euler'"),
    ("run sine_cosine --t-end -1", 2, "end time -1.0 must be finite and after 0.0"),
    ("run sine_cosine --t-end inf", 2, "end time inf must be finite"),
    ("run sine_cosine --rtol 0", 2, "rtol must be a number with 0 < rtol < 1, got 0.0"),
    ("run sine_cosine --rtol 1", 2, "rtol must be a number with 0 < rtol < 1, got 1.0"),
    ("run sine_cosine --atol -1", 2, "atol must be a finite number > 0, got -1.0"),
    ("run sine_cosine --atol 0", 2, "atol must be a finite number > 0, got 0.0"),
    ("run sine_cosine -p omega=abc", 2, "omega takes a number (its default is 1.0)"),
    ("run van_der_pol -p mu=abc", 2, "--param mu='abc': mu takes a number"),
    ("run {d}/cubic.py -p k=[1]", 2, "--param k=[1]: k takes a number"),
    ("run sine_cosine --max-steps 0", 2, "--max-steps: '0' is not a positive integer"),
    ("run sine_cosine --max-steps 2.5", 2, "'2.5' is not a positive integer"),
    ("run sine_cosine --timeout -1", 2, "--timeout: '-1' is not a positive number"),
    ("run sine_cosine --rtol x", 2, "argument --rtol: invalid float value"),
    ("run sine_cosine --samples 1", 2, "need at least 2 output times"),
    ("run sine_cosine --plot {d}/fig.xyz", 2, "unknown figure format"),
    ("run sine_cosine --out {d}/no/dir.csv", 2, "no directory {d}/no"),
    ("", 2, "the following arguments are required: COMMAND"),
    ("launch", 2, "invalid choice: 'launch'"),
    ("run {d}/malformed.json", 1, "malformed.json: edges[0].target: no block named 1"),
    ("run {d}/invalid.py", 1, "block 'g' (gain): port 'in' has 0 wires"),
    ("show {d}/invalid.py", 1, "the circuit has 1 problem"),
    ("run {d}/blows_up.py", 1, "blows up near t = 1.0"),
    ("run sine_cosine --max-steps 5", 1, "used up its budget of max_steps = 5 solver"),
    ("run {d}/build_fails.py", 1, "build() failed: ValueError: k must be positive"),
    ("run {d}/broken.py", 1, "broken.py: SyntaxError"),
    ("run {d}/empty.py", 1, "define build() or a module-level 'circuit'"),
    ("run {d}/not_circuit.py", 1, "must be a Circuit or a networkx graph, not int"),
    ("run sine_cosine -p omega=inf", 1, "omega must be finite"),
    ("run {d}/bad_span.py", 1, "T_SPAN is (1, 0); expected (start, end)"),
    ("run {d}/bad_probes.py", 1, "probes ['nope'] are not blocks of the circuit"),
]


@pytest.mark.parametrize("command, status, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_exit_nonzero_with_one_message(
    capsys, tmp_path, cubic, command, status, message
):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    folder = str(tmp_path)
    code, out, err = run(capsys, *(a.replace("{d}", folder) for a in command.split()))
    assert code == status
    assert out == ""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("analyzer: error: ")]
    assert len(lines) == 1, err
    assert message.replace("{d}", folder) in err[err.index("analyzer: error: ") :]


def test_a_failed_python_file_leaves_no_module_behind(capsys, tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('no')\n", encoding="utf-8")
    before = set(sys.modules), list(sys.path)
    assert run(capsys, "run", tmp_path / "broken.py")[0] == 1
    assert (set(sys.modules), list(sys.path)) == before


def test_python_dash_m_analyzer(tmp_path):
    # The package root on the path, so this works from a checkout too.
    root = str(Path(analyzer.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "analyzer"]
    options = dict(cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    done = subprocess.run([*command, "run", "sine_cosine", "--out", "t.csv"], **options)
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout)["circuit"] == "sine_cosine"
    assert (tmp_path / "t.csv").read_text().startswith("t,")
    failed = subprocess.run([*command, "run", "besel"], **options)
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.startswith("analyzer: error: unknown circuit 'besel'")


# -- draw, and the phase view of run ------------------------------------------

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")


@needs_dot
@pytest.mark.needs_dot
@pytest.mark.parametrize("style", ["gpac", "electronic", "compiled"])
@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_draw_every_style_and_format(tmp_path, capsys, style, suffix):
    out = tmp_path / f"bessel{suffix}"
    assert main(["draw", "bessel", "-o", str(out), "--style", style]) == 0
    data = out.read_bytes()
    magic = {".svg": b"<?xml", ".png": b"\x89PNG", ".pdf": b"%PDF"}[suffix]
    assert data.startswith(magic)
    if suffix == ".svg":
        assert b">y<" in data or b"y</text>" in data
    assert f"wrote {out}" in capsys.readouterr().out


def test_draw_shaft_style_with_matplotlib(tmp_path):
    out = tmp_path / "oscillator.png"
    assert main(["draw", "sine_cosine", "-o", str(out), "--style", "shaft"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_draw_shaft_pens_draw_the_simulated_run_of_the_target(tmp_path, capsys):
    # The output table's pens are the run's curves (gid pen:<block> becomes the
    # SVG id), not a stand-in: the catalog's sine_cosine has pens s and c.
    out = tmp_path / "sine_cosine.svg"
    assert main(["draw", "sine_cosine", "-o", str(out), "--style", "shaft"]) == 0
    svg = out.read_text(encoding="utf-8")
    pens = sorted(set(re.findall(r'id="pen:([^"]+)"', svg)))
    graph = as_graph(CATALOG["sine_cosine"].build())
    assert pens == sorted(n for n, k in graph.nodes(data="kind") if k == "integrator")
    assert "no run given" not in svg


def test_show_lists_the_attributes_the_compiler_ignores(capsys, tmp_path):
    text = MODULE_LEVEL.replace("initial=2.0)", 'initial=2.0, colour="red")')
    code, out, _ = run(capsys, "show", write(tmp_path, "decay.py", text))
    assert code == 0
    assert rows(out)["extra attributes"] == "x: colour"
    code, out, _ = run(capsys, "show", write(tmp_path, "plain.py", MODULE_LEVEL))
    assert rows(out)["extra attributes"] == "none"


def test_draw_errors(tmp_path, capsys):
    assert main(["draw", "bessel", "-o", str(tmp_path / "x.gif")]) == 2
    assert ".svg, .png or .pdf" in capsys.readouterr().err
    assert main(["draw", "bessel", "-o", str(tmp_path / "x.svg"), "--style", "x"]) == 2
    assert main(["draw", "bessel"]) == 2  # -o is required
    big = [
        "draw",
        "oscillator_chain",
        "-o",
        str(tmp_path / "c.png"),
        "--style",
        "shaft",
    ]
    assert main(big) == 1
    assert "up to 15 blocks" in capsys.readouterr().err


def test_run_with_a_phase_view(tmp_path, capsys):
    out = tmp_path / "vdp.png"
    assert main(["run", "van_der_pol", "--plot", str(out), "--phase", "x,v"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert main(["run", "van_der_pol", "--phase", "x,v"]) == 2
    assert "give --plot FILE too" in capsys.readouterr().err
    assert main(["run", "van_der_pol", "--plot", str(out), "--phase", "x"]) == 2
    assert main(["run", "van_der_pol", "--plot", str(out), "--phase", "x,nope"]) == 2
