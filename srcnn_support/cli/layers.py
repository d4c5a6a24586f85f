"""``compare-layers``: where a port broke, layer by layer (conv1, relu1, conv2, relu2, conv3), against PyTorch.

Live for the ONNX Runtime backends and TensorRT (when installed); from a record for the hardware that is not here:
msit's ``result_*.csv`` (no backend is run) or a pair of operator dump folders. Exit 0 when the final output is
within the thresholds (clean or single-point), 1 when the error carries to the output (global), 2 on bad input.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from srcnn_support.errors import SrcnnGateError
from srcnn_support.layers.live import LIVE_BACKENDS, MAX_IMAGES


def _cmd_compare_layers(args: argparse.Namespace) -> int:
    from srcnn_support.cache import ArtifactCache
    from srcnn_support.gate.config import DEFAULT_WEIGHTS

    started = time.perf_counter()
    if args.msit_csv and (args.golden_dump or args.my_dump):
        raise SrcnnGateError(None, "give --msit-csv or --golden-dump/--my-dump, not both")
    if bool(args.golden_dump) != bool(args.my_dump):
        raise SrcnnGateError(None, "--golden-dump and --my-dump go together: the reference's dumps and the device's")
    cache = ArtifactCache(Path(args.artifacts_dir) / "cache")
    weights = Path(args.weights or DEFAULT_WEIGHTS)
    onnx = Path(args.onnx) if args.onnx else None
    if args.msit_csv:
        comparisons = [_from_msit_csv(Path(args.msit_csv), cache, weights, onnx, args.precision)]
    elif args.golden_dump:
        from srcnn_support.layers.dumps import compare_dump_folders

        comparisons = [compare_dump_folders(Path(args.golden_dump), Path(args.my_dump),
                                            _node_layers(cache, weights, onnx), args.precision)]
    else:
        comparisons = _live(args, cache, weights, onnx)
    for comparison in comparisons:
        for line in comparison.lines():
            print(line)
    elapsed = time.perf_counter() - started
    _write_json(args.json, {"comparisons": [c.to_dict() for c in comparisons], "seconds": round(elapsed, 3)})
    return 1 if any(c.classification == "global" for c in comparisons) else 0


def _live(args: argparse.Namespace, cache, weights: Path, onnx: Path | None) -> list:
    from srcnn_support.convert.artifacts import prepared_images
    from srcnn_support.layers.live import backend_model, compare_live, reference_layers
    from srcnn_support.prepare.datasets import calibration_search, resolve_dataset

    dataset = resolve_dataset(args.dataset_dir)
    images = prepared_images(cache, list(dataset.files))
    calibration, _ = calibration_search(args.calibration_dir, None, dataset.directory)
    compared = f"the first {MAX_IMAGES} of " if len(images) > MAX_IMAGES else ""
    print(f"compare-layers: {compared}{len(images)} images of {dataset.description}, against pytorch on {weights}")
    reference = reference_layers(weights, images)
    return [compare_live(backend, backend_model(backend, cache, weights, onnx, calibration), images, reference,
                         args.threads, cache, args.device) for backend in args.backend or [next(iter(LIVE_BACKENDS))]]


def _node_layers(cache, weights: Path, onnx: Path | None) -> dict[str, str]:
    """The golden model's node names -> layers: the ONNX model msit was given (``--onnx``, else the export)."""
    import onnx as onnx_lib

    from srcnn_support.convert.artifacts import given_onnx, onnx_model
    from srcnn_support.layers.capture import node_layers

    path = given_onnx(onnx) if onnx is not None else onnx_model(cache, weights, None)
    return node_layers(onnx_lib.load(str(path)), path)


def _from_msit_csv(path: Path, cache, weights: Path, onnx: Path | None, precision: str):
    from srcnn_support.layers.msit_csv import read_msit_csv

    return read_msit_csv(path, _node_layers(cache, weights, onnx), precision)


def _write_json(path: str | None, document: dict) -> None:
    if path:
        import json

        from srcnn_support.atomic import atomic_write_text

        atomic_write_text(Path(path), json.dumps(document, indent=2) + "\n")


def add_layer_commands(sub) -> None:
    p = sub.add_parser("compare-layers", help="where a port broke: each layer against PyTorch, in msit's terms")
    p.add_argument("--backend", action="append", choices=list(LIVE_BACKENDS),
                   help="a live backend (repeatable; default onnxruntime)")
    p.add_argument("--onnx", help="the ONNX model being released (default: exported from --weights); with "
                                  "--msit-csv or dumps, the golden model msit was given")
    p.add_argument("--weights", help="the reference weights (default: the project's own)")
    p.add_argument("--dataset-dir", help="the images to compare on (default: the bundled sample photos)")
    p.add_argument("--calibration-dir", help="INT8 calibration images (default: train/ beside the dataset)")
    p.add_argument("--msit-csv", metavar="FILE", help="msit debug compare's result_{timestamp}.csv; no backend is run")
    p.add_argument("--golden-dump", metavar="DIR", help="the reference's operator dumps (one .npy per operator)")
    p.add_argument("--my-dump", metavar="DIR", help="the device's operator dumps, converted to .npy")
    p.add_argument("--precision", default="fp16", choices=["fp32", "fp16", "int8"],
                   help="how a recorded .om was built (ATC's default fp16); fp32 tightens RED to 1e-4")
    p.add_argument("--threads", type=int, help="ONNX Runtime intra-op threads (default: all cores)")
    p.add_argument("--device", type=int, default=0, help="the GPU for --backend tensorrt")
    p.add_argument("--artifacts-dir", default=".srcnn-artifacts")
    p.add_argument("--json", help="also write the tables as JSON")
    p.set_defaults(handler=_cmd_compare_layers)
