"""Register layouts, checks and numpy references for :mod:`circuits.feedforward`.

A *plan* lists registers (integrators), the *fields* that can drive each one
(a named sum of weighted signals: integrators, multipliers, the constant
``one``), and the segments of the program: which registers operate in each
segment, under which field and with which sign.  :func:`assemble` turns a plan
into a circuit with fixed wiring and a schedule of per-segment potentiometer
settings:

* a register driven by one field with one sign throughout is wired straight to
  its integrator (it only moves in the segments in which it operates);
* a register with several fields (or one field used with both signs) gets, per
  field, a gain ``"<register>.<field>"`` (a potentiometer), fed by the field's
  signal (or by the adder ``"<register>.<field>.sum"`` when the field has
  several terms).  Every segment sets every potentiometer: ``k = +1`` or
  ``-1`` for the field the register runs in that segment, ``k = 0`` for all
  others (a hybrid computer's digitally set coefficient potentiometers).

The unit circuits (pre-activation ``z`` and a Riccati pair) are

=========  ==========================  ====================================
unit       load (``h`` frozen)         run (one unit of time, ``z`` frozen)
=========  ==========================  ====================================
tanh       z' = a                      u' = z - u v,   v' = z² - v²
logistic   z' = a, p' = ½, r' = a/2    p' = r - r p,   r' = z r - r²
swish      z' = a, p' = ½, r' = a/2    p' = β(r - r p), r' = β(z r - r²)
softplus   as swish, and s' = ln2/β    as swish, and s' = r
=========  ==========================  ====================================

where ``a = W h + b`` is an adder over the previous layer's outputs.  After the
run ``u = tanh z`` and ``v = z u``; ``p = σ(βz)`` and ``r = z p`` (β = 1 for
the logistic), so the swish output z σ(βz) is the register ``r`` itself; and
``s = (1/β) ln(1 + e^{βz})``, because d/dt ln(1 + e^{βzt}) / β = z σ(βzt) = r.
Keeping ``r = z p`` rather than ``βz p`` keeps the registers of size |z|, so the
solver's relative error leaves a residue that scales with rtol·|z|, not rtol·β|z|.  In
every case the second register of the pair equals ``z`` times the first, which
is what the algebraic uncompute of the reuse layout cancels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analyzer import Circuit
from analyzer.schedule import Segment

ONE = "one"
"""Name of the constant block of value 1 that carries every bias and load."""

Terms = tuple[tuple[str, float], ...]


@dataclass
class Plan:
    """Registers, their fields, and the program, before any block exists."""

    groups: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], Terms] = field(default_factory=dict)
    products: dict[str, tuple[str, str]] = field(default_factory=dict)
    adders: dict[str, Terms] = field(default_factory=dict)
    segments: list[tuple[str, dict[str, tuple[str, float]]]] = field(
        default_factory=list
    )

    def register(self, name: str, group: str) -> str:
        self.groups[name] = group
        return name

    def product(self, a: str, b: str) -> str:
        name = f"{a}*{b}"
        self.products[name] = (a, b)
        return name

    def adder(self, name: str, terms: Sequence[tuple[str, float]]) -> str:
        self.adders[name] = tuple(terms)
        return name

    def segment(self, label: str, entries: Sequence[tuple]) -> None:
        """One segment: entries ``(register, field, terms, sign)``."""
        operate: dict[str, tuple[str, float]] = {}
        for register, name, terms, sign in entries:
            known = self.fields.setdefault((register, name), tuple(terms))
            assert known == tuple(terms), (register, name)
            operate[register] = (name, float(sign))
        self.segments.append((label, operate))


@dataclass(frozen=True)
class Unit:
    """The registers of one unit: ``z``, the Riccati pair ``p, r``, and ``s``."""

    z: str
    p: str
    r: str
    s: str | None = None


def load_entries(kind: str, beta: float, unit: Unit, aff: str, layer: int) -> list:
    """Entries of the load segment: z = a, and the pair's initial values."""
    entries = [(unit.z, f"aff{layer}", ((aff, 1.0),), 1.0)]
    if kind != "tanh":
        entries.append((unit.p, "load", ((ONE, 0.5),), 1.0))
        entries.append((unit.r, f"load{layer}", ((aff, 0.5),), 1.0))
    if kind == "softplus":
        entries.append((unit.s, "load", ((ONE, math.log(2.0) / beta),), 1.0))
    return entries


def run_entries(plan: Plan, kind: str, beta: float, unit: Unit) -> list:
    """Entries of the Riccati segment, ``z`` frozen."""
    z, p, r = unit.z, unit.p, unit.r
    if kind == "tanh":
        terms_p = ((z, 1.0), (plan.product(p, r), -1.0))
        terms_r = ((plan.product(z, z), 1.0), (plan.product(r, r), -1.0))
    else:
        terms_p = ((r, beta), (plan.product(r, p), -beta))
        terms_r = ((plan.product(z, r), beta), (plan.product(r, r), -beta))
    entries = [(p, "run", terms_p, 1.0), (r, "run", terms_r, 1.0)]
    if kind == "softplus":
        entries.append((unit.s, "run", ((r, 1.0),), 1.0))
    return entries


