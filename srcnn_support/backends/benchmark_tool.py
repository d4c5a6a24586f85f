"""The guide's Ascend ``benchmark`` tool: finding it and its two runs, for inference and for throughput.

Dataset mode (``-model_type=vision``) reads the guide's ``.bin`` files through an info file and writes,
under ``<work>/result/``, one ``<stem>_1.bin`` per input in ``dumpOutput_device{D}/`` and the run's
figures in ``perf_vision_batchsize_{B}_device_{D}.txt``. Pure inference (``-round=N``) writes
``PureInfer_perf_of_{om stem}_in_device_{D}.txt``. The runner (``ascend.py``) reads the outputs, the
throughput measurement (``ascend_throughput.py``) the figures.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from srcnn_support.prepare.guide_files import Layout, format_info, read_dump_dir, write_bin
from srcnn_support.tools import job_timeout_s, run_tool

PURE_INFER_ROUNDS = 20  # the guide's ./benchmark -round=20


def find_benchmark_tool() -> str | None:
    return shutil.which("benchmark") or shutil.which("benchmark.x86_64") or shutil.which("benchmark.aarch64")


@dataclass(frozen=True)
class DatasetRun:
    work: Path
    stems: list[str]  # one per input plane, in order
    device: int
    batch_size: int
    wall_s: float  # the whole run, process start and file I/O included

    def outputs(self, height: int, width: int) -> np.ndarray:
        """The dumped outputs, N x 1 x H x W in the order of the inputs."""
        dumped = read_dump_dir(self.work / "result" / f"dumpOutput_device{self.device}", self.stems, height, width)
        return np.stack([dumped[stem] for stem in self.stems])[:, None]

    @property
    def perf_file(self) -> Path:
        return self.work / "result" / f"perf_vision_batchsize_{self.batch_size}_device_{self.device}.txt"


def dataset_run(tool: str, om: Path, batch_size: int, device: int, planes: list[np.ndarray], work: Path) -> DatasetRun:
    """The guide's dataset-mode command over ``planes`` (written as .bin files with their info file) in ``work``."""
    bins = []
    for i, plane in enumerate(planes):
        bins.append(work / "bin" / f"image{i:05d}.bin")
        write_bin(bins[-1], plane, Layout.NATURAL)
    height, width = planes[0].shape
    info = work / "prep_bin.info"
    info.write_text(format_info(bins, width, height))
    command = [tool, "-model_type=vision", f"-device_id={device}", f"-batch_size={batch_size}", f"-om_path={om}",
               f"-input_text_path={info}", f"-input_width={width}", f"-input_height={height}",
               "-output_binary=True", "-useDvpp=False"]
    started = time.perf_counter()
    run_tool(command, job_timeout_s(), cwd=work)
    return DatasetRun(work, [p.stem for p in bins], device, batch_size, time.perf_counter() - started)


def pure_infer_run(tool: str, om: Path, batch_size: int, device: int, work: Path) -> Path:
    """``-round`` runs without data in ``work``; the file the tool writes its figures to."""
    command = [tool, f"-round={PURE_INFER_ROUNDS}", f"-om_path={om}", f"-device_id={device}",
               f"-batch_size={batch_size}"]
    run_tool(command, job_timeout_s(), cwd=work)
    return work / "result" / f"PureInfer_perf_of_{om.stem}_in_device_{device}.txt"
