"""``evaluate``: both metrics per image for one backend, on the gate's crops or on full-size images."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from srcnn_support.backends.factory import make_runner
from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.errors import SrcnnGateError
from srcnn_support.gate.accuracy_rules import RuleInputs, apply_rules
from srcnn_support.gate.config import PUBLISHED_TABLE
from srcnn_support.model.network import identify_weights
from srcnn_support.prepare.guide_files import Layout
from srcnn_support.prepare.imaging import list_images
from srcnn_support.report.results import ResultsRecorder
from srcnn_support.score.accuracy import PublishedTable
from srcnn_support.score.evaluate import mean, run_images, score_image
from srcnn_support.score.fullsize import evaluate_full_size
from srcnn_support.score.fullsize import summary as full_size_summary


def evaluate(weights: Path, dataset_dir: Path, backend: str | None, protocol: str, artifacts_dir: Path, log,
             check: bool = False) -> dict:
    if backend is None:  # the live reference on the crops; full size on the fastest backend equal to it
        from srcnn_support.backends.registry import fastest_exact_backend

        backend = fastest_exact_backend() if protocol == "full" else "pytorch"
    identity = identify_weights(weights)
    cache = ArtifactCache(artifacts_dir / "cache")
    runner = make_runner(backend, cache, weights, batch_size=1).runner
    document = {"weights": str(weights), "weights_md5": identity.md5, "weights_sha256": identity.sha256,
                "dataset": str(dataset_dir), "backend": backend, "protocol": protocol}
    with runner:
        if protocol == "full":
            scores = evaluate_full_size(runner, dataset_dir)
            log(f"{'image':<12} {'size':>9} {'PSNR':>8} {'SSIM':>7} {'bicubic':>8} {'SSIM':>7}")
            for s in scores:
                log(
                    f"{s.image:<12} {s.width:>4}x{s.height:<4} {s.psnr:8.3f} {s.ssim:7.4f} "
                    f"{s.bicubic_psnr:8.3f} {s.bicubic_ssim:7.4f}"
                )
            rows = [asdict(s) for s in scores]
            summary = full_size_summary(scores)
            log(f"{'mean':<12} {'':>9} {summary['psnr']:8.3f} {summary['ssim']:7.4f} "
                f"{summary['bicubic_psnr']:8.3f} {summary['bicubic_ssim']:7.4f}")
        else:
            images = artifacts.prepared_images(cache, list_images(dataset_dir))
            natural = run_images(runner, images, Layout.NATURAL)
            guide = run_images(runner, images, Layout.GUIDE)
            scores = [score_image(img, natural[img.name], guide[img.name]) for img in images]
            log(f"{'image':<12} {'guide(ref)':>10} {'guide(.bin)':>11} {'PSNR':>8} {'SSIM':>7} {'bicubic':>8}")
            for s in scores:
                log(f"{s.image:<12} {s.guide_psnr_natural_clamped:10.2f} {s.guide_psnr_guide_layout:11.2f} "
                    f"{s.standard_psnr:8.3f} {s.standard_ssim:7.4f} {s.bicubic_psnr:8.3f}")
            rows = [s.as_dict() for s in scores]
            summary = {
                k: mean(r[k] for r in rows)
                for k in (
                    "guide_psnr_natural_clamped",
                    "guide_psnr_guide_layout",
                    "standard_psnr",
                    "standard_ssim",
                    "bicubic_psnr",
                )
            }
            log(
                f"{'mean':<12} {summary['guide_psnr_natural_clamped']:10.2f} "
                f"{summary['guide_psnr_guide_layout']:11.2f} "
                f"{summary['standard_psnr']:8.3f} {summary['standard_ssim']:7.4f} {summary['bicubic_psnr']:8.3f}"
            )
    document.update({"images": rows, "mean": summary})
    if check:
        if protocol != "guide":
            raise SrcnnGateError(protocol, "--check applies the gate's rules to the guide protocol only")
        recorder = ResultsRecorder()
        for verdict in gate_checks(backend, scores, _reference_scores(cache, weights, images),
                                   _published_for(identity)):
            recorder.record(verdict)
            log(f"{verdict.outcome.upper()} {verdict.image or 'mean'}/{backend}: {verdict.check}: "
                f"{verdict.measured:.4f} vs {verdict.reference:.4f} ({verdict.tolerance})"
                + (f": {verdict.reason}" if verdict.passed is None else ""))
        checked = recorder.document()
        document.update({"verdicts": checked["verdicts"], "checks": checked["checks"], "release": checked["release"]})
        log(document["release"]["headline"])
    return document


def _reference_scores(cache: ArtifactCache, weights: Path, images) -> dict:
    """The live PyTorch reference, as the accuracy gate computes it."""
    with make_runner("pytorch", cache, weights, batch_size=1).runner as reference:
        natural = run_images(reference, images, Layout.NATURAL)
        guide = run_images(reference, images, Layout.GUIDE)
    return {img.name: score_image(img, natural[img.name], guide[img.name]) for img in images}


def gate_checks(backend: str, scores, reference: dict, published: dict | None = None) -> list:
    """The accuracy gate's rule list (``ACCURACY_RULES``), as the live and recorded gates apply it."""
    return apply_rules(RuleInputs(backend, {s.image: s for s in scores}, reference, published))


def _published_for(identity) -> dict | None:
    table = PublishedTable.load(PUBLISHED_TABLE)
    return table.reference_script if identity.md5 == table.weights_md5 else None