def output_signal(kind: str, unit: Unit) -> str:
    """The block whose signal is the unit's activation."""
    if kind == "swish":
        return unit.r
    return unit.s if kind == "softplus" else unit.p


def affine(
    plan: Plan, name: str, W: np.ndarray, b: np.ndarray, row: int, inputs: Sequence[str]
) -> str:
    """The adder a = W[row] · inputs + b[row]; zero weights are not wired."""
    terms = [(src, float(w)) for src, w in zip(inputs, W[row], strict=True) if w != 0]
    return plan.adder(name, [*terms, (ONE, float(b[row]))])


def _unit_names(kind: str, tag: str) -> tuple[str, str, str]:
    p, r = ("u", "v") if kind == "tanh" else ("p", "r")
    return f"z{tag}", f"{p}{tag}", f"{r}{tag}"


def fresh_plan(layers: Sequence, kind: str, beta: float) -> Plan:
    """Fresh registers for every layer: per hidden layer a load and a run segment."""
    plan = Plan()
    signals = [plan.register(f"x{j}", "input") for j in range(layers[0][0].shape[1])]
    for layer, (W, b) in enumerate(layers[:-1], start=1):
        load, run, outputs = [], [], []
        for i in range(W.shape[0]):
            z, p, r = _unit_names(kind, f"{layer}_{i}")
            s = f"s{layer}_{i}" if kind == "softplus" else None
            unit = Unit(
                *(plan.register(n, f"layer{layer}") for n in (z, p, r)),
                s=s and plan.register(s, f"layer{layer}"),
            )
            aff = affine(plan, f"a{layer}_{i}", W, b, i, signals)
            load += load_entries(kind, beta, unit, aff, layer)
            run += run_entries(plan, kind, beta, unit)
            outputs.append(output_signal(kind, unit))
        plan.segment(f"affine {layer}", load)
        plan.segment(f"{kind} {layer}", run)
        signals = outputs
    _readout(plan, layers, signals)
    return plan


def reuse_plan(layers: Sequence, kind: str, beta: float) -> Plan:
    """Shared scratch units, one persistent output register per unit and layer
    (two for swish and softplus, which also keep a copy of the gate ``p``).

    Per hidden layer: load, run, copy out, cancel ``r -= z p`` (``v -= z u``),
    then ``p -= copy`` and ``z -= a``: the copy and both cancelling segments
    read frozen sources only, so they are as accurate as the solver's steps on
    a polynomial in time (exact, up to rounding).
    """
    plan = Plan()
    signals = [plan.register(f"x{j}", "input") for j in range(layers[0][0].shape[1])]
    widest = max(W.shape[0] for W, _ in layers[:-1])
    scratch = [_unit_names(kind, f"_{i}") for i in range(widest)]
    for names in scratch:
        for name in names:
            plan.register(name, "scratch")
    for layer, (W, b) in enumerate(layers[:-1], start=1):
        segs: list[list] = [[], [], [], [], []]
        outputs = []
        for i in range(W.shape[0]):
            h = plan.register(f"h{layer}_{i}", f"layer{layer}")
            unit = Unit(*scratch[i], s=h if kind == "softplus" else None)
            aff = affine(plan, f"a{layer}_{i}", W, b, i, signals)
            segs[0] += load_entries(kind, beta, unit, aff, layer)
            segs[1] += run_entries(plan, kind, beta, unit)
            keep = h  # p is cancelled against its copy: h, or q where h is not p
            if kind in ("swish", "softplus"):
                keep = plan.register(f"q{layer}_{i}", f"layer{layer}")
                segs[2].append((keep, "copy", ((unit.p, 1.0),), 1.0))
            if kind != "softplus":  # softplus accumulates into h itself
                segs[2].append((h, "copy", ((output_signal(kind, unit), 1.0),), 1.0))
            zp = plan.product(unit.z, unit.p)
            segs[3].append((unit.r, "cancel", ((zp, -1.0),), 1.0))
            segs[4].append((unit.p, f"clear{layer}", ((keep, -1.0),), 1.0))
            segs[4].append((unit.z, f"aff{layer}", ((aff, 1.0),), -1.0))
            outputs.append(h)
        labels = (
            "affine",
            kind,
            "copy",
            "cancel r" if kind != "tanh" else "cancel v",
            "cancel p, z" if kind != "tanh" else "cancel u, z",
        )
        for label, entries in zip(labels, segs, strict=True):
            plan.segment(f"{label} {layer}", entries)
        signals = outputs
    _readout(plan, layers, signals)
    return plan


