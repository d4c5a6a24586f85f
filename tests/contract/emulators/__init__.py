"""Emulators of the Ascend tools (npu-smi, atc, benchmark) for contract tests; never on PATH in the gates."""
