"""The domain watch: a function's input must stay where the function is defined.

1/u, ln u and u^p are states whose rates grow without bound as u nears 0, so a
run that reaches the edge of a domain would otherwise end in a vague step-size
failure, or, worse, step across it.  :class:`DomainGuard` checks after every
step that each such input keeps the sign it started with, and raises a
:class:`~analyzer.errors.SimulationError` that names the block when it does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analyzer.errors import SimulationError
from analyzer.functions import RULES, FunctionState, formula, in_domain
from analyzer.readout import Readout
from analyzer.system import QuadraticSystem


class DomainGuard:
    """Checks the inputs of a system's domain-restricted function states.

    Parameters
    ----------
    system : QuadraticSystem
    y0 : array
        The flat initial state (state i of member k at ``i * m + k``).
    batch : int or None
        The number of members m (None for a single run).
    """

    def __init__(self, system: QuadraticSystem, y0: np.ndarray, batch: int | None):
        self.guarded = [s for s in system.functions if s.domain is not None]
        self.shape = (system.n, batch or 1)
        self.n_core = system.n_core
        self.inputs = Readout.from_polys(
            {k: s.argument for k, s in enumerate(self.guarded)}, self.n_core
        )
        self.start = self._inputs(y0)
        self.sign = np.sign(self.start)
        bad = [
            f"{s.label}: its input starts at "
            f"{float(np.min(self.start[k])):.6g}, outside the domain of "
            f"{formula(s.rule, s.p)}"
            for k, s in enumerate(self.guarded)
            if not np.all(in_domain(s.domain, self.start[k]))
        ]
        if bad:
            raise ValueError("; ".join(bad) + "; change the initial values")

    def __bool__(self) -> bool:
        return bool(self.guarded)

    def _inputs(self, y: np.ndarray) -> np.ndarray:
        return self.inputs.evaluate(y.reshape(self.shape)[: self.n_core])

    def check(self, t: float, y: np.ndarray) -> None:
        """Raise a SimulationError if an input has left its domain at ``t``."""
        u = self._inputs(y)
        outside = ~(u * self.sign > 0)
        if outside.any():
            k, member = np.argwhere(outside)[0]
            raise domain_error(self.guarded[k], t, float(u[k, member]))

    def near_edge(self, t: float, y: np.ndarray) -> SimulationError | None:
        """The domain error to report for a failed run whose input has come
        within 1e-3 of its start's size to the edge, if any."""
        with np.errstate(all="ignore"):
            ratio = np.abs(self._inputs(y)) / np.abs(self.start)
        ratio[~np.isfinite(ratio)] = np.inf
        if not self.guarded or ratio.min() >= 1e-3:
            return None
        k, member = np.unravel_index(np.argmin(ratio), ratio.shape)
        return domain_error(self.guarded[k], t, float(self._inputs(y)[k, member]))


def domain_error(state: FunctionState, t: float, u: Any) -> SimulationError:
    """The error for a function state whose input reached its domain's edge."""
    rule = RULES[state.rule]
    if state.kind == "implicit loop":
        what = (
            f"{state.label}: the implicit loop's determinant det(I − L) reached "
            f"{u:.6g} near t = {t:.10g}, so the loop has no solution past it "
            "(a division by zero)"
        )
    else:
        edge = "u ≠ 0" if rule.domain == "nonzero" else "u > 0"
        what = (
            f"{state.label}: its input reached {u:.6g} near t = {t:.10g}, the edge "
            f"of the domain of {formula(state.rule, state.p)} ({edge}); the "
            "solution does not exist past it"
        )
    return SimulationError(
        what + ". End t_span before it, or change the circuit.",
        t=float(t),
        states=(state.name,),
    )
