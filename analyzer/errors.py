"""The exceptions of analyzer: one for a bad circuit, one for a failed run."""

from __future__ import annotations

from collections.abc import Iterable


class CircuitError(ValueError):
    """A circuit that cannot be lowered, with every problem found at once.

    Each problem is one line that names the block, its kind and the port, and
    says what to do.  ``problems`` holds the lines; the message lists them all.

    Examples
    --------
    >>> err = CircuitError(["block 'g' (gain): input port 'in' is not connected"])
    >>> err.problems
    ("block 'g' (gain): input port 'in' is not connected",)
    >>> print(err)
    the circuit has 1 problem:
      - block 'g' (gain): input port 'in' is not connected
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"the circuit has {count} {noun}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class SimulationError(RuntimeError):
    """A run that did not reach the end of its time span.

    Raised instead of returning a partial answer: for a finite-time blow-up,
    a step size that collapses, or a solver that fails.  ``t`` is the time the
    run reached and ``states`` the names of the states that caused it, where
    known.
    """

    def __init__(
        self, message: str, *, t: float | None = None, states: Iterable[str] = ()
    ) -> None:
        self.t = t
        self.states = tuple(states)
        super().__init__(message)


class StabilityWarning(UserWarning):
    """A quadratized system that is unstable off its invariant manifold.

    Issued by :func:`~analyzer.compile_circuit` when it adds stabilising terms
    (the system becomes stiff) or, with ``stabilise=False``, when it leaves an
    unstable lift as it is.
    """
