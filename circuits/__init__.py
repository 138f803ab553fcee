"""The catalog of ready-made circuits: the examples gallery and the accuracy suite.

Each module in this package builds one circuit and states a reference for
it: a closed form, a conserved quantity or an independent high-accuracy solve
of a hand-written right-hand side.  The first entries use only the basic
blocks (integrator, adder, multiplier, gain, constant, time), as Bush's
machine had them; the later ones also use function blocks (``exp``, ``sin``,
``cos``, ``reciprocal``, ``sqrt``, ``power``) and an implicit division loop.
The tests simulate every entry and compare it with its reference at the
tolerance the entry's ``CHECK`` gives.

The catalog is an explicit, ordered list of modules; nothing is found by
scanning files.

Examples
--------
>>> import circuits
>>> list(circuits.CATALOG)[:3]
['sine_cosine', 'damped_oscillator', 'exponential_decay']
>>> entry = circuits.get("exponential_decay")
>>> entry.title
'Exponential decay: one integrator fed back on itself'
>>> entry.params
mappingproxy({'k': 1.0, 'x0': 1.0})
>>> entry.build(**entry.params)
Circuit(2 blocks, 2 wires)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np

from analyzer.circuit import Circuit
from circuits import (
    bessel,
    damped_oscillator,
    euler_spiral,
    exponential_decay,
    exterior_ballistics,
    gaussian_erf_chirp,
    heat_equation,
    kepler,
    lorenz,
    lotka_volterra,
    michaelis_menten,
    oscillator_chain,
    pendulum,
    pendulum_sin,
    projectile_drag,
    robertson,
    sine_cosine,
    sqrt_one_plus_t,
    van_der_pol,
    vertical_shot,
)

__all__ = ["CATALOG", "CatalogEntry", "get"]


@dataclass(frozen=True)
class CatalogEntry:
    """One ready-made circuit, read from the constants of its module.

    Parameters
    ----------
    name : str
        The module's short name, e.g. ``"bessel"``.
    title : str
        One line saying what the circuit computes.
    module : module
        The module itself (its docstring tells the history and the equations).
    build : callable
        ``build(**params) -> Circuit``.
    t_span : (float, float)
        The default time span; it starts where the initial values hold.
    probes : tuple of str
        Block names plotted and summarised by default.
    params : mapping
        The defaults of ``build(**params)`` and ``reference(t, **params)``.
    reference : callable
        ``reference(t, **params) -> dict`` of block name to exact values at ``t``.
    check : mapping
        How the accuracy test runs it: ``t_eval`` (the run spans its first to
        its last time), the solver's ``rtol`` and ``atol``, ``tol`` (the
        largest absolute error allowed, over every signal the reference gives)
        and optionally ``method``.
    """

    name: str
    title: str
    module: ModuleType
    build: Callable[..., Circuit]
    t_span: tuple[float, float]
    probes: tuple[str, ...]
    params: Mapping[str, Any]
    reference: Callable[..., dict[str, Any]]
    check: Mapping[str, Any]

    @property
    def description(self) -> str:
        """The module docstring without its first line when that is the title."""
        doc = inspect.cleandoc(self.module.__doc__ or "")
        first, _, body = doc.partition("\n\n")
        return body if first.strip().rstrip(".") == self.title.rstrip(".") else doc

    @classmethod
    def from_module(cls, module: ModuleType) -> CatalogEntry:
        """Read an entry from a module's TITLE, T_SPAN, PROBES, PARAMS, CHECK."""
        return cls(
            name=module.__name__.rsplit(".", 1)[-1],
            title=module.TITLE,
            module=module,
            build=module.build,
            t_span=tuple(module.T_SPAN),
            probes=tuple(module.PROBES),
            params=MappingProxyType(dict(module.PARAMS)),
            reference=module.reference,
            check=MappingProxyType({k: _frozen(v) for k, v in module.CHECK.items()}),
        )


def _frozen(value: Any) -> Any:
    """A read-only copy of an array (so an entry cannot be changed by accident)."""
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
    return value


# The order of the gallery: from the first loops of Bush's machine to big circuits.
_MODULES = (
    sine_cosine,
    damped_oscillator,
    exponential_decay,
    lorenz,
    van_der_pol,
    robertson,
    bessel,
    vertical_shot,
    pendulum,
    lotka_volterra,
    oscillator_chain,
    heat_equation,
    sqrt_one_plus_t,
    gaussian_erf_chirp,
    euler_spiral,
    pendulum_sin,
    michaelis_menten,
    projectile_drag,
    exterior_ballistics,
    kepler,
)

CATALOG: Mapping[str, CatalogEntry] = MappingProxyType(
    {e.name: e for e in map(CatalogEntry.from_module, _MODULES)}
)
"""Every catalog entry by name, in gallery order."""


def get(name: str) -> CatalogEntry:
    """The catalog entry called ``name``.

    Raises
    ------
    ValueError
        If there is no such entry; the message lists the known names.

    Examples
    --------
    >>> get("lorenz").probes
    ('x', 'y', 'z')
    >>> get("lorentz")
    Traceback (most recent call last):
    ...
    ValueError: no circuit named 'lorentz' in the catalog; known circuits: ...
    """
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(
            f"no circuit named {name!r} in the catalog; known circuits: "
            + ", ".join(CATALOG)
        ) from None
