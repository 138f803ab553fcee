"""Strip-chart and X–Y plots of trajectories (analyzer.plot).

The plots draw on bare matplotlib Figures, so no GUI backend is involved.
"""

import numpy as np
import pytest
from builders import oscillator
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from analyzer import simulate
from analyzer.plot import plot_phase, plot_trajectory
from circuits.bessel import build as bessel

T = np.linspace(0.0, 6.0, 61)
EPS = np.finfo(float).eps
# Tolerances (issue 10): the oscillator is a rotation, so the local errors
# (≤ rtol 1e-10 × |x| ≤ 1 a step) add up without growth: 1e-10 × steps (21)
# = 2.1e-9 on x and v.  Measured 1.7e-10 on x, 3.4e-10 on x² + v² (bound 2 ×
# 2.1e-9), margin 12×


@pytest.fixture(scope="module")
def traj():
    return simulate(oscillator(), (0.0, 6.0), t_eval=T, rtol=1e-10, atol=1e-12)


@pytest.fixture(scope="module")
def batch():
    x0 = np.array([1.0, 0.5, -0.25])
    return simulate(oscillator(), (0.0, 6.0), t_eval=T, initial={"x": x0})


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def segment_patches(ax):
    return [p for p in ax.patches if p.get_gid() == "segment"]


def test_default_is_every_integrator_with_labels_and_legend(traj):
    ax = plot_trajectory(traj)
    assert [line.get_label() for line in ax.get_lines()] == ["v", "x"]
    assert ax.get_xlabel() == "t"
    assert ax.get_ylabel() == "signal"
    assert legend_texts(ax) == ["v", "x"]
    x_line = ax.get_lines()[1]
    np.testing.assert_array_equal(x_line.get_xdata(), traj.t)
    np.testing.assert_array_equal(x_line.get_ydata(), traj["x"])
    # (the former atol 1e-8 came with assert_allclose's hidden rtol 1e-7)
    tol = 1e-10 * traj.stats["steps"]
    np.testing.assert_allclose(x_line.get_ydata(), np.cos(T), rtol=0, atol=tol)


def test_default_skips_the_clock_and_algebraic_blocks():
    run = simulate(bessel(), (1.0, 3.0), t_eval=np.linspace(1.0, 3.0, 21))
    ax = plot_trajectory(run)
    assert legend_texts(ax) == ["L", "p", "r", "y"]


def test_named_blocks_of_any_kind_in_the_order_given(traj):
    ax = plot_trajectory(traj, "minus", "x")
    assert len(ax.get_lines()) == 2
    assert legend_texts(ax) == ["minus", "x"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), traj["minus"])


def test_batched_run_one_line_per_member_one_legend_entry_per_block(batch):
    assert batch["x"].shape == (3, len(T))
    ax = plot_trajectory(batch, "x", "v")
    lines = ax.get_lines()
    assert len(lines) == 6
    assert legend_texts(ax) == ["x", "v"]
    for i in range(3):
        np.testing.assert_array_equal(lines[i].get_ydata(), batch["x"][i])
        np.testing.assert_array_equal(lines[3 + i].get_ydata(), batch["v"][i])
    x_colors = {to_hex(line.get_color()) for line in lines[:3]}
    v_colors = {to_hex(line.get_color()) for line in lines[3:]}
    assert len(x_colors) == 1 and len(v_colors) == 1 and x_colors != v_colors


def test_draws_into_a_given_axes(traj):
    ax = Figure().add_subplot()
    ax.plot([0.0, 1.0], [0.0, 1.0])
    assert plot_trajectory(traj, "x", ax=ax) is ax
    assert len(ax.get_lines()) == 2
    assert plot_phase(traj, "x", "v", ax=ax) is ax
    assert len(ax.get_lines()) == 4


def test_segments_of_a_scheduled_run_are_shaded_and_labelled(traj):
    segments = [(0.0, 2.0, "operate"), (2.0, 3.5, "hold"), (3.5, 6.0, "operate")]
    stats = traj.stats
    traj.stats = {**stats, "segments": segments}
    try:
        ax = plot_trajectory(traj)
    finally:
        traj.stats = stats
    patches = segment_patches(ax)
    assert len(patches) == 3
    for patch, (start, end, _) in zip(patches, segments, strict=True):
        xy = patch.get_patch_transform().transform(patch.get_path().vertices)
        # the unit path scaled and shifted into data x (≤ 6): a few roundings,
        # 4 eps × 6 allowed; measured exact (approx() alone hid rel 1e-6)
        assert (xy[:, 0].min(), xy[:, 0].max()) == pytest.approx(
            (start, end), abs=4 * EPS * 6.0
        )
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "segment label"]
    assert labels == ["operate", "hold", "operate"]
    assert len(ax.get_lines()) == 2  # shading adds no lines


def test_no_shading_without_segments(traj):
    assert segment_patches(plot_trajectory(traj)) == []


def test_unknown_block_is_a_key_error_naming_it(traj):
    with pytest.raises(KeyError, match="'nope'"):
        plot_trajectory(traj, "x", "nope")
    with pytest.raises(KeyError, match="'nope'"):
        plot_phase(traj, "x", "nope")


def test_phase_plot_data_are_the_trajectory_arrays(traj):
    ax = plot_phase(traj, "x", "v")
    curve, start = ax.get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), traj["x"])
    np.testing.assert_array_equal(curve.get_ydata(), traj["v"])
    assert (start.get_xdata()[0], start.get_ydata()[0]) == (1.0, 0.0)
    assert start.get_marker() == "o"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "v")
    assert ax.get_aspect() == "auto"
    # The circle test: x² + v² stays 1 along the pen's path, within 2 × the
    # rotation's bound (assert_allclose's hidden default was rtol 1e-7)
    tol = 2 * 1e-10 * traj.stats["steps"]
    radius2 = curve.get_xdata() ** 2 + curve.get_ydata() ** 2
    np.testing.assert_allclose(radius2, 1.0, rtol=0, atol=tol)


def test_phase_plot_equal_aspect(traj):
    assert plot_phase(traj, "x", "v", equal_aspect=True).get_aspect() == 1.0


def test_phase_plot_of_a_batch_one_curve_and_start_per_member(batch):
    ax = plot_phase(batch, "x", "v")
    *curves, starts = ax.get_lines()
    assert len(curves) == 3
    for i, curve in enumerate(curves):
        np.testing.assert_array_equal(curve.get_xdata(), batch["x"][i])
        np.testing.assert_array_equal(curve.get_ydata(), batch["v"][i])
    np.testing.assert_array_equal(starts.get_xdata(), [1.0, 0.5, -0.25])
    np.testing.assert_array_equal(starts.get_ydata(), [0.0, 0.0, 0.0])
