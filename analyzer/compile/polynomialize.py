"""Polynomialization: function blocks and implicit loops become new states.

While :mod:`analyzer.compile.lower` walks the blocks, a function block asks
:class:`Polynomializer` for the state f(u) of its input u.  The state is made
once per (rule, exponent, input): two blocks that compute sin of the same
signal share it, and ``cos`` reuses the companion state of ``sin``.  Its initial
value is f(u(t0)), checked against the rule's domain; its rate, f'(u)·u', is a
polynomial once every rate is known (:meth:`Polynomializer.rates`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np

from analyzer.functions import DOMAINS, RULES, FunctionState, formula, in_domain
from analyzer.polynomial import Poly


class Polynomializer:
    """Makes the function states of one compile, in a deterministic order.

    Parameters
    ----------
    names, y0 : list
        The states so far (integrators, then the clock), extended in place
        with every function state's name and initial value.
    clock : Poly or None
        The clock's polynomial, for ``time`` blocks.
    """

    def __init__(self, names: list[str], y0: list[float], clock: Poly | None):
        self.names, self.y0, self.clock = names, y0, clock
        self.states: list[FunctionState] = []
        self.problems: list[str] = []
        self._index: dict[tuple[str, float, Poly], int] = {}
        self._block: tuple[Hashable, str] = ("", "")
        self._name = self._label = ""

    def at(
        self,
        block: Hashable,
        kind: str,
        name: str | None = None,
        label: str | None = None,
    ) -> Polynomializer:
        """Set the block now being lowered: it names states (``name``, by
        default the block's own) and, in messages, is ``label``."""
        self._block, self._name = (block, kind), str(block) if name is None else name
        self._label = f"block {block!r} ({kind})" if label is None else label
        return self

    def function(
        self, rule: str, argument: Poly, p: float = 0.0, output: bool = True
    ) -> Poly:
        """The state ``rule(argument)``, made on first use, as a polynomial.

        ``output`` says whether the state is the block's output (it then takes
        the block's name; other states are named ``block.rule``)."""
        key = (rule, float(p), argument)
        u0 = argument.evaluate(self.y0)
        domain = RULES[rule].domain
        if not in_domain(domain, u0):
            self.problems.append(
                f"{self._label}: port 'in': its input is {u0:.6g} at t0, "
                f"outside the domain of {formula(rule, p)} "
                f"({DOMAINS.get(str(domain), 'finite numbers')}); change the initial "
                "values or the wiring so that the input starts inside it"
            )
        if key not in self._index:
            self._add(rule, argument, p, u0, output)
            for companion in RULES[rule].companions:
                if (companion, 0.0, argument) not in self._index:
                    self._add(companion, argument, 0.0, u0, False)
        return Poly.var(self._index[key])

    def _add(self, rule: str, argument: Poly, p: float, u0: Any, output: bool) -> None:
        block, kind = self._block
        mine = [s for s in self.states if s.block == block]
        if output and not mine:
            name = self._name
        else:  # after the block's first state, renamed or not
            name = f"{mine[0].name if mine else self._name}.{rule}"
        taken = set(self.names)
        candidate, k = name, 1
        while candidate in taken:
            k += 1
            candidate = f"{name}#{k}"
        index = len(self.names)
        self._index[(rule, float(p), argument)] = index
        state = FunctionState(
            index, candidate, rule, argument, float(p), block, kind, self._label
        )
        self.states.append(state)
        self.names.append(candidate)
        with np.errstate(all="ignore"):  # a domain problem is reported above
            self.y0.append(float(RULES[rule].value(u0, p)))

    def rate(self, state: FunctionState, rates: Mapping[int, Poly]) -> Poly:
        """f'(u)·u' for one function state, given the states' rates."""

        def other(rule: str) -> Poly:
            return Poly.var(self._index[(rule, 0.0, state.argument)])

        factor = RULES[state.rule].factor(Poly.var(state.index), other, state.p)
        return factor * state.argument.time_derivative(rates)
