"""Targets of the command line: a catalog name, a Python file or a JSON file.

:func:`resolve` turns what the user typed into a :class:`Target`: the circuit,
a label and title, and the time span and probes when the target has them.
Errors are :class:`UsageError` (a bad command line, exit status 2) or
:class:`RunError` (a target that cannot be built, exit status 1).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib.util
import inspect
import math
import sys
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from analyzer.circuit import Circuit
from analyzer.errors import CircuitError


class UsageError(Exception):
    """A bad command line: exit status 2."""


class RunError(Exception):
    """A target that cannot be built or run: exit status 1."""


class Target(NamedTuple):
    """A circuit named on the command line, with what to run it over."""

    label: str
    title: str
    circuit: Circuit
    t_span: tuple[float, float] | None
    probes: tuple[Hashable, ...] | None


def parse_value(text: str) -> Any:
    """Read a ``--param`` value as a bool, None, int, float, literal or str.

    Examples
    --------
    >>> [parse_value(s) for s in ["3", "-2.5e-3", "true", "None", "[1, 2]", "abc"]]
    [3, -0.0025, True, None, [1, 2], 'abc']
    """
    word = text.strip().lower()
    if word in ("true", "false"):
        return word == "true"
    if word in ("none", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text[:1] in ("[", "(", "{", "'", '"'):
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            pass
    return text


def param_pair(text: str) -> tuple[str, Any]:
    key, eq, value = text.partition("=")
    if not eq or not key.strip().isidentifier():
        raise argparse.ArgumentTypeError(
            f"bad --param {text!r}: expected KEY=VALUE such as omega=2.0 "
            "(put TARGET before --param)"
        )
    return key.strip(), parse_value(value)


def block_named(graph: Any, name: str) -> Hashable:
    """The block whose name prints as ``name`` (names in a file may be ints)."""
    names = {str(n): n for n in graph.nodes}
    if name in names:
        return names[name]
    raise UsageError(f"--probe: no block named {name!r}" + _suggest(name, names))


def _suggest(name: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3)
    if close:
        return "; did you mean " + " or ".join(map(repr, close)) + "?"
    return "; known: " + ", ".join(known)


def resolve(spec: str, params: dict[str, Any]) -> Target:
    path = Path(spec)
    if path.suffix.lower() not in (".py", ".json"):
        if path.exists():
            raise UsageError(f"cannot run {spec}: not a catalog name, .py or .json")
        return _from_catalog(spec, params)
    if not path.is_file():
        raise UsageError(f"no such file: {spec}")
    if path.suffix.lower() == ".py":
        return _from_python(path, params)
    if params:
        raise UsageError(f"{path}: a JSON circuit takes no --param")
    from analyzer.io import load_circuit

    circuit = load_circuit(path)
    attrs = circuit.graph.graph  # a saved circuit may carry its span and probes
    span = _span(f"{path}: graph attribute 't_span'", attrs.get("t_span"))
    probes = _probes(circuit, attrs.get("probes"))
    return Target(str(path), str(attrs.get("title", path.name)), circuit, span, probes)


def _from_catalog(name: str, params: dict[str, Any]) -> Target:
    from circuits import CATALOG

    if name not in CATALOG:
        hint = " ('analyzer list' shows the catalog)"
        raise UsageError(f"unknown circuit {name!r}{_suggest(name, CATALOG)}{hint}")
    entry = CATALOG[name]
    known = ", ".join(f"{k}={v!r}" for k, v in entry.params.items()) or "none"
    for key in params:
        if key not in entry.params:
            raise UsageError(f"{name} has no parameter {key!r}; it has: {known}")
    check_types(name, entry.params, params)
    circuit = _build(name, entry.build, {**entry.params, **params})
    span = _span(f"{name}: T_SPAN", entry.t_span)
    return Target(name, entry.title, circuit, span, tuple(entry.probes))


def _from_python(path: Path, params: dict[str, Any]) -> Target:
    name = f"_analyzer_target_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, "a .py path always loads"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling in the file need it
    folder = str(path.parent.resolve())
    sys.path.insert(0, folder)  # for imports of its sibling modules
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as err:
        del sys.modules[name]
        raise RunError(f"{path}: {type(err).__name__}: {err}") from None
    finally:
        sys.path.remove(folder)
    build = getattr(module, "build", None)
    if callable(build):
        _check_params(f"{path}: build()", build, params)
        circuit = _build(f"{path}: build()", build, params)
    elif hasattr(module, "circuit"):
        if params:
            raise UsageError(f"{path}: --param needs a build(**params) to pass to")
        circuit = _as_circuit(f"{path}: 'circuit'", module.circuit)
    else:
        raise RunError(f"{path}: define build() or a module-level 'circuit'")
    title = str(getattr(module, "TITLE", (module.__doc__ or path.name).strip()))
    span = _span(f"{path}: T_SPAN", getattr(module, "T_SPAN", None))
    probes = _probes(circuit, getattr(module, "PROBES", None))
    return Target(str(path), title.split("\n")[0], circuit, span, probes)


def _check_params(label: str, build: Any, params: dict[str, Any]) -> None:
    try:
        accepted = inspect.signature(build).parameters.values()
    except (TypeError, ValueError):  # no signature to check against
        return
    defaults = {p.name: p.default for p in accepted if p.default is not p.empty}
    check_types(label, defaults, params)
    if any(p.kind == p.VAR_KEYWORD for p in accepted):
        return
    known = [
        p.name for p in accepted if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    for key in params:
        if key not in known:
            takes = ", ".join(known) or "none"
            raise UsageError(f"{label} has no parameter {key!r}; it takes: {takes}")


def check_types(
    label: str, defaults: Mapping[str, Any], params: dict[str, Any]
) -> None:
    """Check ``--param`` values against the type of each parameter's default.

    A number where the default is a number (``--param omega=2`` means 2.0
    when the default is a float), an integer where it is an int, true or
    false where it is a bool; other defaults accept any value.  Raises
    :class:`UsageError` naming the parameter and what it takes.

    Examples
    --------
    >>> params = {"mu": 2}
    >>> check_types("van_der_pol", {"mu": 1.0}, params); params
    {'mu': 2.0}
    >>> check_types("van_der_pol", {"mu": 1.0}, {"mu": "abc"})
    Traceback (most recent call last):
    ...
    analyzer.targets.UsageError: van_der_pol: --param mu='abc': mu takes a number (its default is 1.0)
    """
    for key, value in params.items():
        default = defaults.get(key)
        if isinstance(default, bool):
            ok, takes = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
            takes = "an integer"
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            takes = "a number"
            if ok:
                params[key] = float(value)
        else:
            continue
        if not ok:
            raise UsageError(
                f"{label}: --param {key}={value!r}: {key} takes {takes} "
                f"(its default is {default!r})"
            )


def _build(label: str, build: Any, params: dict[str, Any]) -> Circuit:
    try:
        made = build(**params)
    except CircuitError:
        raise
    except Exception as err:
        given = ", ".join(f"{k}={v!r}" for k, v in params.items())
        with_params = f" with {given}" if given else ""
        raise RunError(
            f"{label} failed{with_params}: {type(err).__name__}: {err}"
        ) from None
    return _as_circuit(label, made)


def _as_circuit(label: str, value: Any) -> Circuit:
    if isinstance(value, Circuit | nx.DiGraph):  # a MultiDiGraph is a DiGraph
        return value if isinstance(value, Circuit) else Circuit(value)
    kind = type(value).__name__
    raise RunError(f"{label} must be a Circuit or a networkx graph, not {kind}")


def _span(label: str, value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        t0, t1 = map(float, value)
    except (TypeError, ValueError):
        t0 = t1 = math.nan
    if not -math.inf < t0 < t1 < math.inf:  # also false for nan
        raise RunError(f"{label} is {value!r}; expected (start, end), start < end")
    return t0, t1


def _probes(circuit: Circuit, value: Any) -> tuple[Hashable, ...] | None:
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else tuple(value)
    missing = [n for n in names if n not in circuit.graph]
    if missing:
        raise RunError(f"probes {missing!r} are not blocks of the circuit")
    return names
