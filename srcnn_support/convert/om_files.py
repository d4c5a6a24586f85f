"""``--om``: the user's own .om files (the ones being released), gated instead of models built here."""
from __future__ import annotations

import re
from pathlib import Path

from srcnn_support.errors import SrcnnGateError


def given_om_models(values: list[str] | None) -> tuple[tuple[int, Path], ...]:
    """``--om`` values: ``B=PATH`` or a path whose name holds ``bs<B>`` (``srcnn_x2_bs16.om``); one per batch size."""
    models: dict[int, Path] = {}
    for value in values or ():
        batch, _, path = value.rpartition("=") if "=" in value else ("", "", value)
        if not batch:
            match = re.search(r"bs_?(\d+)", Path(path).stem)
            if not match:
                raise SrcnnGateError(path, "--om: batch size unknown (give B=PATH or name the file ..._bs<B>.om)")
            batch = match[1]
        if not batch.isdigit() or int(batch) < 1:
            raise SrcnnGateError(value, "--om: batch size must be a positive integer (B=PATH)")
        if not Path(path).is_file():
            raise SrcnnGateError(path, "--om: file not found")
        if int(batch) in models:
            raise SrcnnGateError(path, f"--om: a second model for batch {batch} (first: {models[int(batch)]})")
        models[int(batch)] = Path(path)
    return tuple(sorted(models.items()))
