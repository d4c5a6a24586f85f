#!/usr/bin/env python3
"""EMULATOR of ``nvidia-smi``'s query interface, for contract tests only: it sees no GPU.

Answers ``nvidia-smi --query-gpu=name[,...] --format=csv,noheader [-i N]`` the way the real tool
does (one CSV line per GPU, fields in the order asked, ``Tesla T4`` being how a T4 names itself,
e.g. in the guide's environment table and NVIDIA's T4 documentation) and ``nvidia-smi -L``
(``GPU 0: Tesla T4 (UUID: GPU-...)``). ``NVIDIA_SMI_EMULATOR_GPUS`` lists the emulated GPU names,
comma separated (default ``Tesla T4``).
"""
import sys

FIELDS = {"name": lambda i, n: n, "index": lambda i, n: str(i), "driver_version": lambda i, n: "535.104.05",
          "memory.total": lambda i, n: "15360 MiB", "uuid": lambda i, n: f"GPU-00000000-0000-0000-0000-00000000000{i}"}


def main(argv):
    import os

    gpus = [g.strip() for g in os.environ.get("NVIDIA_SMI_EMULATOR_GPUS", "Tesla T4").split(",") if g.strip()]
    options = dict(a.split("=", 1) if "=" in a else (a, "") for a in argv)
    if "-i" in argv:
        wanted = int(argv[argv.index("-i") + 1])
        if wanted >= len(gpus):
            print("No devices were found" if not gpus else "Invalid device index", file=sys.stderr)
            return 6
        indexed = [(wanted, gpus[wanted])]
    else:
        indexed = list(enumerate(gpus))
    if "-L" in argv:
        for i, name in indexed:
            print(f"GPU {i}: {name} (UUID: {FIELDS['uuid'](i, name)})")
        return 0
    if "--query-gpu" in options:
        fields = options["--query-gpu"].split(",")
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            print(f'Field "{unknown[0]}" is not a valid field to query.', file=sys.stderr)
            return 2
        for i, name in indexed:
            print(", ".join(FIELDS[f](i, name) for f in fields))
        return 0
    print("NVIDIA-SMI emulator: only --query-gpu and -L are emulated", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
