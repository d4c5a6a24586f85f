"""msit's per-tensor comparison metrics and its thresholds, plus fp16 overflow and underflow counts.

Sources (Ascend/msit):
- ``msit/examples/cli/debug/compare/result_analyse/README.md`` (README_EN.md): the result columns
  CosineSimilarity, RelativeEuclideanDistance, KullbackLeiblerDivergence, RootMeanSquareError,
  MeanRelativeError, MaxAbsoluteError, MaxRelativeError, and "the reference standard for normal
  precision": cosine > 0.99, RED < 0.05, KL < 0.005, RMSE < 1.0, MRE < 1.0. A value on the wrong side of
  any of them makes the operator anomalous; ``MSIT_THRESHOLDS`` holds exactly these.
- the same page, "Expert advice": fp16 overflow is detected on float16 data and reported before anything else.

Each metric compares "my output" (the backend) with the "ground truth" (PyTorch), flattened:
cosine = <m, g> / (|m| |g|); RED = |m - g| / |g|; RMSE = sqrt(mean((m - g)^2)); max abs = max |m - g|;
mean / max relative error = mean / max of |m - g| / |g| over the elements where g != 0 (a ReLU's zeros leave
the relative error undefined, msit leaves them out too). KL: msit's pages name it without a formula; here it
is KL(P_g || P_m) over the magnitudes normalised to sum 1, which is 0 for equal tensors and grows as the
mass of the two moves apart.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

FP16_MAX = 65504.0  # the largest finite float16
FP16_SMALLEST_NORMAL = 2.0 ** -14  # below it float16 keeps only subnormals, which fp16 devices often flush to zero
_KL_FLOOR = 1e-12  # keeps log() finite where one tensor has mass and the other none


@dataclass(frozen=True)
class LayerMetrics:
    cosine: float
    red: float
    kl: float
    rmse: float
    mre: float
    max_abs: float
    max_rel: float
    fp16_overflow: int  # elements beyond float16's range: either side's beyond 65504, or the backend's inf / NaN
    fp16_underflow: int  # reference values below float16's smallest normal that the backend returned as 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    """A row is anomalous past any of these (msit's column names in ``exceeded``)."""

    min_cosine: float = 0.99
    max_red: float = 0.05
    max_kl: float = 0.005
    max_rmse: float = 1.0
    max_mre: float = 1.0

    def exceeded(self, metrics: LayerMetrics) -> list[str]:
        """msit's names of the metrics past their threshold; a NaN (a metric a record leaves empty) is skipped,
        as msit's analyser skips it."""
        checks = [("CosineSimilarity", metrics.cosine, self.min_cosine, True),
                  ("RelativeEuclideanDistance", metrics.red, self.max_red, False),
                  ("KullbackLeiblerDivergence", metrics.kl, self.max_kl, False),
                  ("RootMeanSquareError", metrics.rmse, self.max_rmse, False),
                  ("MeanRelativeError", metrics.mre, self.max_mre, False)]
        past = [name for name, value, limit, higher_is_better in checks
                if not math.isnan(value) and not (value > limit if higher_is_better else value < limit)]
        if metrics.fp16_overflow:
            past.append("OverFlow")
        return past


MSIT_THRESHOLDS = Thresholds()
# An fp32 backend computes what PyTorch computes, up to the order of its sums: on the project's weights and Set5
# the fp32 ONNX Runtime model's RED is at most 4.4e-7 at any layer, the fp16 build's at least 8.6e-5 (conv3) and
# 4.4e-4 (relu1). msit's RED < 0.05 lets a converter that scales one layer's weights by 5% through (RED 0.049 at
# conv2); an fp32 backend is held to RED < 1e-4 instead, which that fault breaks at conv2 and rounding never does.
EXACT_MAX_RED = 1e-4


def thresholds_for(precision: str) -> Thresholds:
    """msit's thresholds, with the relative Euclidean distance tightened for an fp32 backend (``EXACT_MAX_RED``)."""
    return replace(MSIT_THRESHOLDS, max_red=EXACT_MAX_RED) if precision == "fp32" else MSIT_THRESHOLDS


def layer_metrics(golden: np.ndarray, mine: np.ndarray) -> LayerMetrics:
    # A Set5 layer holds up to 21 M values: every pass runs in float32 on torch's threads. The difference of two
    # float32 values this close is exact, so the RED and RMSE of an fp32 backend keep their digits.
    import torch

    g = torch.from_numpy(np.ascontiguousarray(golden, dtype=np.float32).ravel())
    m = torch.from_numpy(np.ascontiguousarray(mine, dtype=np.float32).ravel())
    if g.numel() == 0:
        return LayerMetrics(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0)
    abs_g = g.abs()
    if not bool(torch.isfinite(m).all()):  # a value past float16's range stands in for inf and NaN: overflow
        m = torch.nan_to_num(m, nan=2 * FP16_MAX, posinf=2 * FP16_MAX, neginf=-2 * FP16_MAX)
    abs_m = m.abs()
    larger = torch.maximum(abs_g, abs_m)
    overflow = int((larger > FP16_MAX).sum()) if float(larger.max()) > FP16_MAX else 0  # the stand-ins included
    nonzero = g != 0
    underflow = int(((abs_g < FP16_SMALLEST_NORMAL) & nonzero & (m == 0)).sum())
    diff = m - g

    def total(x) -> float:
        return float(x.sum())  # torch's cascade sum: 3e-8 relative over 21 M float32 values (BLAS's dot: 2e-4)

    gg, mm, dd = total(g * g), total(m * m), total(diff * diff)
    if gg == 0.0 or mm == 0.0:
        cosine = 1.0 if gg == mm else 0.0
    else:  # <g, m> = (|g|^2 + |m|^2 - |m - g|^2) / 2: one product less over the tensor
        cosine = max(-1.0, min(1.0, (gg + mm - dd) / (2 * math.sqrt(gg * mm))))
    red = math.sqrt(dd / gg) if gg else (0.0 if mm == 0.0 else math.inf)
    abs_diff = diff.abs_()
    count = int(nonzero.sum())
    relative = torch.where(nonzero, abs_diff / abs_g, 0.0)  # 0 / 0 and x / 0 where g == 0 are masked out
    return LayerMetrics(
        cosine=cosine, red=red, kl=_kl_divergence(abs_g, abs_m, total), rmse=math.sqrt(dd / g.numel()),
        mre=total(relative) / count if count else 0.0, max_abs=float(abs_diff.max()),
        max_rel=float(relative.max()) if count else 0.0, fp16_overflow=overflow, fp16_underflow=underflow)


def _kl_divergence(abs_golden, abs_mine, total) -> float:
    """KL(P || Q) with P = a / A, Q = b / B, as sum(a log(a / b)) / A + log(B / A): one log over the tensor."""
    total_p, total_q = total(abs_golden), total(abs_mine)
    if total_p == 0.0 or total_q == 0.0:
        return 0.0 if total_p == total_q else math.inf
    a = abs_golden.clamp(min=_KL_FLOOR * total_p)
    ratio = (a / abs_mine.clamp(min=_KL_FLOOR * total_q)).log_()
    kl = total(ratio.mul_(a)) / total_p + math.log(total_q / total_p)
    return max(0.0, kl)  # rounding can leave equal tensors a hair below 0
