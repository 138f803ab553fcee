"""Small circuits that several test modules share (importable: tests is on the path)."""

from analyzer import Circuit


def oscillator(x0: float = 1.0) -> Circuit:
    """x'' = -x: integrators x and v in a loop through the gain ``minus``."""
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v")
    c.gain("minus", k=-1.0)
    c.connect("v", "x")
    c.connect("x", "minus")
    c.connect("minus", "v")
    return c
