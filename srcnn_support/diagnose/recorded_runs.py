"""Recorded runs made on purpose: the dump directory a device run would leave under one known mistake.

Used by the diagnosis tests and the diagnosis table (docs/diagnose.md). Outputs are computed by the
real pipeline (:mod:`srcnn_support.diagnose.hypotheses`), optionally through the fp16 arithmetic of an ``.om``,
and written as the guide's ``benchmark`` tool names them: ``<stem>_1.bin``, raw little-endian.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from srcnn_support.atomic import atomic_write_bytes
from srcnn_support.diagnose import hypotheses as hyp
from srcnn_support.errors import SrcnnGateError
from srcnn_support.model.network import SRCNN

MAKEABLE = tuple(hyp.FEEDS) + tuple(hyp.AFTER) + (hyp.DUMP_DTYPE_FLOAT16,)


def mistaken_dump(model: SRCNN, inputs: hyp.ImageInputs, cause: str, fp16: bool = False) -> np.ndarray:
    """The dump file's content (file order) under ``cause``; ``fp16`` runs the network as an fp16 ``.om``."""
    if cause not in MAKEABLE:
        raise SrcnnGateError(cause, f"cannot make a recorded run for this cause (makeable: {', '.join(MAKEABLE)})")
    plane = hyp.fed_plane(inputs, hyp.OK if cause == hyp.DUMP_DTYPE_FLOAT16 else cause)
    out = hyp.fp16_forward(model, plane) if fp16 else hyp.forward(model, [plane])[0]
    if cause in hyp.AFTER:
        out = hyp.AFTER[cause](out)
    dtype = "<f2" if cause == hyp.DUMP_DTYPE_FLOAT16 else "<f4"
    return np.ascontiguousarray(out).astype(dtype)


def write_recorded_run(dump_dir: Path, model: SRCNN, files: list[Path], cause: str, fp16: bool = False) -> list[Path]:
    written = []
    for source in files:
        inputs = hyp.image_inputs(source)
        path = Path(dump_dir) / f"{inputs.name}_1.bin"
        atomic_write_bytes(path, mistaken_dump(model, inputs, cause, fp16).tobytes())
        written.append(path)
    return written


def other_weights(model: SRCNN, photos: list[Path], steps: int = 30, learning_rate: float = 3e-4,
                  seed: int = 0) -> SRCNN:
    """A copy of ``model`` after a few real Adam steps on other photos: what an ``.om`` built from a
    different training run (another checkpoint, another recipe) holds."""
    import copy

    import torch

    from srcnn_support.prepare.imaging import crop_to_scale, degrade, load_rgb, network_input

    pairs = []
    for path in photos:
        hr = crop_to_scale(load_rgb(path))
        pairs.append((network_input(degrade(hr)), network_input(hr)))
    tuned = copy.deepcopy(model).train()
    optimizer = torch.optim.Adam(tuned.parameters(), lr=learning_rate)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        sources, targets = [], []
        for _ in range(16):
            source, target = pairs[rng.integers(len(pairs))]
            top, left = rng.integers(0, source.shape[0] - 48), rng.integers(0, source.shape[1] - 48)
            sources.append(source[top:top + 48, left:left + 48])
            targets.append(target[top:top + 48, left:left + 48])
        loss = torch.nn.functional.mse_loss(tuned(torch.from_numpy(np.stack(sources)[:, None])),
                                            torch.from_numpy(np.stack(targets)[:, None]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return tuned.eval()
