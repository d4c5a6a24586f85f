"""Name the porting mistake that explains a device run's outputs.

Every hypothesis of :mod:`srcnn_support.diagnose.hypotheses` is recomputed on the real pipeline and scored by
the PSNR (peak: the hypothesis's own range, at least 1) between the recorded dump and that hypothesis's
dump; the best one that reproduces
the dump within what an fp16 ``.om`` explains is the cause. Thresholds are measured, see docs/diagnose.md.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from srcnn_support.diagnose import hypotheses as hyp
from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import load_model
from srcnn_support.prepare.guide_files import read_dump_dir
from srcnn_support.prepare.imaging import CROP_SIZE
from srcnn_support.score.metrics import guide_psnr, psnr

# fp16 inference (hypotheses.fp16_forward) stays >= 74.7 dB from fp32 on Set5; the closest two distinct
# hypotheses (ok vs luma-constant) are <= 55.8 dB apart. A match needs 62 dB: 12 dB clear of fp16 noise.
MATCH_DB = 62.0
NEAR_TIE_DB = 3.0
# weights-differ: the dump's guide metric beats every gross preprocessing mistake's by this much.
PLAUSIBLE_MARGIN_DB = 3.0
GROSS = (hyp.LAYOUT_NOT_TRANSPOSED, hyp.OUTPUT_NOT_TRANSPOSED_BACK, hyp.BGR_ORDER, hyp.OPENCV_RESIZE,
         hyp.INPUT_NOT_NORMALISED)


@dataclass
class ImageExplanation:
    """How one hypothesis set explains one image (or all images pooled)."""

    image: str
    cause: str
    best: str
    best_psnr: float  # dump vs the best hypothesis's dump
    ok_psnr: float  # dump vs the guide's pipeline
    runner_up: str
    margin_db: float  # best_psnr minus the runner-up's
    guide_psnr: float  # the guide's metric on the dump (transposed back, unclamped)
    scores: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"{self.image}: {self.cause} (PSNR {_db(self.best_psnr)} vs {self.best}'s outputs, "
                f"{_db(self.ok_psnr)} vs the guide's pipeline; next {self.runner_up} "
                f"{_db(self.scores[self.runner_up])}, margin {_margin(self.margin_db)}; "
                f"guide metric {_db(self.guide_psnr)})")
        return text + "".join(f"; {note}" for note in self.notes)


@dataclass
class Diagnosis:
    cause: str
    dtype: str
    images: list[ImageExplanation]
    overall: ImageExplanation
    tried: list[str]

    def lines(self) -> list[str]:
        return [v.line() for v in self.images] + [self.overall.line(), f"cause: {self.cause}"]

    def summary(self) -> str:
        return (f"diagnosis: cause {self.cause} ({hyp.DESCRIPTIONS[self.cause]}); "
                f"{self.overall.line()}")

    def to_dict(self) -> dict:
        return _finite({"cause": self.cause, "description": hyp.DESCRIPTIONS[self.cause], "dtype": self.dtype,
                        "tried": self.tried, "overall": asdict(self.overall),
                        "images": [asdict(v) for v in self.images]})


def _db(value: float) -> str:
    return "exact" if value == math.inf else f"{value:.2f} dB"


def _margin(value: float) -> str:
    return "inf" if value == math.inf else f"{value:.2f} dB"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def read_recorded_dump(dump_dir: Path, stems: list[str], size: int = CROP_SIZE) -> tuple[dict[str, np.ndarray], str]:
    """The dump in file order; float16 files (half the size) are read as such so their content can be judged."""
    try:
        return read_dump_dir(dump_dir, stems, size, size), "float32"
    except SrcnnGateError:
        halves = _float16_dump(Path(dump_dir), stems, size)
        if halves is None:
            raise
        return halves, "float16"


def _float16_dump(dump_dir: Path, stems: list[str], size: int) -> dict[str, np.ndarray] | None:
    found = {}
    for stem in stems:
        files = sorted(dump_dir.glob(f"{stem}_[0-9]*.bin")) if dump_dir.is_dir() else []
        if len(files) != 1 or files[0].stat().st_size != size * size * 2:
            return None
        found[stem] = np.fromfile(files[0], dtype="<f2").astype(np.float32).reshape(size, size)
    return found


def _pooled_psnr(pairs: list[tuple[np.ndarray, np.ndarray]]) -> float:
    if not pairs:
        return math.nan
    expected = np.stack([b for _, b in pairs])
    # Relative to the hypothesis's own range, so fp16 rounding of an un-normalised (x255) run scores like any other.
    peak = max(1.0, float(np.max(np.abs(expected))))
    return psnr(np.stack([a for a, _ in pairs]), expected, peak=peak)


def judge(name: str, observed: list[np.ndarray], expected: list[dict[str, np.ndarray]],
          guide_inputs: list[np.ndarray]) -> ImageExplanation:
    """Score every hypothesis on the pooled images, then apply the clamp tiebreak and the fallbacks."""
    scores = {c: _pooled_psnr([(o, e[c]) for o, e in zip(observed, expected, strict=False)]) for c in hyp.RECOMPUTED}
    ranked = sorted(hyp.RECOMPUTED, key=lambda c: (-np.nan_to_num(scores[c], nan=-math.inf), hyp.RECOMPUTED.index(c)))
    best, runner_up = ranked[0], ranked[1]
    notes = [] if all(np.isfinite(o).all() for o in observed) else ["the outputs contain NaN or Inf"]
    margin = scores[best] - scores[runner_up]
    if {best, runner_up} == {hyp.OK, hyp.OUTPUT_CLAMPED}:
        best, runner_up, margin, note = _clamp_tiebreak(observed, expected, scores, ranked[2])
        notes.append(note)
    guide_value = _mean_guide_psnr(guide_inputs, observed)
    cause = best if scores[best] >= MATCH_DB else _no_match(scores, expected, guide_inputs, guide_value, notes)
    if cause == best and margin < NEAR_TIE_DB:
        notes.append(f"near-tie: {runner_up} is only {margin:.2f} dB behind")
    return ImageExplanation(name, cause, best, scores[best], scores[hyp.OK], runner_up, margin, guide_value, scores,
                            notes)


def _mean_guide_psnr(guide_inputs: list[np.ndarray], dumps: list[np.ndarray]) -> float:
    """The guide's metric as its post-processing computes it: transposed back, unclamped, mean over images."""
    return float(
        np.mean(
            [guide_psnr(x, np.ascontiguousarray(d.T), clamp=False) for x, d in zip(guide_inputs, dumps, strict=False)]
        )
    )


