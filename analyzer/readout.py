"""How every block's signal is read from the base states of a compiled system.

Each signal is a polynomial in the core states: the base states (integrators
and the clock) and the states function blocks introduced, which are computed
from the base states first (:func:`analyzer.functions.complete`).  The readout stores the distinct
monomials once (as rows of state indices, padded with a row of ones) and a
sparse matrix of coefficients, so reading thousands of signals over a whole
trajectory is two vectorised operations.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from analyzer.functions import FunctionState, complete
from analyzer.polynomial import Monomial, Poly


@dataclass(frozen=True, eq=False)
class Readout:
    """Block signals as polynomials in the base states.

    Parameters
    ----------
    blocks : tuple
        Block names, in a fixed order.
    factors : array (p, d)
        Row r lists the core-state indices whose product is monomial r, padded
        with the number of core states (which reads as 1).
    coefficients : sparse (len(blocks), p)
        Signal of block i = sum_r coefficients[i, r] * monomial_r.
    functions : tuple of FunctionState
        The function states, computed from the base states before reading.
    """

    blocks: tuple[Hashable, ...]
    factors: np.ndarray
    coefficients: sparse.csr_matrix
    functions: tuple[FunctionState, ...] = ()
    _index: dict[Hashable, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index.update({name: i for i, name in enumerate(self.blocks)})

    @classmethod
    def from_polys(
        cls,
        signals: Mapping[Hashable, Poly],
        n_base: int,
        functions: tuple[FunctionState, ...] = (),
    ) -> Readout:
        """Build the readout of ``signals`` (block -> polynomial in core states)."""
        n_core = n_base + len(functions)
        monomials: dict[Monomial, int] = {}
        rows, cols, data = [], [], []
        for row, poly in enumerate(signals.values()):
            for m, c in poly.terms.items():
                rows.append(row)
                cols.append(monomials.setdefault(m, len(monomials)))
                data.append(c)
        width = max((sum(e for _, e in m) for m in monomials), default=0)
        factors = np.full((len(monomials), max(width, 1)), n_core, dtype=np.intp)
        for m, r in monomials.items():
            flat = [v for v, e in m for _ in range(e)]
            factors[r, : len(flat)] = flat
        coefficients = sparse.csr_matrix(
            (data, (rows, cols)), shape=(len(signals), len(monomials))
        )
        return cls(tuple(signals), factors, coefficients, tuple(functions))

    def evaluate(self, y_base: Any, blocks: Any = None) -> np.ndarray:
        """Signals at base-state values of shape (n_base, ...): shape (blocks, ...).

        With ``blocks`` (a list of names) only those signals, and only the
        monomials they use, are computed.
        """
        y_base = complete(self.functions, y_base)
        shape = y_base.shape[1:]
        # No -1 here: a circuit without states has y_base of shape (0, ...).
        flat = y_base.reshape(y_base.shape[0], int(np.prod(shape)))
        padded = np.vstack([flat, np.ones((1, flat.shape[1]))])
        coefficients, factors = self.coefficients, self.factors
        if blocks is not None:
            coefficients = coefficients[[self.index(b) for b in blocks]]
            used = np.unique(coefficients.indices)
            coefficients, factors = coefficients[:, used], factors[used]
        monomial_values = np.prod(padded[factors], axis=1)
        return np.asarray(coefficients @ monomial_values).reshape(-1, *shape)

    def index(self, block: Hashable) -> int:
        """Row of a block; a KeyError that lists a few known names otherwise."""
        try:
            return self._index[block]
        except KeyError:
            known = ", ".join(repr(b) for b in self.blocks[:10])
            more = " ..." if len(self.blocks) > 10 else ""
            raise KeyError(f"no block named {block!r}; blocks: {known}{more}") from None
