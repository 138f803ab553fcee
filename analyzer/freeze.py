"""Held states out of the integration: a segment integrates only what moves.

In a segment of a schedule most integrators may HOLD: their rate is
identically zero, yet a solver would still carry them in every vector
operation and error norm.  :class:`Frozen` takes them out.  A held state that
multiplies a moving one stays (as a state whose rate is zero); every other
held state only adds a constant to the moving states' rates, which is folded
into a per-member offset.  The reduced system is exact, not an approximation:
the held values are constants for the whole segment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from analyzer.system import QuadraticSystem


def moving_states(system: QuadraticSystem) -> np.ndarray:
    """Mask of the states whose rate is not identically zero."""
    moving = system.b != 0
    moving[np.unique(system.A.nonzero()[0])] = True
    moving[system.I] = True
    return moving


class Frozen:
    """The integration of ``system`` with its held states taken out.

    Parameters
    ----------
    system : QuadraticSystem
    y0 : array
        The flat initial state (state i of member k at ``i * m + k``).
    batch : int or None
        The number of members m (None for a single run).

    Attributes
    ----------
    keep : array of int
        The states integrated: the moving ones and the held ones that
        multiply a moving one.
    """

    def __init__(self, system: QuadraticSystem, y0: np.ndarray, batch: int | None):
        m = batch or 1
        moving, self.keep, self.sub = _structure(system)
        # Everything held: b, A on held states, products of two held states.
        held_only = y0.reshape(system.n, m).copy()
        held_only[moving] = 0.0
        offset = system.rhs(0.0, held_only)[self.keep]
        self.batch = batch
        self.offset = offset.ravel() if batch else offset[:, 0]
        self.template = y0.copy()
        self.flat_keep = (self.keep[:, None] * m + np.arange(m)).ravel()
        self.z0 = y0[self.flat_keep]
        self._shape = (len(self.keep), m)

    def fun(self, t: float, z: np.ndarray) -> np.ndarray:
        """The reduced right-hand side."""
        if self.batch is None:
            return self.sub.rhs(t, z) + self.offset
        return self.sub.rhs(t, z.reshape(self._shape)).ravel() + self.offset

    def jac(self, t: float, z: np.ndarray) -> sparse.csc_matrix:
        """The reduced exact Jacobian (the offset is constant)."""
        if self.batch is None:
            return self.sub.jac(t, z)
        return self.sub.jac(t, z.reshape(self._shape))

    def expand(self, z: Any) -> np.ndarray:
        """Full flat state(s) from reduced ones (columns for a 2-D ``z``)."""
        z = np.asarray(z)
        if z.ndim == 1:
            full = self.template.copy()
            full[self.flat_keep] = z
            return full
        full = np.repeat(self.template[:, None], z.shape[1], axis=1)
        full[self.flat_keep] = z
        return full


def _structure(
    system: QuadraticSystem,
) -> tuple[np.ndarray, np.ndarray, QuadraticSystem]:
    """The moving mask, the kept states and the system over them (cached: it
    depends on the system alone, not on the held values)."""
    if "frozen" in system._cache:
        return system._cache["frozen"]
    moving = moving_states(system)
    J, K = system.J, system.K
    partners = np.zeros(system.n, dtype=bool)  # held factors of moving ones
    partners[J[moving[K] & ~moving[J]]] = True
    partners[K[moving[J] & ~moving[K]]] = True
    keep = np.flatnonzero(moving | partners)
    index = np.full(system.n, -1)
    index[keep] = np.arange(len(keep))
    A = system.A.tocoo()
    linear = {
        (int(index[i]), int(index[j])): float(c)
        for i, j, c in zip(A.row, A.col, A.data, strict=True)
        if moving[j]
    }
    touched = moving[J] | moving[K]
    quadratic = {
        (int(index[i]), int(index[j]), int(index[k])): float(c)
        for i, j, k, c, t in zip(system.I, J, K, system.C, touched, strict=True)
        if t
    }
    names = [system.names[i] for i in keep]
    sub = QuadraticSystem.from_terms(
        names=names, y0=np.zeros(len(names)), b=np.zeros(len(names)),
        linear=linear, quadratic=quadratic,
        monomials=tuple(system.monomials[i] for i in keep), n_base=0,
        outputs=system.outputs,
    )  # fmt: skip
    system._cache["frozen"] = (moving, keep, sub)
    return moving, keep, sub


class Expanded:
    """An interpolant of the reduced states that answers with full states."""

    __slots__ = ("frozen", "interpolant")

    def __init__(self, interpolant: Any, frozen: Frozen) -> None:
        self.interpolant = interpolant
        self.frozen = frozen

    def __call__(self, t: Any) -> np.ndarray:
        return self.frozen.expand(self.interpolant(t))
