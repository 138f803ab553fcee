"""What a compile did: the states each block introduced, the lift, its stability.

:func:`analyzer.compile.compile_circuit` attaches a :class:`CompileReport` to
the system it returns (``system.report``); ``analyzer show`` prints it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.blocks import BLOCKS
from analyzer.compile.lower import PolynomialSystem
from analyzer.functions import FunctionState, formula
from analyzer.polynomial import Poly

if TYPE_CHECKING:
    from analyzer.compile.quadratize import Quadratization
    from analyzer.compile.stability import Stability


@dataclass(frozen=True)
class CompileReport:
    """The record of one compile.

    Attributes
    ----------
    functions : tuple of FunctionState
        The states function blocks and implicit loops introduced.
    reads : mapping
        Function block -> the state whose value is its output (its own, or one
        another block with the same input made first).
    lifted : tuple of str
        The names of the quadratization's new states.
    quadratization : Quadratization
        How the lift was found: strategy, lower bound, whether proved optimal.
    stability : Stability
        The transversal stability at the initial point, and the stabiliser's λ.
    """

    functions: tuple[FunctionState, ...]
    reads: Mapping[Hashable, str]
    lifted: tuple[str, ...]
    quadratization: Quadratization
    stability: Stability

    @classmethod
    def build(
        cls,
        polynomial: PolynomialSystem,
        kinds: Mapping[Hashable, str],
        lifted: tuple[str, ...],
        quadratization: Quadratization,
        stability: Stability,
    ) -> CompileReport:
        """Collect the report of one compile (``kinds``: block -> its kind)."""
        first = polynomial.n_base
        reads = {}
        for block, signal in polynomial.signals.items():
            if BLOCKS[kinds[block]].function and _single_state(signal) >= first:
                reads[block] = polynomial.names[_single_state(signal)]
        return cls(polynomial.functions, reads, lifted, quadratization, stability)

    def lines(self) -> list[str]:
        """The report as text, one fact a line, for ``analyzer show``."""
        out = []
        for state in self.functions:
            rule = formula(state.rule, state.p)
            out.append(
                f"block {state.block!r} ({state.kind}) introduced {state.name} = "
                f"{rule.replace('u', 'in')}"
            )
        made = {s.name: s.block for s in self.functions}
        for block, name in self.reads.items():
            if made.get(name) != block:
                out.append(f"block {block!r} reads {name}, made by {made[name]!r}")
        q = self.quadratization
        proof = "optimal (proved)" if q.optimal else f"lower bound {q.lower_bound}"
        names = ", ".join(self.lifted) if self.lifted else "none"
        count = len(self.lifted)
        out.append(
            f"quadratization: {count} new state{'s' * (count != 1)} ({names}) by "
            f"{q.strategy}; {proof}; {q.seconds * 1e3:.1f} ms"
        )
        s = self.stability
        if s.lam:
            out.append(
                f"stability: transversal eigenvalue {_signed(s.transversal)} at y0 "
                f"(original system {_signed(s.original)}); stabilised with "
                f"-λ(w - a·b), λ = {s.lam:g}: now {_signed(s.stabilised)}"
            )
        elif s.unstable:
            out.append(
                f"stability: transversal eigenvalue {_signed(s.transversal)} at y0 "
                f"(original system {_signed(s.original)}): UNSTABLE, not stabilised"
            )
        elif self.lifted:
            out.append(
                f"stability: transversal eigenvalue {_signed(s.transversal)} at y0 "
                f"(original system {_signed(s.original)}): stable"
            )
        return out


def _signed(x: float) -> str:
    """An eigenvalue's real part with its sign; an exact zero as 0."""
    return "0" if x == 0 else f"{x:+.4g}"


def _single_state(signal: Poly) -> int:
    """The state index if ``signal`` is exactly one state, else -1."""
    if len(signal.terms) == 1:
        ((m, c),) = signal.terms.items()
        if c == 1.0 and len(m) == 1 and m[0][1] == 1:
            return m[0][0]
    return -1
