"""Cost against image size: ``pytest -m perf --sizes 64,256,1024`` times every CPU backend at each square size and
on the dataset's full-size images (perf/size_cost.py). Recorded in the results JSON (``meta.size_cost``) and the
report (table, MPix/s and peak memory against pixels, fitted exponent); never gated. Without ``--sizes`` these
tests are set aside, not skipped one by one.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from srcnn_support.perf.contention import measure_alone
from srcnn_support.perf.size_cost import full_size_row, size_row, time_full_size, time_one_size
from srcnn_support.plugin.fixtures import backend_faults_fail_the_test
from srcnn_support.prepare.imaging import crop_to_scale, degrade, load_rgb, network_input
from srcnn_support.score.fullsize import TILE, WHOLE_IMAGE_PIXELS
from srcnn_support.score.fullsize import bounded_inference as whole_or_tiled

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("alone_on_host")]

CPU_BACKENDS = ("pytorch", "onnxruntime", "onnxruntime-fp16", "onnxruntime-int8")


@pytest.fixture(scope="session")
def image_sizes(gate, perf_target):
    if perf_target.measurement != "harness" or perf_target.name != "cpu":
        pytest.skip(f"--sizes times the CPU backends; target {perf_target.name} is timed by its own rules")
    return gate.sizes


def _square_input(source, side: int) -> np.ndarray:
    """The first dataset photo resized to side x side, degraded and converted as the full-size protocol does."""
    picture = load_rgb(source).resize((side, side), Image.BICUBIC)
    return network_input(degrade(crop_to_scale(picture)))


def _path(runner, plane: np.ndarray) -> str:
    static = getattr(runner, "static_dims", (None, None, None))
    if static[1] is not None and static[1:] != plane.shape:
        return f"tiled to the model's fixed {static[1]} x {static[2]}"
    return "whole image" if plane.size <= WHOLE_IMAGE_PIXELS else f"tiled {TILE} x {TILE} (full-size protocol)"


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_cost_against_image_size(backend, image_sizes, gate, perf_target, perf_variant_runner, recorder):
    squares = [(f"{side}x{side}", _square_input(gate.dataset.files[0], side)) for side in image_sizes]
    full_size = [network_input(degrade(crop_to_scale(load_rgb(path)))) for path in gate.dataset.files] \
        if gate.dataset.directory is not None else []  # the user's pictures, as the full-size protocol feeds them
    with backend_faults_fail_the_test(recorder, perf_target.name, backend, 1), \
            perf_variant_runner(backend).runner as runner:
        def infer(plane):
            return whole_or_tiled(runner, plane)

        def square(label, plane):
            timed = measure_alone(lambda: time_one_size(infer, plane))
            return {**size_row(backend, label, *plane.shape, *timed.value, _path(runner, plane)), **timed.as_row()}

        def full_size_pass(label, planes):
            timed = measure_alone(lambda: time_full_size(infer, planes))
            paths = " / ".join(sorted({_path(runner, plane) for plane in planes}))
            return {**full_size_row(backend, label, planes, *timed.value, paths), **timed.as_row()}

        jobs = [(plane.size, square, label, plane) for label, plane in squares]
        if full_size:
            jobs.append((max(p.size for p in full_size), full_size_pass,
                         f"full-size {gate.dataset.label} ({len(full_size)} images)", full_size))
        # smallest first: memory an allocator keeps after a larger image would otherwise count as a smaller one's peak
        rows = [measure(label, what) for _, measure, label, what in sorted(jobs, key=lambda job: job[0])]
    recorder.meta.size_cost.extend(rows)
    assert all(np.isfinite(row["images_per_s"]) and row["images_per_s"] > 0 for row in rows)
