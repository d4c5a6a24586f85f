"""The layer-by-layer comparison a failing accuracy check carries in its message, beside the pipeline diagnosis,
and the per-layer table and error heatmap the report shows for each live ONNX Runtime backend.

Computed at most once per backend per run: the same table serves every failing check of that backend.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from srcnn_support.errors import MissingRuntimeError, SrcnnGateError
from srcnn_support.layers.comparison import LayerComparison
from srcnn_support.layers.heatmap import save_error_heatmap
from srcnn_support.layers.live import LIVE_BACKENDS, backend_model, compare_live, reference_layers

HEATMAPS = "pictures-layers"  # under the report folder: one PNG per backend, its worst image's output error


class LayerDiagnoses:
    def __init__(self, accuracy, record: dict, report_dir: Path | None) -> None:
        self.accuracy = accuracy  # the AccuracySession: its cache, weights, images and --onnx / calibration options
        self.record = record  # the results recorder's ``meta.layers``: the report reads it
        self.report_dir = report_dir
        self._reference = None
        self._done: dict[str, LayerComparison] = {}

    def comparison(self, backend: str) -> LayerComparison | None:
        """None for a backend that does not run through ONNX Runtime here (.om, TensorRT, CUDA)."""
        if backend not in LIVE_BACKENDS:
            return None
        if backend not in self._done:
            session, options = self.accuracy, self.accuracy.options
            model = backend_model(backend, session.cache, session.weights, options.onnx, options.calibration_dir)
            if self._reference is None:
                self._reference = reference_layers(session.weights, session.images)
            comparison = compare_live(backend, model, session.images, self._reference, cache=session.cache,
                                      device=options.device_id)
            entry = comparison.to_dict()
            if self.report_dir is not None and comparison.worst_error is not None:
                picture = save_error_heatmap(comparison.worst_error, self.report_dir / HEATMAPS / f"{backend}.png")
                entry["heatmap"] = picture.relative_to(self.report_dir).as_posix()
            self.record[backend] = entry
            self._done[backend] = comparison
        return self._done[backend]

    def message(self, backend: str) -> str | None:
        try:
            comparison = self.comparison(backend)
        except MissingRuntimeError:
            return None
        except SrcnnGateError as exc:  # a given model the comparison cannot mark: say so, the check still fails
            return f"{backend}: layer by layer: not compared ({exc})"
        except Exception as exc:  # the explanation must never hide the failure it explains
            first = (str(exc).strip().splitlines() or [""])[0][:200]
            return f"{backend}: layer by layer: not compared ({type(exc).__name__}: {first})"
        return comparison.summary() if comparison else None


def with_first_divergence(explain: Callable[[str | None], str] | None, layer_diagnoses: LayerDiagnoses | None,
                          backend: str) -> Callable[[str | None], str] | None:
    """``explain`` (the pipeline diagnosis, image -> text) followed by the backend's first diverging layer."""
    if layer_diagnoses is None or backend not in LIVE_BACKENDS:
        return explain

    def both(image: str | None) -> str:
        parts = [explain(image)] if explain else []
        layers = layer_diagnoses.message(backend)
        return "\n".join(parts + ([layers] if layers else []))

    return both
