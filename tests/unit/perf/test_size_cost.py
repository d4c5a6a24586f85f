"""Cost against image size: the exponent fitted to synthetic timings, the memory sampler, the size list."""
from __future__ import annotations

import numpy as np
import pytest

from srcnn_support.errors import SrcnnGateError
from srcnn_support.perf.size_cost import (
    PeakResident,
    exponents,
    fitted_exponent,
    full_size_row,
    parse_sizes,
    size_row,
)
from srcnn_support.report.size_blocks import size_cost_blocks


def _rows(backend: str, exponent: float, sides=(64, 256, 1024)) -> list[dict]:
    memory = PeakResident()
    memory.before, memory.peak = 100, 200
    return [size_row(backend, f"{s}x{s}", s, s, [1e-7 * (s * s) ** exponent] * 3, memory, "whole image")
            for s in sides]


def test_linear_cost_fits_an_exponent_of_one_and_quadratic_of_two():
    assert fitted_exponent(_rows("linear", 1.0)) == pytest.approx(1.0, abs=1e-9)
    assert fitted_exponent(_rows("quadratic", 2.0)) == pytest.approx(2.0, abs=1e-9)
    assert fitted_exponent(_rows("one", 1.0, sides=(64,))) is None
    both = exponents(_rows("a", 1.0) + _rows("b", 1.3))
    assert list(both) == ["a", "b"] and both["b"] == pytest.approx(1.3)


def test_a_row_counts_megapixels_per_second_of_output():
    row = _rows("linear", 1.0, sides=(1000,))[0]
    assert row["pixels"] == 1_000_000 and row["mpix_per_s"] == pytest.approx(10.0)
    assert row["images_per_s"] == pytest.approx(10.0) and row["latency_cv"] == 0


def test_full_size_images_make_one_row_over_the_whole_pass():
    planes = [np.zeros((100, 200), np.float32), np.zeros((300, 100), np.float32)]
    memory = PeakResident()
    row = full_size_row("onnxruntime", "full-size Set5 (2 images)", planes, [0.02, 0.03], memory, "whole image")
    assert row["images_per_s"] == pytest.approx(40.0) and row["mpix_per_s"] == pytest.approx(1.0)
    assert row["pixels"] == 25_000 and row["height"] is None
    assert fitted_exponent([row]) is None  # a full-size pass is shown, not fitted


def test_peak_resident_memory_sees_an_allocation_made_and_freed_inside_the_block():
    with PeakResident(period_s=0.001) as memory:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block.sum()
        del block
    assert memory.peak - memory.before >= 48 * 2**20


@pytest.mark.parametrize("text", ["64,abc", "64,,256", "8", "-64", "64.5"])
def test_a_size_that_is_not_a_square_side_is_refused_naming_it(text):
    with pytest.raises(SrcnnGateError, match=r"--sizes: .* is not a square side between 16 and 8192 pixels"):
        parse_sizes(text)


def test_sizes_are_read_in_order_once_each():
    assert parse_sizes("64, 256,1024,64") == (64, 256, 1024)
    assert parse_sizes(None) == () and parse_sizes("") == ()


def test_the_report_section_has_the_table_the_exponents_and_the_plot(tmp_path):
    blocks = size_cost_blocks(_rows("onnxruntime", 1.02) + _rows("pytorch", 1.4), tmp_path)
    table = blocks[1]
    assert table.rows[0][:3] == ["onnxruntime", "64x64", "4,096"]
    assert "onnxruntime: time per image ~ pixels^1.02, about linear in the pixels" in blocks[2]
    assert "pytorch: time per image ~ pixels^1.40, faster than the pixels grow" in blocks[2]
    assert blocks[3].path.is_file() and blocks[3].path.stat().st_size > 1000
    assert size_cost_blocks([], tmp_path) == []
