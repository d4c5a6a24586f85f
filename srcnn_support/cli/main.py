"""``python -m srcnn_support``: the guide's scripts as subcommands, with their flags."""
from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from srcnn_support.backends.registry import names
from srcnn_support.cli.layers import add_layer_commands
from srcnn_support.cli.release import add_release_commands
from srcnn_support.convert.atc import DEFAULT_PRECISION_MODE
from srcnn_support.errors import SrcnnGateError


def _cmd_train(args: argparse.Namespace) -> int:
    from srcnn_support.model.network import identify_weights
    from srcnn_support.model.train import TrainConfig, train

    config = TrainConfig(
        data_dir=args.data, steps=args.steps, batch_size=args.batch_size, patch_size=args.patch_size,
        learning_rate=args.lr, final_learning_rate=args.final_lr, warmup_steps=args.warmup_steps, seed=args.seed,
        validate_every=args.validate_every, threads=args.threads, init_weights=args.init,
        init_sha256=identify_weights(args.init).sha256 if args.init else None,
    )
    checkpoint = Path(args.checkpoint) if args.checkpoint else Path(args.out).with_suffix(".ckpt")
    result = train(config, Path(args.out), checkpoint, max_minutes=args.max_minutes,
                   log=lambda line: print(line, flush=True))
    return 0 if result["finished"] else 3


