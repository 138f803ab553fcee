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


def van_der_pol(x0: float = 2.0, v0: float = 0.0, w: float = 1.0) -> Circuit:
    """x' = w·v, v' = v - x - x²·v (van der Pol, μ = 1, with the wire v→x weighted)."""
    c = Circuit()
    c.integrator("x", initial=x0)
    c.integrator("v", initial=v0)
    c.multiplier("x2")
    c.multiplier("x2v")
    c.adder("acc")
    c.connect("x", "x2", port="a")
    c.connect("x", "x2", port="b")
    c.connect("x2", "x2v", port="a")
    c.connect("v", "x2v", port="b")
    c.connect("v", "x", weight=w)
    c.connect("v", "acc")
    c.connect("x2v", "acc", weight=-1.0)
    c.connect("x", "acc", weight=-1.0)
    c.connect("acc", "v")
    return c


def blow_up(y0: float = 1.0) -> Circuit:
    """y' = y², y(0) = y0: y = y0/(1 - y0·t), which blows up at t = 1/y0."""
    c = Circuit()
    c.integrator("y", initial=y0)
    c.multiplier("y2")
    c.connect("y", "y2")
    c.connect("y", "y2")
    c.connect("y2", "y")
    return c


def add_cube(c: Circuit, x: str) -> str:
    """Add multipliers ``x2`` = x·x and ``x3`` = x2·x to ``c``; return ``x3``'s name."""
    c.multiplier(f"{x}2")
    c.multiplier(f"{x}3")
    c.connect(x, f"{x}2")
    c.connect(x, f"{x}2")
    c.connect(f"{x}2", f"{x}3")
    c.connect(x, f"{x}3")
    return f"{x}3"
