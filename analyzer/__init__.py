"""analyzer: analog differential analyzers, compiled to quadratic ODEs.

Wire integrators, adders, multipliers, gains, constants and a clock into a
graph; :func:`compile_circuit` lowers it to one quadratic system
y' = b + A y + Q(y, y); :func:`simulate` runs it with scipy.

Examples
--------
>>> from analyzer import Circuit, simulate
>>> c = Circuit()
>>> c.integrator("x", initial=1.0); c.integrator("v"); c.gain("minus", k=-1.0)
'x'
'v'
'minus'
>>> c.connect("v", "x"); c.connect("x", "minus"); c.connect("minus", "v")
>>> traj = simulate(c, (0.0, 3.141592653589793), rtol=1e-10, atol=1e-12)
>>> round(float(traj["x"][-1]), 8)
-1.0
"""

from analyzer.blocks import BLOCKS, BlockSpec
from analyzer.circuit import Circuit
from analyzer.compile import compile_circuit
from analyzer.errors import CircuitError, SimulationError, StabilityWarning
from analyzer.simulate import simulate
from analyzer.system import QuadraticSystem
from analyzer.trajectory import Trajectory

__version__ = "0.1.0"

__all__ = [
    "BLOCKS",
    "BlockSpec",
    "Circuit",
    "CircuitError",
    "QuadraticSystem",
    "SimulationError",
    "StabilityWarning",
    "Trajectory",
    "compile_circuit",
    "simulate",
]
