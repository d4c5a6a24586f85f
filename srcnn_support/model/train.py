"""Training the project's own SRCNN x2 weights on ``shared/data/train`` only.

Recipe: ground-truth Y patches, inputs made by the spec's PIL bicubic down/up x2 of the whole RGB
image, the eight flips/rotations as augmentation, MSE loss, Adam with a cosine learning-rate decay.
Every random choice comes from one seeded generator whose state is checkpointed, so an interrupted
run resumed from its checkpoint continues the same sequence of batches.
"""
from __future__ import annotations

import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from srcnn_support.atomic import atomic_write_text, atomic_write_via
from srcnn_support.model.network import SRCNN, save_state_dict_atomic
from srcnn_support.prepare.imaging import crop_to_scale, degrade, list_images, load_rgb, network_input, psnr

VALIDATION_EVERY_NTH_IMAGE = 10
VALIDATION_CROP = 384


@dataclass(frozen=True)
class TrainConfig:
    data_dir: str
    steps: int = 60_000
    batch_size: int = 32
    patch_size: int = 48
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-5
    warmup_steps: int = 500
    seed: int = 0
    validate_every: int = 1000
    threads: int = 2
    init_weights: str | None = None  # start from these weights (a second, fine-tuning stage)
    init_sha256: str | None = None


@dataclass
class TrainingPair:
    name: str
    target: np.ndarray  # ground-truth Y / 255, float32
    source: np.ndarray  # bicubic down/up Y / 255, float32


def load_pairs(data_dir: str | Path) -> list[TrainingPair]:
    pairs = []
    for path in list_images(data_dir):
        hr = crop_to_scale(load_rgb(path))
        pairs.append(TrainingPair(path.name, network_input(hr), network_input(degrade(hr))))
    return pairs


def split_pairs(pairs: list[TrainingPair]) -> tuple[list[TrainingPair], list[TrainingPair]]:
    """Hold out every tenth image (in name order) for validation; the rest trains."""
    validation = [p for i, p in enumerate(pairs) if i % VALIDATION_EVERY_NTH_IMAGE == 0]
    training = [p for i, p in enumerate(pairs) if i % VALIDATION_EVERY_NTH_IMAGE != 0]
    return training, validation


def learning_rate_at(step: int, config: TrainConfig) -> float:
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    return config.final_learning_rate + (config.learning_rate - config.final_learning_rate) * cosine


def sample_batch(
    pairs: list[TrainingPair], weights: np.ndarray, config: TrainConfig, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    size = config.patch_size
    sources = np.empty((config.batch_size, 1, size, size), np.float32)
    targets = np.empty_like(sources)
    for i, index in enumerate(rng.choice(len(pairs), size=config.batch_size, p=weights)):
        pair = pairs[index]
        height, width = pair.target.shape
        top = int(rng.integers(0, height - size + 1))
        left = int(rng.integers(0, width - size + 1))
        rotation, flip = int(rng.integers(0, 4)), bool(rng.integers(0, 2))
        for out, plane in ((sources, pair.source), (targets, pair.target)):
            patch = np.rot90(plane[top : top + size, left : left + size], rotation)
            out[i, 0] = patch[:, ::-1] if flip else patch
    return torch.from_numpy(sources), torch.from_numpy(targets)


def validate(model: SRCNN, pairs: list[TrainingPair]) -> float:
    """Mean PSNR (Y/255, 2-pixel shave) over centre crops of the held-out training images."""
    model.eval()
    scores = []
    with torch.no_grad():
        for pair in pairs:
            height, width = pair.target.shape
            top = max(0, (height - VALIDATION_CROP) // 2)
            left = max(0, (width - VALIDATION_CROP) // 2)
            window = (slice(top, top + VALIDATION_CROP), slice(left, left + VALIDATION_CROP))
            source = torch.from_numpy(np.ascontiguousarray(pair.source[window]))[None, None]
            output = model(source).clamp(0.0, 1.0)[0, 0].numpy()
            scores.append(psnr(output[2:-2, 2:-2], pair.target[window][2:-2, 2:-2], peak=1.0))
    model.train()
    return float(np.mean(scores))


def _save_checkpoint(path: Path, model, optimizer, step: int, rng, history, config: TrainConfig) -> None:
    payload = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "step": step,
        "rng": json.dumps(rng.bit_generator.state),
        "history": json.dumps(history),
        "config": json.dumps(asdict(config)),
    }
    atomic_write_via(path, lambda tmp: torch.save(payload, tmp))


def train(config: TrainConfig, output: Path, checkpoint: Path, max_minutes: float | None = None,
          log=print) -> dict:
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    pairs = load_pairs(config.data_dir)
    training, validation = split_pairs(pairs)
    areas = np.array([p.target.size for p in training], dtype=np.float64)
    weights = areas / areas.sum()
    log(f"training on {len(training)} images ({int(areas.sum())} pixels), validating on {len(validation)}")

    model = SRCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    rng = np.random.default_rng(config.seed)
    step, history = 0, {"validation": [], "elapsed_s": 0.0}
    if checkpoint.exists():
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
        if json.loads(saved["config"]) != asdict(config):
            raise SystemExit(f"{checkpoint}: checkpoint was made with another configuration; "
                             "use the same flags or another --checkpoint")
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        rng.bit_generator.state = json.loads(saved["rng"])
        step, history = int(saved["step"]), json.loads(saved["history"])
        log(f"resumed from {checkpoint} at step {step}")
    elif config.init_weights:
        from srcnn_support.model.network import read_state_dict

        model.load_state_dict(read_state_dict(config.init_weights))
        log(f"starting from {config.init_weights} (sha256 {config.init_sha256})")

    started, elapsed_before = time.monotonic(), float(history["elapsed_s"])
    running_loss, loss_count = 0.0, 0
    model.train()
    while step < config.steps:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, config)
        sources, targets = sample_batch(training, weights, config, rng)
        loss = torch.nn.functional.mse_loss(model(sources), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        running_loss += float(loss.detach())
        loss_count += 1
        finished = step == config.steps
        out_of_time = max_minutes is not None and time.monotonic() - started > max_minutes * 60
        if step % config.validate_every == 0 or finished or out_of_time:
            history["elapsed_s"] = elapsed_before + time.monotonic() - started
            score = validate(model, validation)
            history["validation"].append({"step": step, "loss": running_loss / loss_count, "psnr": score})
            log(f"step {step}/{config.steps}  loss {running_loss / loss_count:.6f}  "
                f"lr {learning_rate_at(step - 1, config):.2e}  val PSNR {score:.3f} dB  "
                f"{history['elapsed_s'] / 60:.1f} min")
            running_loss, loss_count = 0.0, 0
            _save_checkpoint(checkpoint, model, optimizer, step, rng, history, config)
            if out_of_time and not finished:
                log(f"stopped after {max_minutes} min; rerun the same command to resume")
                return {"finished": False, "step": step}
    save_state_dict_atomic(model.state_dict(), output)
    summary = {
        "finished": True,
        "step": step,
        "config": asdict(config),
        "wall_time_s": history["elapsed_s"],
        "final_validation_psnr": history["validation"][-1]["psnr"] if history["validation"] else None,
        "validation": history["validation"],
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__,
                     "platform": platform.platform()},
    }
    atomic_write_text(output.with_suffix(".train.json"), json.dumps(summary, indent=2) + "\n")
    log(f"wrote {output}")
    return summary
