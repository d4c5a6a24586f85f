"""GPTQ rounding against known cases: identity Hessian, correlated inputs, the grid it lands on."""
import numpy as np
import pytest

from srcnn_support.convert.rounding import gptq_round, input_hessian, sampled_patches


def _integers(rounded: np.ndarray, weight: np.ndarray, levels: int = 127) -> np.ndarray:
    scale = np.abs(weight).max(axis=1, keepdims=True) / levels
    return rounded / np.where(scale > 0, scale, 1.0)


def test_uncorrelated_inputs_give_round_to_nearest():
    weight = np.random.default_rng(0).normal(size=(4, 30))
    scale = np.abs(weight).max(axis=1, keepdims=True) / 127
    assert np.array_equal(gptq_round(weight, np.eye(30)), np.round(weight / scale) * scale)


def test_correlated_inputs_lose_far_less_output_than_round_to_nearest():
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(4000, 3)) @ rng.normal(size=(3, 40)) + 0.05 * rng.normal(size=(4000, 40))
    weight = rng.normal(size=(8, 40))
    scale = np.abs(weight).max(axis=1, keepdims=True) / 127
    nearest = np.round(weight / scale) * scale
    rounded = gptq_round(weight, input_hessian(inputs))
    error = lambda w: float(np.mean((inputs @ (w - weight).T) ** 2))  # noqa: E731
    assert error(rounded) < 0.2 * error(nearest)


def test_result_is_on_the_grid_the_quantizer_will_derive():
    rng = np.random.default_rng(2)
    weight = rng.normal(size=(6, 50))
    weight[3] = 0.0
    inputs = rng.normal(size=(500, 50)) + rng.normal(size=(500, 1))
    rounded = gptq_round(weight, input_hessian(inputs))
    integers = _integers(rounded, weight)
    assert np.allclose(integers, np.round(integers), atol=1e-9)
    assert np.abs(np.round(integers)).max() <= 127
    assert np.array_equal(np.abs(integers[[0, 1, 2, 4, 5]]).max(axis=1).round(), [127] * 5)  # same max -> same scale
    assert not rounded[3].any()


def test_patches_are_windows_in_weight_order():
    activation = np.arange(2 * 4 * 4, dtype=np.float64).reshape(2, 4, 4)
    patches = sampled_patches(activation, 3, 16, np.random.default_rng(0))
    padded = np.pad(activation, ((0, 0), (1, 1), (1, 1)))
    expected = {padded[:, y:y + 3, x:x + 3].reshape(-1).tobytes() for y in range(4) for x in range(4)}
    assert patches.shape == (16, 18)
    assert {p.tobytes() for p in patches} == expected  # all 16 positions, channel-major like a weight row


def test_more_patches_than_pixels_takes_every_pixel_once():
    assert sampled_patches(np.ones((1, 2, 2)), 3, 100, np.random.default_rng(0)).shape == (4, 9)


def test_damping_keeps_a_rank_deficient_hessian_invertible():
    h = input_hessian(np.ones((10, 5)))
    assert np.linalg.cond(h) < 1e4
    assert h[0, 1] == pytest.approx(1.0)
