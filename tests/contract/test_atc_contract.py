"""ATC's command-line contract, exercised against a clearly named emulator (it converts nothing)."""
import json
import os
import sys
from pathlib import Path

import pytest
import torch

from srcnn_support import artifacts
from srcnn_support.npu_smi import parse_npu_smi_info, soc_version
from srcnn_support.cache import ArtifactCache
from srcnn_support.model import SRCNN

pytestmark = pytest.mark.contract

EMULATOR = Path(__file__).parent / "emulators" / "atc_emulator.py"

NPU_SMI = """
+--------------------------------------------------------------------------------------------+
| npu-smi 22.0.0                       Version: 22.0.2                                       |
+-------------------+-----------------+------------------------------------------------------+
| NPU     Name      | Health          | Power(W)     Temp(C)           Hugepages-Usage(page) |
| Chip    Device    | Bus-Id          | AICore(%)    Memory-Usage(MB)                        |
+===================+=================+======================================================+
| 0       310P3     | OK              | 17.0         56                0    / 0              |
| 0       0         | 0000:AF:00.0    | 0            934  / 23054                            |
+===================+=================+======================================================+
"""


def test_chip_name_from_npu_smi():
    assert [soc_version(chip) for chip in parse_npu_smi_info(NPU_SMI)] == ["Ascend310P3"]
    assert parse_npu_smi_info("no table here") == []


def test_one_om_per_batch_size_with_the_precision_recorded(tmp_path, monkeypatch):
    launcher = tmp_path / "bin" / "atc"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{EMULATOR}" "$@"\n')
    launcher.chmod(0o755)
    monkeypatch.setenv("PATH", f"{launcher.parent}{os.pathsep}{os.environ['PATH']}")
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    cache = ArtifactCache(tmp_path / "cache")
    for batch in (1, 16):
        onnx_path = artifacts.onnx_model(cache, tmp_path / "w.pth", batch)
        om = artifacts.om_model(cache, onnx_path, batch, "Ascend310", "allow_fp32_to_fp16")
        flags = json.loads(om.read_text())
        assert flags["--input_shape"] == f"input.1:{batch},1,256,256"
        assert flags["--framework"] == "5" and flags["--soc_version"] == "Ascend310"
        assert flags["--precision_mode"] == "allow_fp32_to_fp16"
        record = json.loads((om.parent / "atc.json").read_text())
        assert record["precision_mode"] == "allow_fp32_to_fp16" and record["batch_size"] == batch
        assert "emulator" in record["atc_version"]
    again = artifacts.om_model(cache, onnx_path, 16, "Ascend310", "allow_fp32_to_fp16")
    assert again == om and cache.stats.reused[-1].startswith("om/")
