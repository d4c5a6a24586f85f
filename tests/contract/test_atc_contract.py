"""ATC's command-line contract, exercised against a clearly named emulator (it converts nothing)."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from srcnn_support.cache import ArtifactCache
from srcnn_support.convert import artifacts
from srcnn_support.convert.atc import record_path
from srcnn_support.model.network import SRCNN
from srcnn_support.npu_smi import parse_npu_smi_info, soc_version
from tests.conftest import EMULATORS
from tests.contract.emulators.install import install_ascend_emulators

EMULATOR = EMULATORS / "atc_emulator.py"

pytestmark = pytest.mark.contract


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
    for name, value in install_ascend_emulators(tmp_path / "emulated", cann_version="7.0.0.5.242").items():
        monkeypatch.setenv(name, value)
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    cache = ArtifactCache(tmp_path / "cache")
    for batch in (1, 16):
        onnx_path = artifacts.onnx_model(cache, tmp_path / "w.pth", batch)
        om = artifacts.om_model(cache, onnx_path, batch, "Ascend310", "allow_fp32_to_fp16")
        with zipfile.ZipFile(om) as container:
            flags = json.loads(container.read("atc_flags.json"))
            assert container.read("model.onnx") == onnx_path.read_bytes()
        assert flags["--input_shape"] == f"input.1:{batch},1,256,256"
        assert flags["--framework"] == "5" and flags["--soc_version"] == "Ascend310"
        assert flags["--precision_mode"] == "allow_fp32_to_fp16"
        record = json.loads(record_path(om).read_text())
        assert record["precision_mode"] == "allow_fp32_to_fp16" and record["batch_size"] == batch
        assert record["atc_version"] == "7.0.0.5.242"  # from compiler/version.info, not 'atc --version'
        assert record["atc_version_source"].endswith("compiler/version.info")
    again = artifacts.om_model(cache, onnx_path, 16, "Ascend310", "allow_fp32_to_fp16")
    assert again == om and cache.stats.reused[-1].startswith("om/")
    (Path(os.environ["ASCEND_HOME_PATH"]) / "compiler" / "version.info").write_text("Version=8.0.0.1\n")
    upgraded = artifacts.om_model(cache, onnx_path, 16, "Ascend310", "allow_fp32_to_fp16")
    assert upgraded != om and cache.stats.built[-1].startswith("om/")  # a CANN upgrade rebuilds the .om


def test_atc_version_flag_prints_no_version(tmp_path):
    printed = subprocess.run([sys.executable, str(EMULATOR), "--version"], capture_output=True, text=True, timeout=60)
    assert printed.stdout.strip() == "atc.bin"  # what gflags-based ATC builds print


def test_cli_convert_keeps_one_record_per_om_and_nothing_from_a_failed_run(tmp_path, monkeypatch, capsys):
    from srcnn_support.cli.main import main

    for name, value in install_ascend_emulators(tmp_path / "emulated").items():
        monkeypatch.setenv(name, value)
    torch.save(SRCNN().state_dict(), tmp_path / "w.pth")
    assert main(["export", "--pth", str(tmp_path / "w.pth"), "--onnx", str(tmp_path / "m.onnx")]) == 0
    out = tmp_path / "om"
    assert main(["convert", "--model", str(tmp_path / "m.onnx"), "--output", str(out / "srcnn_x2"),
                 "--batch-sizes", "1", "16", "--soc_version", "Ascend310"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["srcnn_x2_bs1.atc.json", "srcnn_x2_bs1.om",
                                                     "srcnn_x2_bs16.atc.json", "srcnn_x2_bs16.om"]
    assert [json.loads((out / f"srcnn_x2_bs{b}.atc.json").read_text())["batch_size"] for b in (1, 16)] == [1, 16]
    assert f"--output={out / 'srcnn_x2_bs16'}" in json.loads((out / "srcnn_x2_bs16.atc.json").read_text())["command"]
    capsys.readouterr()
    failed = tmp_path / "failed"
    status = main(["convert", "--model", str(tmp_path / "missing.onnx"), "--output", str(failed / "srcnn_x2"),
                   "--batch-sizes", "1", "--soc_version", "Ascend310"])
    err = capsys.readouterr().err
    assert status == 2 and "missing.onnx: ATC failed" in err and len(err.strip().splitlines()) == 1
    assert list(failed.iterdir()) == []  # no .om, no record, no ATC work folder