def _cmd_preprocess(args: argparse.Namespace) -> int:
    from srcnn_support.prepare.imaging import list_images
    from srcnn_support.prepare.prep import prepare_image

    files = list_images(args.s)
    destination = Path(args.d)
    for source in files:
        prepare_image(source, destination)
        print(f"{source.name} -> {destination}/png/{source.stem}_256.png, {destination}/bin/{source.stem}.bin")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from srcnn_support.prepare.guide_files import write_info

    if args.file_type != "bin":
        raise SrcnnGateError(args.file_type, "only the 'bin' info type is produced for SRCNN")
    entries = write_info(Path(args.bin_dir), Path(args.info), args.width, args.height)
    print(f"wrote {args.info} ({len(entries)} entries)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from srcnn_support.export.onnx_export import export_onnx
    from srcnn_support.model.network import load_model

    batch = None if args.batch_size == 0 else args.batch_size
    export_onnx(load_model(args.pth), Path(args.onnx), batch)
    print(f"wrote {args.onnx} ({'dynamic batch' if batch is None else f'batch {batch}'})")
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from srcnn_support.convert.atc import AtcRequest, atc_command, convert, require_soc_version

    soc = require_soc_version(args.soc_version)
    output = Path(args.output)
    for batch in args.batch_sizes:
        request = AtcRequest(str(Path(args.model).resolve()), str(output.parent.resolve() / f"{output.name}_bs{batch}"),
                             batch, soc, args.precision_mode)
        if args.dry_run:
            print(" ".join(atc_command(request)))
            continue
        om = convert(request, output.parent.resolve())
        print(f"wrote {om}")
    return 0


def _cmd_postprocess(args: argparse.Namespace) -> int:
    from srcnn_support.score.postprocess import postprocess

    rows = postprocess(Path(args.res), Path(args.png_src), Path(args.bin_src), Path(args.save))
    for name, value in rows:
        print(f"{name}_256.png PSNR: {value:.2f}")
    print(f"total PSNR: {sum(v for _, v in rows) / len(rows):.2f}")
    return 0


def _write_json(path: str | None, document: dict) -> None:
    """``--json OUT``: written whole or not at all."""
    if path:
        import json

        from srcnn_support.atomic import atomic_write_text

        atomic_write_text(Path(path), json.dumps(document, indent=2) + "\n")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from srcnn_support.cli.evaluate import evaluate

    document = evaluate(Path(args.weights), Path(args.dataset_dir), args.backend, args.protocol,
                        Path(args.artifacts_dir), print, check=args.check)
    _write_json(args.json, document)
    return 1 if (document.get("release") or {}).get("status") == "FAIL" else 0


def _cmd_diagnose(args: argparse.Namespace) -> int:
    from srcnn_support.diagnose.explain import diagnose_dump_dir
    from srcnn_support.gate.config import DEFAULT_WEIGHTS
    from srcnn_support.prepare.imaging import list_images

    diagnosis = diagnose_dump_dir(
        Path(args.dump_dir), list_images(args.dataset_dir), Path(args.weights or DEFAULT_WEIGHTS)
    )
    for line in diagnosis.lines():
        print(line)
    _write_json(args.json, diagnosis.to_dict())
    return 0


def _cmd_gate_perf(args: argparse.Namespace) -> int:
    from srcnn_support.cli.gate_perf import gate_perf

    status, document = gate_perf(args.target, args.perf_log, print, baseline=args.baseline,
                                 require_baseline=args.require_baseline)
    _write_json(args.json, document)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m srcnn_support", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train SRCNN x2 weights on a training image folder")
    p.add_argument("--data", required=True, help="training images (never Set5/Set14/BSD68)")
    p.add_argument("--out", required=True, help="weights file to write (plain state dict)")
    p.add_argument("--checkpoint", help="resumable checkpoint (default: OUT with .ckpt)")
    p.add_argument("--steps", type=int, default=15_000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--patch-size", type=int, default=48)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (cosine decay after warm-up)")
    p.add_argument("--final-lr", type=float, default=1e-5)
    p.add_argument("--warmup-steps", type=int, default=500)
    p.add_argument("--init", help="start from these weights instead of a random init (fine-tuning stage)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--validate-every", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-minutes", type=float, help="stop (resumably) after this long")
    p.set_defaults(handler=_cmd_train)

    p = sub.add_parser("preprocess", help="srcnn_preprocess.py: <name>_256.png and guide-layout .bin files")
    p.add_argument("-s", required=True, metavar="SRC", help="folder of HR images")
    p.add_argument("-d", required=True, metavar="DST", help="output folder (png/, bin/, bin_natural/, bicubic/)")
    p.set_defaults(handler=_cmd_preprocess)

    p = sub.add_parser("info", help="get_info.py: the benchmark tool's info file")
    p.add_argument("file_type", choices=["bin"])
    p.add_argument("bin_dir")
    p.add_argument("info")
    p.add_argument("width", type=int)
    p.add_argument("height", type=int)
    p.set_defaults(handler=_cmd_info)

    p = sub.add_parser("export", help="srcnn_pth2onnx.py: weights -> ONNX (input 'input.1')")
    p.add_argument("--pth", required=True)
    p.add_argument("--onnx", required=True)
    p.add_argument("--batch-size", type=int, default=1, help="fixed batch for ATC; 0 = dynamic batch")
    p.set_defaults(handler=_cmd_export)

    p = sub.add_parser("convert", help="ATC: ONNX -> .om, one per batch size")
    p.add_argument("--model", required=True, help="ONNX file exported with a fixed batch")
    p.add_argument("--output", required=True, help="output stem; '_bs<N>' is appended")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1])
    p.add_argument("--soc_version", "--soc-version", dest="soc_version", help="default: from 'npu-smi info'")
    p.add_argument("--precision_mode", "--precision-mode", dest="precision_mode",
                   default=DEFAULT_PRECISION_MODE)
    p.add_argument("--dry-run", action="store_true", help="print the ATC commands only")
    p.set_defaults(handler=_cmd_convert)

    p = sub.add_parser("postprocess", help="srcnn_postprocess.py: dump directory -> PSNR and PNGs")
    p.add_argument("--res", required=True, help="the tool's dump directory (e.g. result/dumpOutput_device0)")
    p.add_argument("--png_src", required=True, help="folder of <name>_256.png")
    p.add_argument("--bin_src", required=True, help="folder of the guide-layout .bin inputs")
    p.add_argument("--save", required=True, help="folder for the super-resolved PNGs")
    p.set_defaults(handler=_cmd_postprocess)

    p = sub.add_parser("evaluate", help="both metrics per image for one backend")
    p.add_argument("--weights", required=True)
    p.add_argument("--dataset-dir", required=True)
    fp32_backends = names(equals_pytorch=True)  # the exact ones, which need nothing beyond this package
    p.add_argument("--backend", default=None, choices=fp32_backends,
                   help="default: pytorch (the live reference) with --protocol guide; with --protocol full the "
                        "fastest exact backend installed (openvino, else onnxruntime, else pytorch)")
    p.add_argument("--protocol", default="guide", choices=["guide", "full"],
                   help="guide: the 256x256 crops of the gate; full: full-size images (SR benchmark protocol)")
    p.add_argument("--artifacts-dir", default=".srcnn-artifacts")
    p.add_argument("--json", help="also write the results as JSON")
    p.add_argument("--check", action="store_true",
                   help="also apply the accuracy gate's rules against the live PyTorch reference (exit 1 on FAIL)")
    p.set_defaults(handler=_cmd_evaluate)

    p = sub.add_parser("diagnose", help="name the porting mistake that explains a device run's outputs")
    p.add_argument("--dump-dir", required=True, help="the tool's dump directory (<name>_1.bin, 256x256, .bin layout)")
    p.add_argument("--dataset-dir", required=True, help="the HR images the run's inputs were made from (e.g. Set5)")
    p.add_argument("--weights", help="the weights the .om should hold (default: the project's own)")
    p.add_argument("--json", help="also write the diagnosis as JSON (top-level 'cause')")
    p.set_defaults(handler=_cmd_diagnose)

    p = sub.add_parser("gate-perf", help="gate a recorded device run's perf files (no device needed here)")
    p.add_argument("--target", required=True, help="a target of fixtures/targets.json, e.g. ascend310 or t4")
    p.add_argument("--perf-log", action="append", required=True, metavar="FILE",
                   help="a file the tool wrote (benchmark perf_vision/PureInfer, ais_bench summary, trtexec log); "
                        "repeat for more devices or batch sizes")
    p.add_argument("--json", help="also write the rows, checks and headline as JSON")
    p.add_argument("--baseline", metavar="STORE", help="also hold each row to the last accepted release in STORE")
    p.add_argument("--require-baseline", action="store_true", help="fail when STORE is missing, empty or unreadable")
    p.set_defaults(handler=_cmd_gate_perf)
    add_release_commands(sub)
    add_layer_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (SrcnnGateError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno not in DISK_ERRORS:
            raise
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc if isinstance(exc, SrcnnGateError) else disk_error(exc)}", file=sys.stderr)
        return 2


DISK_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT}  # a full, read-only or forbidden place


def disk_error(exc: OSError) -> SrcnnGateError:
    """``<path>: No space left on device (ENOSPC)``: the path the system names, or the file being written."""
    return SrcnnGateError(exc.filename, f"{exc.strerror or os.strerror(exc.errno)} ({errno.errorcode[exc.errno]})")
