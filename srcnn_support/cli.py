"""``python -m srcnn_support``: the guide's scripts as subcommands, with their flags."""
from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import SrcnnGateError


def _cmd_train(args: argparse.Namespace) -> int:
    from .train import TrainConfig, train

    config = TrainConfig(
        data_dir=args.data, steps=args.steps, batch_size=args.batch_size, patch_size=args.patch_size,
        learning_rate=args.lr, seed=args.seed, validate_every=args.validate_every, threads=args.threads,
    )
    checkpoint = Path(args.checkpoint) if args.checkpoint else Path(args.out).with_suffix(".ckpt")
    result = train(config, Path(args.out), checkpoint, max_minutes=args.max_minutes,
                   log=lambda line: print(line, flush=True))
    return 0 if result["finished"] else 3


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
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--validate-every", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-minutes", type=float, help="stop (resumably) after this long")
    p.set_defaults(handler=_cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SrcnnGateError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
