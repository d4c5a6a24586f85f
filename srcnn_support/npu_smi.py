"""``npu-smi info``, read by columns: the one place the suite asks the Ascend driver what is installed.

The table is two rows per chip (formats quoted in Ascend/ModelZoo-PyTorch ACL_PyTorch READMEs and
in the npu-smi 21.0.3.1 sample of a public parser)::

    | NPU     Name      | Health          | Power(W)     Temp(C)           Hugepages-Usage(page) |
    | Chip    Device    | Bus-Id          | AICore(%)    Memory-Usage(MB)                        |
    +===================+=================+======================================================+
    | 0       310P3     | OK              | 15.8         42                0    / 0              |
    | 0       0         | 0000:82:00.0    | 0            1074 / 21534                            |

The first row names the NPU (card) and its chip; the second gives the chip and logical device id.
Only the first column is read for names, so a 910B memory cell such as ``2310 / 65536`` is never a chip.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

from srcnn_support.tools import query_tool

_NAME_ROW = re.compile(r"^\|\s*(?P<npu>\d+)\s+(?P<name>[A-Za-z0-9_]{3,})\s*\|\s*(?P<health>[A-Za-z]+)\s*\|")
_CHIP_ROW = re.compile(r"^\|\s*(?P<chip>\d+)\s+(?P<device>\d+|-)\s*\|\s*(?P<bus>[0-9A-Fa-f]{4}:[0-9A-Fa-f:.]+|NA)\s*\|")

# Chips on one card of the product that carries each chip (Atlas 300I model 3000: four Ascend 310;
# Atlas 300I Pro / 300V Pro: one 310P). A table listing more chips under one NPU id wins (300I Duo).
CHIPS_PER_CARD = {"310": 4, "310P": 1}


@dataclass(frozen=True)
class NpuChip:
    npu_id: int
    chip_id: int
    name: str
    device_id: int | None
    health: str


def parse_npu_smi_info(text: str) -> list[NpuChip]:
    """Chips in table order; the process table that newer drivers append below is not read."""
    chips: list[NpuChip] = []
    pending: tuple[int, str, str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if "Process id" in line or "Process name" in line:
            break
        if pending is None:
            name = _NAME_ROW.match(line)
            if name:
                pending = (int(name["npu"]), name["name"], name["health"])
            continue
        chip = _CHIP_ROW.match(line)
        if chip:
            device = None if chip["device"] == "-" else int(chip["device"])
            chips.append(NpuChip(pending[0], int(chip["chip"]), pending[1], device, pending[2]))
            pending = None
    return chips


def soc_version(chip: NpuChip) -> str:
    """ATC's ``--soc_version`` for a chip: ``310P3`` -> ``Ascend310P3``."""
    return chip.name if chip.name.startswith("Ascend") else f"Ascend{chip.name}"


def chip_family(name: str) -> str:
    """``310P3`` -> ``310P``, ``310`` -> ``310``, ``910B2C`` -> ``910B``."""
    match = re.match(r"(?:Ascend)?(\d+)([A-Za-z]?)", name)
    return f"{match[1]}{match[2].upper()}" if match else name


def chips_per_card(chips: list[NpuChip]) -> int:
    """Chips on one card of the detected product, from the product and from what the table lists."""
    if not chips:
        return 1
    listed = max(sum(1 for c in chips if c.npu_id == npu) for npu in {c.npu_id for c in chips})
    return max(CHIPS_PER_CARD.get(chip_family(chips[0].name), 1), listed)


def npu_smi_info() -> str | None:
    """The table text, or None when npu-smi is absent, fails, crashes or hangs."""
    tool = shutil.which("npu-smi")
    return query_tool([tool, "info"]) if tool else None


def detected_chips() -> list[NpuChip]:
    text = npu_smi_info()
    return parse_npu_smi_info(text) if text else []


def describe_chips(chips: list[NpuChip]) -> str | None:
    """One line for the report: e.g. ``4 x 310 (NPU 1 chips 0-3, devices 0-3), 4 chip(s) per card``."""
    if not chips:
        return None
    names = ", ".join(sorted({c.name for c in chips}))
    devices = ",".join(str(c.device_id) for c in chips if c.device_id is not None)
    return f"{len(chips)} x {names} (devices {devices or 'unknown'}), {chips_per_card(chips)} chip(s) per card"
