"""Michaelis-Menten enzyme kinetics: S' = -Vmax S/(Km + S), closed form by Lambert W.

Leonor Michaelis and Maud Menten (1913) described the rate of an enzyme
reaction by a saturating law: nearly proportional to the substrate S while S
is small against the constant Km, nearly constant (Vmax) once the enzyme is
saturated.  Britton Chance (1943) solved the full mass-action equations of an
enzyme on a differential analyzer to compare them with his peroxidase
measurements (B. Chance, J. Biol. Chem. 151 (1943) 553; the reference as it is
usually given, not checked here against the journal).  The law needs a division by a signal, which a mechanical
analyzer built from integrators (dr = -r² dx, as for Bush's 1/x) and an
electronic one from a multiplier in the feedback path of an amplifier (an
implicit loop); ``divider`` picks either.

Equations, with Vmax = ``vmax``, Km = ``km`` and initial substrate
S0 = ``s0`` (the product P starts at 0)::

    S' = -Vmax S / (Km + S),   S(0) = S0
    P' =  Vmax S / (Km + S),   P(0) = 0

Blocks: integrators ``S`` and ``P``; gain ``rate`` (k = Vmax) on the
saturation S/(Km + S), which feeds ``P`` and, with weight -1, ``S``.  The
saturation comes from one of two dividers, chosen by ``divider``.  With
``"reciprocal"`` (the default): constant ``Km``, adder ``denominator``
(Km + S), reciprocal block ``inverse`` (kind ``reciprocal``) and multiplier
``saturation`` (S times the inverse).  With ``"loop"``, the analog computer's
implicit divider, with no function block: the adder ``saturation`` =
S - ``feedback``, where the multiplier ``feedback`` = ``excess`` · saturation
and ``excess`` = S + Km - 1 (an adder fed by S and the constant ``offset`` =
Km - 1).  The loop solves (Km + S)·saturation = S; the compiler lowers it
exactly with one reciprocal state.

Reference: the closed form of Schnell and Mendoza (J. Theor. Biol. 187,
207-212, 1997), with the principal branch W0 of the Lambert W function
(Corless et al., Adv. Comput. Math. 5, 329-359, 1996;
``scipy.special.lambertw``)::

    S(t) = Km W0( (S0/Km) exp((S0 - Vmax t)/Km) ),   P(t) = S0 - S(t).

The solver runs at rtol 1e-11; the error stays near 2e-11 (on S and P, of
size up to 2) with either divider, so the tolerance 1e-9 leaves a margin of
about fifty.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from analyzer.circuit import Circuit

TITLE = (
    "Michaelis-Menten enzyme kinetics: S' = -Vmax S/(Km + S), closed form by Lambert W"
)
T_SPAN = (0.0, 5.0)
PROBES = ("S", "P")
PARAMS = {"vmax": 1.0, "km": 0.5, "s0": 2.0, "divider": "reciprocal"}
CHECK = {
    "t_eval": np.linspace(0.0, 5.0, 51),
    "rtol": 1e-11,
    "atol": 1e-12,
    # rtol 1e-11 × |S|, |P| ≤ 2.5 × G 40 → 1e-9; measured 1.7e-11, margin 61×
    "tol": 1e-9,
}
DIVIDERS = ("reciprocal", "loop")


def _check(vmax: float, km: float, s0: float, divider: str) -> None:
    if divider not in DIVIDERS:
        raise ValueError(
            f"michaelis_menten: divider must be 'reciprocal' or 'loop', got {divider!r}"
        )
    ok = all(map(math.isfinite, (vmax, km, s0)))
    # (S0/Km) exp(S0/Km) must not overflow in the closed form
    if not ok or vmax <= 0.0 or km <= 0.0 or s0 < 0.0 or s0 / km > 500.0:
        raise ValueError(
            "michaelis_menten: needs finite vmax > 0, km > 0 and 0 <= s0 <= 500 km,"
            f" got vmax={vmax!r}, km={km!r}, s0={s0!r}"
        )


def build(
    *,
    vmax: float = 1.0,
    km: float = 0.5,
    s0: float = 2.0,
    divider: str = "reciprocal",
) -> Circuit:
    """Substrate ``S`` turned into product ``P`` by a Michaelis-Menten enzyme.

    Parameters
    ----------
    vmax : float
        The saturated rate, > 0.
    km : float
        The Michaelis constant (the substrate level of half the top rate), > 0.
    s0 : float
        The initial substrate, >= 0 and at most 500 km.
    divider : {"reciprocal", "loop"}
        How S/(Km + S) is formed: a reciprocal block, or an implicit loop.

    Returns
    -------
    Circuit
        Integrators ``S``, ``P``; gain ``rate``; and the divider's blocks.

    Raises
    ------
    ValueError
        If a parameter is out of range or the divider unknown.

    Examples
    --------
    >>> from analyzer import compile_circuit, simulate
    >>> print(compile_circuit(build(divider="loop")))
    P' = S·inv(loop feedback)
    S' = -S·inv(loop feedback)
    inv(loop feedback)' = inv(loop feedback)·S*inv(loop feedback)^2
    S*inv(loop feedback)^2' = -inv(loop feedback)·S*inv(loop feedback)^2 + ...
    >>> traj = simulate(build(), T_SPAN, t_eval=[5.0], rtol=1e-11, atol=1e-12)
    >>> print(f"{traj['S'][0]:.6f}")
    0.004909
    """
    _check(vmax, km, s0, divider)
    c = Circuit()
    c.integrator("S", initial=s0)
    c.integrator("P", initial=0.0)
    if divider == "reciprocal":
        c.constant("Km", value=km)
        c.adder("denominator")
        c.connect("Km", "denominator")
        c.connect("S", "denominator")
        c.add("inverse", "reciprocal")
        c.connect("denominator", "inverse")
        c.multiplier("saturation")
        c.connect("S", "saturation", port="a")
        c.connect("inverse", "saturation", port="b")
    else:
        c.constant("offset", value=km - 1.0)
        c.adder("excess")
        c.connect("S", "excess")
        c.connect("offset", "excess")
        c.multiplier("feedback")
        c.adder("saturation")
        c.connect("excess", "feedback", port="a")
        c.connect("saturation", "feedback", port="b")
        c.connect("S", "saturation")
        c.connect("feedback", "saturation", weight=-1.0)
    c.gain("rate", k=vmax)
    c.connect("saturation", "rate")
    c.connect("rate", "S", weight=-1.0)
    c.connect("rate", "P")
    return c


def substrate(
    t: np.ndarray, *, vmax: float = 1.0, km: float = 0.5, s0: float = 2.0
) -> np.ndarray:
    """The closed form S(t) = Km W0((S0/Km) exp((S0 - Vmax t)/Km)).

    Examples
    --------
    >>> float(substrate(np.array([0.0]))[0])  # W0(4 e⁴) = 4
    2.0
    """
    argument = (s0 / km) * np.exp((s0 - vmax * np.asarray(t, dtype=float)) / km)
    return km * special.lambertw(argument, 0).real


def reference(
    t: np.ndarray,
    *,
    vmax: float = 1.0,
    km: float = 0.5,
    s0: float = 2.0,
    divider: str = "reciprocal",
) -> dict[str, np.ndarray]:
    """The closed form by the Lambert W function (Schnell and Mendoza 1997)."""
    _check(vmax, km, s0, divider)
    s = substrate(t, vmax=vmax, km=km, s0=s0)
    saturation = s / (km + s)
    signals = {"S": s, "P": s0 - s, "saturation": saturation, "rate": vmax * saturation}
    if divider == "reciprocal":
        signals |= {"Km": np.full_like(s, km), "denominator": km + s,
                    "inverse": 1.0 / (km + s)}  # fmt: skip
    else:
        signals |= {"offset": np.full_like(s, km - 1.0), "excess": s + km - 1.0,
                    "feedback": (s + km - 1.0) * saturation}  # fmt: skip
    return signals