def _readout(plan: Plan, layers: Sequence, signals: Sequence[str]) -> None:
    W, b = layers[-1]
    top = len(layers)
    entries = []
    for k in range(W.shape[0]):
        y = plan.register(f"y{k}", "output")
        entries.append(
            (y, "out", ((affine(plan, f"a{top}_{k}", W, b, k, signals), 1.0),), 1.0)
        )
    plan.segment("readout", entries)


def assemble(plan: Plan) -> tuple[Circuit, list[Segment], dict[str, str]]:
    """The circuit (fixed wiring), the schedule, and the potentiometers.

    Returns the circuit, the list of segments (unit durations) and a mapping
    potentiometer name (``"<register>.<field>"``) -> the register it drives.
    """
    c = Circuit()
    for name, group in plan.groups.items():
        c.integrator(name)
        c.graph.nodes[name]["group"] = group
    c.constant(ONE, value=1.0)
    for name, (a, b) in plan.products.items():
        c.multiplier(name)
        c.connect(a, name, port="a")
        c.connect(b, name, port="b")
    for name, terms in plan.adders.items():
        c.adder(name)
        for src, w in terms:
            c.connect(src, name, weight=w)
    uses: dict[str, set] = {}
    for _, operate in plan.segments:
        for register, (fld, sign) in operate.items():
            uses.setdefault(register, set()).add((fld, sign))
    pots: dict[str, str] = {}
    for (register, fld), terms in plan.fields.items():
        used = uses[register]
        if len(used) == 1:  # one field, one sign: fixed wiring, no potentiometer
            ((_, sign),) = used
            for src, w in terms:
                c.connect(src, register, weight=sign * w)
            continue
        pot = f"{register}.{fld}"
        pots[pot] = register
        c.gain(pot, k=0.0)
        if len(terms) == 1:
            c.connect(terms[0][0], pot, weight=terms[0][1])
        else:
            c.adder(f"{pot}.sum")
            for src, w in terms:
                c.connect(src, f"{pot}.sum", weight=w)
            c.connect(f"{pot}.sum", pot)
        c.connect(pot, register)
    schedule = []
    for label, operate in plan.segments:
        settings = {pot: {"k": 0.0} for pot in pots}
        for register, (fld, sign) in operate.items():
            if f"{register}.{fld}" in pots:
                settings[f"{register}.{fld}"] = {"k": sign}
        schedule.append(Segment(1.0, tuple(operate), label, settings or None))
    return c, schedule, pots


# Checks and numpy references, shared by the emulator and its bound.

SWISH_GAP = 0.2784645427610738
"""max over t ≥ 0 of t / (1 + e^t): sup |ReLU(x) - x σ(βx)| = SWISH_GAP / β."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow for large |x|


def activation_function(name: str, beta: float) -> Any:
    """The activation as a numpy function (``beta`` for the surrogates)."""
    return {
        "tanh": np.tanh,
        "logistic": _sigmoid,
        "relu": lambda x: np.maximum(x, 0.0),
        "swish": lambda x: x * _sigmoid(beta * x),
        "softplus": lambda x: np.logaddexp(0.0, beta * x) / beta,
    }[name]


def relu_gap(name: str, beta: float) -> Any:
    """|surrogate(x) - ReLU(x)| at x, in closed form."""
    if name == "swish":
        return lambda x: np.abs(x) * _sigmoid(-beta * np.abs(x))
    return lambda x: np.log1p(np.exp(-beta * np.abs(x))) / beta


def choice(what: str, value: Any, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"unknown {what} {value!r}: use one of {', '.join(map(repr, allowed))}"
        )
    return value


def check_layers(layers: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Layers as float arrays, every shape and value checked."""
    try:
        pairs = list(layers)
    except TypeError:
        raise ValueError("layers must be a list of (W, b) pairs") from None
    if not pairs:
        raise ValueError("layers is empty; give at least the readout layer (W, b)")
    out = []
    for number, pair in enumerate(pairs, start=1):
        try:
            W, b = pair
            W = np.asarray(W, dtype=float)
            b = np.asarray(b, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"layer {number}: expected a pair (W, b) of numeric arrays"
            ) from None
        if W.ndim != 2 or W.size == 0:
            raise ValueError(
                f"layer {number}: W must be a non-empty 2-D array (outputs × inputs), "
                f"got shape {W.shape}"
            )
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"layer {number}: b has shape {b.shape}, but W has {W.shape[0]} rows; "
                f"b must have shape ({W.shape[0]},)"
            )
        if out and W.shape[1] != out[-1][0].shape[0]:
            raise ValueError(
                f"layer {number}: W has {W.shape[1]} columns but layer {number - 1} "
                f"has {out[-1][0].shape[0]} outputs; W of layer {number} must have "
                f"shape ({W.shape[0]}, {out[-1][0].shape[0]})"
            )
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"layer {number}: W and b must be finite")
        out.append((W, b))
    return out
