"""Programs with modes: which integrators OPERATE, segment by segment.

An electronic analog computer puts each integrator in IC, OPERATE or HOLD
mode, and a hybrid machine switches groups of integrators by a clock.  The
quadratic neural ODEs of Hanson & Raginsky are the same thing: controls that
are constant on each of D segments.  A schedule is a list of segments, each a
duration and the integrators (or groups of integrators, node attribute
``group``) that operate during it; every other integrator holds its value.

A segment may also set parameters (``settings``), as a hybrid computer set its
digitally controlled coefficient potentiometers between runs: a gain's ``k``
or a constant's ``value`` can change from one segment to the next, so any
piecewise-constant (A, Q, b) of the paper's model can be programmed.

A circuit plus a schedule compiles to one QuadraticSystem per segment over the
same base states; lifted states are re-initialised from the base states at
every switch (see :func:`analyzer.simulate`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.blocks import BLOCKS
from analyzer.circuit import as_graph
from analyzer.compile import compile_circuit
from analyzer.netlist import Netlist
from analyzer.system import QuadraticSystem
from analyzer.validate import is_finite_number, validate


@dataclass(frozen=True)
class Segment:
    """One segment of a schedule.

    Parameters
    ----------
    duration : float
        How long the segment lasts (positive).
    operate : collection of names, or None
        Integrators, or groups of integrators (their ``group`` attribute), that
        operate; all the others hold.  None: every integrator operates.
    label : str
        A name for plots and listings.
    settings : mapping, optional
        Block name -> {parameter: value} in force during the segment, e.g.
        ``{"g": {"k": 0.0}}`` disconnects the path through gain ``g``.

    Examples
    --------
    >>> Segment(1.0, operate=["z"], label="affine")
    Segment(duration=1.0, operate=('z',), label='affine', settings=None)
    """

    duration: float
    operate: tuple[Hashable, ...] | None = None
    label: str = ""
    settings: Mapping[Hashable, Mapping[str, float]] | None = None

    def __post_init__(self) -> None:
        if self.operate is not None and not isinstance(self.operate, tuple):
            operate = self.operate
            if isinstance(operate, str) or not isinstance(operate, Iterable):
                operate = (operate,)
            object.__setattr__(self, "operate", tuple(operate))


def as_segments(schedule: Iterable[Any]) -> list[Segment]:
    """Segments from Segment objects, ``(duration, operate[, label])`` tuples or dicts."""
    segments = []
    for item in schedule:
        if isinstance(item, Segment):
            segments.append(item)
        elif isinstance(item, dict):
            segments.append(Segment(**item))
        else:
            segments.append(Segment(*item))
    return segments


def groups_of(netlist: Netlist, integrator: Hashable) -> set[Hashable]:
    """The groups an integrator belongs to (``group`` may be one name or several)."""
    group = netlist.attrs[integrator].get("group")
    if group is None:
        return set()
    if isinstance(group, str) or not isinstance(group, Iterable):
        return {group}
    return set(group)


def held_integrators(
    circuit: Any, schedule: Iterable[Any]
) -> list[tuple[Segment, frozenset]]:
    """Each segment with the set of integrators that hold during it.

    Raises
    ------
    ValueError
        Listing every problem: a segment naming an unknown integrator or group,
        a duration that is not a positive finite number, an empty schedule.
    """
    netlist = validate(circuit)
    segments = as_segments(schedule)
    integrators = netlist.integrators()
    members: dict[Hashable, set[Hashable]] = {w: {w} for w in integrators}
    for w in integrators:
        for g in groups_of(netlist, w):
            members.setdefault(g, set()).add(w)
    problems = [] if segments else ["the schedule has no segments; give at least one"]
    out = []
    for number, segment in enumerate(segments, start=1):
        where = f"segment {number}" + (f" ({segment.label!r})" if segment.label else "")
        d = segment.duration
        if not (is_finite_number(d) and d > 0):
            problems.append(f"{where}: duration {d!r} is not a positive finite number")
        operate: set[Hashable] = set(integrators)
        if segment.operate is not None:
            unknown = [n for n in segment.operate if n not in members]
            if unknown:
                groups = sorted({str(g) for g in members if g not in set(integrators)})
                problems.append(
                    f"{where}: {', '.join(repr(n) for n in unknown)} "
                    f"{'is' if len(unknown) == 1 else 'are'} neither an integrator "
                    f"nor a group; groups: {', '.join(groups) or 'none'}"
                )
            operate = set().union(*(members.get(n, set()) for n in segment.operate))
        problems += [f"{where}: {p}" for p in _settings_problems(netlist, segment)]
        out.append((segment, frozenset(w for w in integrators if w not in operate)))
    if problems:
        raise ValueError("bad schedule:\n  - " + "\n  - ".join(problems))
    return out


def _settings_problems(netlist: Netlist, segment: Segment) -> list[str]:
    problems = []
    for block, params in (segment.settings or {}).items():
        if block not in netlist.attrs:
            problems.append(f"settings name {block!r}, which is not a block")
            continue
        kind = netlist.kind(block)
        for param, value in params.items():
            if kind == "integrator":
                problems.append(
                    f"{netlist.label(block)}: an integrator has nothing to set per "
                    "segment; its value carries over (initial values: initial=)"
                )
            elif param not in BLOCKS[kind].params:
                known = ", ".join(BLOCKS[kind].params) or "none"
                problems.append(
                    f"{netlist.label(block)}: no parameter {param!r} to set "
                    f"(its parameters: {known})"
                )
            elif not is_finite_number(value):
                problems.append(
                    f"{netlist.label(block)}: parameter {param!r} set to "
                    f"{value!r}, not a finite number"
                )
    return problems


def _with_settings(
    circuit: Any, settings: Mapping[Hashable, Mapping[str, float]]
) -> Any:
    """A copy of the circuit's graph with the segment's parameters in force."""
    graph = as_graph(circuit).copy()
    for block, params in settings.items():
        graph.nodes[block].update(params)
    return graph


@dataclass(frozen=True)
class Program:
    """A compiled schedule: one QuadraticSystem per segment, over the same base states.

    ``segments[k]`` is ``(segment, system)``; segments with the same holding
    integrators share one compiled system.
    """

    segments: tuple[tuple[Segment, QuadraticSystem], ...]

    @property
    def duration(self) -> float:
        """Total duration of the schedule."""
        return math.fsum(s.duration for s, _ in self.segments)

    @property
    def depth(self) -> int:
        """D: the number of segments."""
        return len(self.segments)

    @property
    def width(self) -> int:
        """W: the states of the widest segment's system (integrators, the clock
        if any, and the states its quadratization adds)."""
        return max(system.n for _, system in self.segments)


def compile_schedule(
    circuit: Any, schedule: Sequence[Any], *, t0: float = 0.0
) -> Program:
    """Compile a circuit under a schedule: one system per segment.

    Examples
    --------
    Load z with 2 (one segment), then let x integrate z (another):

    >>> from analyzer import Circuit
    >>> c = Circuit()
    >>> c.integrator("z"); c.constant("two", value=2.0); c.connect("two", "z")
    'z'
    'two'
    >>> c.integrator("x"); c.connect("z", "x")
    'x'
    >>> program = compile_schedule(c, [(1.0, ["z"], "load"), (0.5, ["x"], "run")])
    >>> for segment, system in program.segments:
    ...     print(segment.label, "|", str(system).replace("\\n", "; "))
    load | x' = 0; z' = 2
    run | x' = z; z' = 0
    """
    held = held_integrators(circuit, schedule)
    compiled: dict[tuple, QuadraticSystem] = {}
    segments = []
    for segment, hold in held:
        settings = segment.settings or {}
        key = (
            hold,
            repr(sorted((repr(b), sorted(p.items())) for b, p in settings.items())),
        )
        if key not in compiled:
            graph = _with_settings(circuit, settings) if settings else circuit
            compiled[key] = compile_circuit(graph, t0=t0, hold=hold)
        segments.append((segment, compiled[key]))
    return Program(tuple(segments))
