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
_NON_FINITE_STAND_IN = 1e30  # squares to 1e60: no float64 overflow in the norms
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
    g = np.asarray(golden, dtype=np.float64).ravel()
    m_raw = np.asarray(mine).ravel()
    with np.errstate(invalid="ignore"):
        overflow = int(np.count_nonzero((np.abs(g) > FP16_MAX) | ~np.isfinite(m_raw) | (np.abs(m_raw) > FP16_MAX)))
    # inf and NaN count as overflow above; the metrics see a huge finite value instead, so they stay defined
    m = np.nan_to_num(m_raw.astype(np.float64), nan=_NON_FINITE_STAND_IN, posinf=_NON_FINITE_STAND_IN,
                      neginf=-_NON_FINITE_STAND_IN)
    underflow = int(np.count_nonzero((np.abs(g) > 0) & (np.abs(g) < FP16_SMALLEST_NORMAL) & (m == 0)))
    diff = m - g
    norm_g, norm_m = float(np.linalg.norm(g)), float(np.linalg.norm(m))
    if norm_g == 0.0 and norm_m == 0.0:
        cosine = 1.0
    elif norm_g == 0.0 or norm_m == 0.0:
        cosine = 0.0
    else:
        cosine = float(np.dot(g, m) / (norm_g * norm_m))
    red = float(np.linalg.norm(diff) / norm_g) if norm_g else (0.0 if norm_m == 0.0 else float("inf"))
    nonzero = g != 0
    relative = np.abs(diff[nonzero]) / np.abs(g[nonzero])
    return LayerMetrics(
        cosine=cosine, red=red, kl=_kl_divergence(g, m), rmse=float(np.sqrt(np.mean(diff ** 2))) if g.size else 0.0,
        mre=float(relative.mean()) if relative.size else 0.0, max_abs=float(np.abs(diff).max()) if g.size else 0.0,
        max_rel=float(relative.max()) if relative.size else 0.0, fp16_overflow=overflow, fp16_underflow=underflow)


def _kl_divergence(golden: np.ndarray, mine: np.ndarray) -> float:
    p, q = np.abs(golden), np.abs(mine)
    if p.sum() == 0.0 or q.sum() == 0.0:
        return 0.0 if p.sum() == q.sum() else float("inf")
    p = np.maximum(p / p.sum(), _KL_FLOOR)
    q = np.maximum(q / q.sum(), _KL_FLOOR)
    return max(0.0, float(np.sum(p * np.log(p / q))))  # rounding can leave equal tensors a hair below 0
