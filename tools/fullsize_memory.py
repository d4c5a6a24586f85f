"""Benchmark: time and peak RSS of the full-size protocol on one big synthetic photo, per backend.

    PYTHONPATH=. python tools/fullsize_memory.py [--megapixels 24] [backend ...]

Each backend runs in a fresh process, so its peak resident memory (getrusage) is its own. The photo is
smooth noise upscaled to 6000 x 4000 (24 MP), made in a temporary folder and removed afterwards.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def measure(backend: str, photo: Path, cache_dir: Path) -> dict:
    from srcnn_support.backends.factory import RunnerOptions, make_runner
    from srcnn_support.cache import ArtifactCache
    from srcnn_support.gate.config import DEFAULT_WEIGHTS
    from srcnn_support.prepare.datasets import calibration_search
    from srcnn_support.score.fullsize import evaluate_files

    calibration_dir, _ = calibration_search(None, None, None)  # onnxruntime-int8: the data root's train/
    options = RunnerOptions(calibration_dir=calibration_dir)
    runner = make_runner(backend, ArtifactCache(cache_dir), DEFAULT_WEIGHTS, batch_size=1, options=options).runner
    start = time.perf_counter()
    with runner:
        (score,) = evaluate_files(runner, [photo])
    return {"backend": backend, "size": f"{score.width}x{score.height}", "psnr": round(score.psnr, 4),
            "ssim": round(score.ssim, 5), "seconds": round(time.perf_counter() - start, 1),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backends", nargs="*", default=["onnxruntime", "pytorch"])
    parser.add_argument("--megapixels", type=float, default=24.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]), Path(args.child[2]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        width = int(round((args.megapixels * 1e6 * 1.5) ** 0.5 / 2)) * 2
        height = int(round(width / 1.5 / 2)) * 2
        rng = np.random.default_rng(0)
        small = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
        photo = Path(tmp) / f"photo_{width}x{height}.png"
        Image.fromarray(small).resize((width, height), Image.BICUBIC).save(photo)
        for backend in args.backends:
            out = subprocess.run([sys.executable, __file__, "--child", backend, str(photo), str(Path(tmp) / "cache")],
                                 capture_output=True, text=True, check=False)
            print(out.stdout.strip() or f"{backend}: failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)


if __name__ == "__main__":
    main()
