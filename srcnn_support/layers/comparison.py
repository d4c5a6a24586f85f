"""One backend against PyTorch at every layer boundary: the rows, the first layer past a threshold, and the
run classified in msit's words.

msit (``msit/examples/cli/debug/compare/result_analyse/README.md``, "Expert advice") tells three outcomes apart:
- global consistency: some tensors are past the thresholds "and the final accuracy is unqualified";
- single-point error: a tensor is past the thresholds "while the final accuracy is qualified";
- all data in the comparison result meets the accuracy requirements.
Here they read ``global``, ``single-point`` and ``clean``; the final output is conv3.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from srcnn_support.layers.capture import LAYERS, OUTPUT_LAYER
from srcnn_support.layers.metrics import MSIT_THRESHOLDS, LayerMetrics, Thresholds, layer_metrics, thresholds_for

CLASSIFICATIONS = {
    "global": "global: the error carries to the final output (msit: global consistency, final accuracy unqualified)",
    "single-point": "single-point: a layer is off but the final output is within the thresholds (msit: single-point "
                    "error)",
    "clean": "clean: all data in the comparison result meets the accuracy requirements (msit)",
}


@dataclass(frozen=True)
class LayerRow:
    layer: str
    metrics: LayerMetrics
    exceeded: tuple[str, ...]
    compared_at: str  # the layer whose reference value it is held to: itself, or the last layer of a fused group
    source: str = ""  # the recorded operator or file behind the row, when it came from a record

    @property
    def label(self) -> str:
        return self.layer if self.compared_at == self.layer else f"{self.layer}+{self.compared_at}"

    def to_dict(self) -> dict:
        return {"layer": self.layer, "compared_at": self.compared_at, "exceeded": list(self.exceeded),
                "source": self.source, **{k: _plain(v) for k, v in self.metrics.to_dict().items()}}


@dataclass
class LayerComparison:
    backend: str
    precision: str
    rows: list[LayerRow]
    thresholds: Thresholds
    final_output_change: float | None = None  # unmodified model vs conv3 with outputs added; None: not run here
    worst_image: str | None = None
    worst_error: np.ndarray | None = field(default=None, repr=False)  # backend - PyTorch at the output, that image
    images: int = 0  # how many images the layers were compared on (0: a record that does not say)

    @property
    def first_divergence(self) -> str | None:
        return next((row.layer for row in self.rows if row.exceeded), None)

    @property
    def classification(self) -> str:
        if self.first_divergence is None:
            return "clean"
        final = next((row for row in self.rows if row.compared_at == OUTPUT_LAYER), None)
        return "global" if final is None or final.exceeded else "single-point"

    def summary(self) -> str:
        """One line for a failure message: where the error enters and what it does."""
        first = self.first_divergence
        if first is None:
            return f"{self.backend}: layer by layer, no layer past its thresholds ({self.classification})"
        row = next(r for r in self.rows if r.layer == first)
        clean = [r.layer for r in self.rows[:self.rows.index(row)]]
        where = f" at {row.source}" if row.source else ""
        return (f"{self.backend}: first diverging layer {row.label}{where} ({', '.join(row.exceeded)}; cosine "
                f"{row.metrics.cosine:.6f}, RED {row.metrics.red:.3g}, max abs {row.metrics.max_abs:.3g}); "
                f"clean before it: {', '.join(clean) or 'none'}; {self.classification}")

    def lines(self) -> list[str]:
        tightened = "" if self.thresholds.max_red == MSIT_THRESHOLDS.max_red else f", RED < {self.thresholds.max_red:g}"
        on = f" on {self.images} image{'' if self.images == 1 else 's'}" if self.images else ""
        out = [f"{self.backend} ({self.precision}) against pytorch{on}, per layer (thresholds: msit's{tightened})",
               f"{'layer':<12} {'cosine':>10} {'RED':>10} {'KL':>10} {'RMSE':>10} {'MRE':>10} {'max abs':>10} "
               f"{'max rel':>10} {'fp16 ovf':>8} {'fp16 unf':>8}  verdict"]
        for row in self.rows:
            m = row.metrics
            verdict = "past: " + ", ".join(row.exceeded) if row.exceeded else "ok"
            out.append(f"{row.label:<12} {m.cosine:>10.6f} {m.red:>10.3g} {m.kl:>10.3g} {m.rmse:>10.3g} {m.mre:>10.3g} "
                       f"{m.max_abs:>10.3g} {m.max_rel:>10.3g} {m.fp16_overflow:>8} {m.fp16_underflow:>8}  {verdict}")
        if self.final_output_change is not None:
            out.append("adding the layer outputs left the final output unchanged" if self.final_output_change == 0.0
                       else f"adding the layer outputs changed the final output: max abs {self.final_output_change:.3g}"
                            " against the unmodified model")
        out.append(CLASSIFICATIONS[self.classification])
        out.append(f"first divergence: {self.first_divergence or 'none'}")
        return out

    def to_dict(self) -> dict:
        return {"backend": self.backend, "precision": self.precision, "rows": [r.to_dict() for r in self.rows],
                "first_divergence": self.first_divergence, "classification": self.classification,
                "final_output_change": _plain(self.final_output_change), "worst_image": self.worst_image,
                "images": self.images,
                "thresholds": vars(self.thresholds)}


def compare_captured(backend: str, precision: str, golden: dict[str, np.ndarray], mine: dict[str, np.ndarray],
                     compared_at: dict[str, str], image_names: list[str],
                     final_output_change: float | None = None) -> LayerComparison:
    """``golden`` / ``mine``: layer -> N x C x H x W over the same N images (``mine`` may hold only some layers:
    a record of fused operators); ``compared_at``: layer -> the reference layer it is held to."""
    thresholds = thresholds_for(precision)
    rows = []
    for layer in (layer for layer in LAYERS if layer in mine):
        metrics = layer_metrics(golden[compared_at[layer]], mine[layer])
        rows.append(LayerRow(layer, metrics, tuple(thresholds.exceeded(metrics)), compared_at[layer]))
    comparison = LayerComparison(backend, precision, rows, thresholds, final_output_change, images=len(image_names))
    if OUTPUT_LAYER in mine and mine[OUTPUT_LAYER].ndim == 4:
        error = mine[OUTPUT_LAYER][:, 0] - golden[OUTPUT_LAYER][:, 0]
        worst = int(np.argmax(np.sqrt(np.mean(np.nan_to_num(error) ** 2, axis=(1, 2)))))
        comparison.worst_image, comparison.worst_error = image_names[worst], error[worst]
    return comparison


def _plain(value):
    """JSON has no NaN or Infinity: a metric a record left empty, or an overflowed one, is written as null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value