def _clamp_tiebreak(observed, expected, scores, third: str) -> tuple[str, str, float, str]:
    """ok and output-clamped differ only where the guide's output leaves [0, 1]: judge on those pixels."""
    masks = [(e[hyp.OK] < 0) | (e[hyp.OK] > 1) for e in expected]
    count = int(sum(m.sum() for m in masks))
    if count == 0:
        return hyp.OK, third, scores[hyp.OK] - scores[third], (
            "output-clamped cannot be told from ok here: no output of the guide's pipeline leaves [0, 1]")
    values = np.concatenate([o[m] for o, m in zip(observed, masks, strict=False)]).astype(np.float64)
    unclamped = np.concatenate([e[hyp.OK][m] for e, m in zip(expected, masks, strict=False)]).astype(np.float64)
    distance = {hyp.OK: float(np.mean((values - unclamped) ** 2)),
                hyp.OUTPUT_CLAMPED: float(np.mean((values - np.clip(unclamped, 0, 1)) ** 2))}
    best, other = sorted(distance, key=distance.get)
    margin = math.inf if distance[best] == 0 else 10 * math.log10(distance[other] / distance[best])
    return best, other, margin, (f"{best} vs {other} judged on the {count} pixel(s) where the guide's output "
                                 f"leaves [0, 1] (margin there)")


def _no_match(scores: dict[str, float], expected, guide_inputs, guide_value: float, notes: list[str]) -> str:
    """weights-differ when the dump is far nearer the guide's input (guide metric) than any gross mistake gets."""
    gross = {c: _mean_guide_psnr(guide_inputs, [e[c] for e in expected]) for c in GROSS}
    nearest_gross = max(gross, key=gross.get)
    if math.isfinite(guide_value) and guide_value >= gross[nearest_gross] + PLAUSIBLE_MARGIN_DB:
        notes.append(f"no hypothesis reaches {MATCH_DB:.0f} dB, but the guide metric of the outputs "
                     f"({guide_value:.2f} dB) "
                     f"beats every gross preprocessing mistake's (best {nearest_gross} {gross[nearest_gross]:.2f} dB) "
                     f"by {guide_value - gross[nearest_gross]:.2f} dB: the right input through other weights")
        return hyp.WEIGHTS_DIFFER
    tried = ", ".join(f"{c} {_db(scores[c])}" for c in hyp.RECOMPUTED)
    notes.append(f"no hypothesis reaches {MATCH_DB:.0f} dB (tried {tried}; fp16 dumps and other weights "
                 f"considered); guide metric {guide_value:.2f} dB vs {nearest_gross}'s {gross[nearest_gross]:.2f} dB")
    return hyp.UNKNOWN


def diagnose_outputs(observed: dict[str, np.ndarray], expected: dict[str, dict[str, np.ndarray]],
                     guide_inputs: dict[str, np.ndarray], dtype: str = "float32") -> Diagnosis:
    """``observed`` and ``expected`` in the dump's file order; ``guide_inputs`` natural, per image name."""
    names = list(observed)
    images = [judge(n, [observed[n]], [expected[n]], [guide_inputs[n]]) for n in names]
    overall = judge("overall", [observed[n] for n in names], [expected[n] for n in names],
                    [guide_inputs[n] for n in names])
    cause = overall.cause
    if dtype == "float16":
        overall.notes.append(f"content read as float16 is explained by: {overall.cause}")
        cause = hyp.DUMP_DTYPE_FLOAT16
    disagreeing = sorted({v.cause for v in images} - {overall.cause})
    if disagreeing:
        odd = [f"{v.image}: {v.cause}" for v in images if v.cause != overall.cause]
        overall.notes.append(f"images disagree: {', '.join(odd)}")
    tried = list(hyp.RECOMPUTED) + [hyp.DUMP_DTYPE_FLOAT16, hyp.WEIGHTS_DIFFER]
    return Diagnosis(cause, dtype, images, overall, tried)


def hypotheses_for(weights: Path, files: list[Path]) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    model = load_model(weights)
    expected, inputs = {}, {}
    for path in files:
        image = hyp.image_inputs(path)
        expected[image.name] = hyp.expected_dumps(model, image)
        inputs[image.name] = image.guide
    return expected, inputs


def diagnose_dump_dir(dump_dir: Path, files: list[Path], weights: Path) -> Diagnosis:
    stems = [Path(f).stem for f in files]
    observed, dtype = read_recorded_dump(Path(dump_dir), stems)
    expected, inputs = hypotheses_for(weights, files)
    return diagnose_outputs(observed, expected, inputs, dtype)
