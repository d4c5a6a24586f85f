#!/usr/bin/env python3
"""EMULATOR of ``npu-smi info``, for contract tests only: prints the driver's table for a chosen product.

``$SRCNN_EMULATOR_NPU_CHIP`` picks it: ``310`` (default) prints an Atlas 300I card, four chips under
one NPU id, in the npu-smi 21.0.3.1 layout; ``310P3`` one Atlas 300I Pro card in the 22.x layout
quoted by Ascend/ModelZoo-PyTorch ACL_PyTorch READMEs ("npu-smi info ... 回显如下").
"""
import os
import sys

SEP_310 = "+-------------------+-----------------+----------------------------------------+"
SEP_310P = "+===================+=================+======================================================+"


def table_310() -> list[str]:
    lines = ["+------------------------------------------------------------------------------+",
             "| npu-smi 21.0.3.1                     Version: 21.0.3.1                       |", SEP_310,
             "| NPU     Name      | Health          | Power(W)          Temp(C)              |",
             "| Chip    Device    | Bus-Id          | AICore(%)         Memory-Usage(MB)     |",
             SEP_310.replace("-", "=")]
    for chip in range(4):
        lines += [
            "| 1       310       | OK              | 12.8              49                   |",
            f"| {chip}       {chip}         | 0000:0{chip + 1}:00.0    | 0                 2621 / 8192          |",
            SEP_310,
        ]
    return lines


def table_310p(name: str) -> list[str]:
    return ["+--------------------------------------------------------------------------------------------+",
            "| npu-smi 22.0.0                       Version: 22.0.2                                       |",
            "+-------------------+-----------------+------------------------------------------------------+",
            "| NPU     Name      | Health          | Power(W)     Temp(C)           Hugepages-Usage(page) |",
            "| Chip    Device    | Bus-Id          | AICore(%)    Memory-Usage(MB)                        |",
            SEP_310P,
            f"| 0       {name:<10}| OK              | 15.8         42                0    / 0              |",
            "| 0       0         | 0000:82:00.0    | 0            1074 / 21534                            |",
            SEP_310P]


def main(argv):
    if argv[:1] != ["info"]:
        print("npu-smi emulator: only 'npu-smi info' is emulated", file=sys.stderr)
        return 1
    chip = os.environ.get("SRCNN_EMULATOR_NPU_CHIP", "310")
    print("\n".join(table_310() if chip == "310" else table_310p(chip)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
