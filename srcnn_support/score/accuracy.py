"""Everything the accuracy gate measures, computed once per backend and kept apart from the verdicts."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from srcnn_support.backends.base import Runner, RunnerInfo
from srcnn_support.backends.factory import RunnerOptions, make_runner
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert.atc import DEFAULT_PRECISION_MODE
from srcnn_support.errors import SrcnnGateError
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.prepare.prep import PreparedImage
from srcnn_support.score.evaluate import ImageScore, max_abs_difference, run_images, score_image

MAX_STANDARD_PSNR_DROP_DB = 0.1  # quantized vs fp32, mean over the dataset
MAX_ABS_TOLERANCE = 1e-4
RELATIVE_TOLERANCE = 0.01
MIN_MEAN_GAIN_OVER_BICUBIC_DB = 1.5


def equality_rule(backend: str, precision_mode: str, precision: str = "fp32") -> str:
    """``max_abs`` (fp32: 1e-4 to PyTorch) or ``psnr`` for an artifact built in a reduced precision.

    ATC's default ``force_fp16`` rounds weights and activations to fp16 (max-abs about 1e-3 on
    SRCNN's outputs) while the PSNR moves by hundredths of a percent, and so does an fp16 TensorRT
    engine or OpenVINO in bf16; such an artifact is held to the guide's PSNR rule and its max-abs is reported.
    """
    from srcnn_support.convert.atc import keeps_fp32

    if backend == "ascend-om" and not keeps_fp32(precision_mode):
        return "psnr"
    return "psnr" if precision in ("fp16", "bf16") else "max_abs"


@dataclass
class BackendOutcome:
    backend: str
    info: RunnerInfo
    natural: dict[str, np.ndarray] = field(repr=False)
    guide: dict[str, np.ndarray] = field(repr=False)
    scores: dict[str, ImageScore] = field(default_factory=dict)


@dataclass(frozen=True)
class AccuracyOptions:
    soc_version: str | None = None
    precision_mode: str = DEFAULT_PRECISION_MODE
    device_id: int = 0
    batch_size: int = 1
    calibration_dir: Path | None = None
    calibration_looked: tuple[str, ...] = ()
    given_om: tuple[tuple[int, Path], ...] = ()
    onnx: Path | None = None


class AccuracySession:
    """Lazily runs each backend over the prepared images; a missing runtime raises MissingRuntimeError."""

    def __init__(self, cache: ArtifactCache, weights: Path, images: list[PreparedImage],
                 options: AccuracyOptions = AccuracyOptions()) -> None:
        self.cache = cache
        self.weights = Path(weights)
        self.images = images
        self.options = options
        self._outcomes: dict[str, BackendOutcome] = {}
        self._full_size: dict[str, list] = {}
        from srcnn_support.score.fullsize import FullSizeImages

        self.full_size_images = FullSizeImages()  # prepared once, shared by every backend's full-size pass
        self._failures: dict[str, Exception] = {}
        self.diagnoses = None  # a FailureDiagnoses when failures should say which porting mistake explains them
        self.layer_diagnoses = None  # a LayerDiagnoses when failures should also name the first diverging layer

    @cached_property
    def reference(self) -> BackendOutcome:
        """The live reference: the reference script's semantics in PyTorch on the same data and weights."""
        return self.outcome("pytorch")

    def outcome(self, backend: str) -> BackendOutcome:
        if backend in self._failures:
            raise self._failures[backend]
        if backend not in self._outcomes:
            try:
                self._outcomes[backend] = self._run(backend)
            except Exception as exc:
                self._failures[backend] = exc
                raise
        return self._outcomes[backend]

    def _run(self, backend: str) -> BackendOutcome:
        runner, fixed_batch = self._make_runner(backend)
        with runner:
            batch = self.options.batch_size
            natural = run_images(runner, self.images, Layout.NATURAL, batch, fixed_batch)
            guide = run_images(runner, self.images, Layout.GUIDE, batch, fixed_batch)
            info = runner.info()
        outcome = BackendOutcome(backend, info, natural, guide)
        outcome.scores = {img.name: score_image(img, natural[img.name], guide[img.name]) for img in self.images}
        return outcome

    def _make_runner(self, backend: str) -> tuple[Runner, bool]:
        options = RunnerOptions(self.options.soc_version, self.options.precision_mode, self.options.device_id,
                                calibration_dir=self.options.calibration_dir,
                                calibration_looked=self.options.calibration_looked, given_om=self.options.given_om,
                                onnx=self.options.onnx)
        built = make_runner(backend, self.cache, self.weights, self.options.batch_size, options)
        return built.runner, built.fixed_batch

    def full_size(self, backend: str, files: list[Path]) -> list:
        """The usual SR benchmark protocol (full-size images) for one backend; cached per session."""
        from srcnn_support.backends.tiling import fixed_shape_inference
        from srcnn_support.score.fullsize import evaluate_files

        if backend not in self._full_size:
            runner, fixed_batch = self._make_runner(backend)
            with runner:
                # a fixed-shape model (.om) sees the image as 256 x 256 tiles with an exact halo (backends/tiling.py)
                infer = fixed_shape_inference(runner.infer, getattr(runner, "batch_size", 1)) if fixed_batch else None
                self._full_size[backend] = evaluate_files(runner, files, infer=infer, images=self.full_size_images)
        return self._full_size[backend]

    def full_size_output(self, backend: str, path: Path) -> np.ndarray:
        """One full-size image's network output, by the same path the protocol takes (whole, or tiles)."""
        from srcnn_support.score.fullsize import bounded_inference

        runner, fixed_batch = self._make_runner(backend)
        if fixed_batch:
            raise SrcnnGateError(backend, "full-size outputs are compared for free-shape backends only")
        with runner:
            return bounded_inference(runner, self.full_size_images.get(path).plane)

    def max_abs_vs_reference(self, backend: str, image: str, layout: Layout) -> float:
        mine, ref = self.outcome(backend), self.reference
        if layout is Layout.GUIDE:
            return max_abs_difference(mine.guide[image], ref.guide[image])
        return max_abs_difference(mine.natural[image], ref.natural[image])


