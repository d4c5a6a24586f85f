"""Tiled inference's peak memory, measured in a fresh process so that this one's allocations do not count."""
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PEAK_RSS = """
import sys, numpy as np, torch
from srcnn_support.model.network import SRCNN
from srcnn_support.backends.pytorch import PyTorchRunner
from srcnn_support.backends.tiling import tiled_inference


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024


torch.set_num_threads(1)
plane = np.random.default_rng(0).random((int(sys.argv[2]), int(sys.argv[2])), dtype=np.float32)
with PyTorchRunner(SRCNN()) as runner:
    runner.infer(plane[None, None, :64, :64])  # load kernels and thread pools before the baseline
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # reset the peak-RSS mark (VmHWM) to the current RSS
    before = status("VmRSS")
    tiled = sys.argv[1] == "tiled"
    out = tiled_inference(runner.infer, plane, batch_size=1) if tiled else runner.infer(plane[None, None])
    print(status("VmHWM") - before)
"""


@pytest.mark.slow
def test_tiled_memory_does_not_grow_with_the_image():
    def growth_mb(mode: str, side: int) -> float:
        result = subprocess.run([sys.executable, "-c", PEAK_RSS, mode, str(side)], capture_output=True, text=True,
                                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        if result.returncode != 0:
            pytest.skip(f"cannot measure peak memory here: {result.stderr.strip().splitlines()[-1:]}")
        return float(result.stdout.strip())

    whole = growth_mb("whole", 1024)  # 64 channels x 1024^2 x 4 bytes = 256 MiB for conv1's output alone
    small, large = growth_mb("tiled", 512), growth_mb("tiled", 1024)
    assert large < 150 and large < whole / 3, (small, large, whole)
    assert large - small < 40, (small, large, whole)  # 4x the pixels, about the same peak: only the output plane grows
