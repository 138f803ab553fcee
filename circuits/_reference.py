"""The independent reference computation the catalog's nonlinear circuits share.

A circuit without a closed form is checked against scipy's ``solve_ivp`` run on
equations written out by hand (never on the compiled system) at tolerances
far tighter than the circuit's check, with a failure reported as such rather
than returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp


def tight_solve(
    name: str,
    rhs: Callable[[float, np.ndarray], np.ndarray],
    y0: Sequence[float],
    t_end: float,
    *,
    method: str,
    rtol: float,
    atol: float,
    jac: Callable[[float, np.ndarray], np.ndarray] | None = None,
    t_eval: np.ndarray | None = None,
) -> Any:
    """``solve_ivp`` from 0 to ``t_end`` with dense output; raises if it fails."""
    options = {} if jac is None else {"jac": jac}
    sol = solve_ivp(
        rhs, (0.0, t_end), list(y0), method=method, t_eval=t_eval,
        dense_output=True, rtol=rtol, atol=atol, **options,
    )  # fmt: skip
    if not sol.success:
        raise RuntimeError(f"{name} reference solve failed: {sol.message}")
    return sol