@dataclass(frozen=True)
class PublishedTable:
    weights_md5: str
    reference_script: dict[str, float]

    @classmethod
    def load(cls, path: Path) -> "PublishedTable":
        data = json.loads(Path(path).read_text())
        rows = data["images"]
        return cls(data["weights_md5"], {k: v["reference_script"] for k, v in rows.items()})


def broken_backend_reason(backend: str, exc: BaseException) -> str:
    """One line for a backend whose runtime or tool failed: its tests fail with it, the others go on."""
    cause = str(exc) if isinstance(exc, SrcnnGateError) else f"{type(exc).__name__}: {exc}"
    first = cause.strip().splitlines()[0] if cause.strip() else type(exc).__name__
    return f"{backend}: backend broken: {first}"


def reference_columns(reference: ImageScore) -> dict:
    """The live reference beside a subject's row: the value the 1% rule compares with (PyTorch run the guide's
    way), the reference script's value, and the layout effect between them."""
    return {"reference_guide_psnr": reference.guide_psnr_guide_layout,
            "reference_script_guide_psnr": reference.guide_psnr_natural_clamped,
            "guide_layout_effect": reference.guide_layout_effect}


def measurement_row(session: AccuracySession, backend: str, image: str) -> dict:
    """Everything the results JSON holds for one image and backend."""
    outcome, reference = session.outcome(backend), session.reference
    return {
        **outcome.scores[image].as_dict(),
        **reference_columns(reference.scores[image]),
        "max_abs_vs_pytorch_natural": session.max_abs_vs_reference(backend, image, Layout.NATURAL),
        "max_abs_vs_pytorch_guide": session.max_abs_vs_reference(backend, image, Layout.GUIDE),
        "precision": outcome.info.precision,
        "versions": outcome.info.versions,
        "output_sha256": output_digest(outcome.natural[image]),
    }


def output_digest(output: np.ndarray) -> str:
    """The network's output bits (float32, C order): equal digests, identical outputs."""
    return hashlib.sha256(np.ascontiguousarray(output, dtype=np.float32).tobytes()).hexdigest()

