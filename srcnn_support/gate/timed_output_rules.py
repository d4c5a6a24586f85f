"""The two compliance checks of a timed run (``perf/timed_outputs.py``), each a ``CheckRecord``.

``outputs_while_timed``: outputs kept from inside the timed loop equal the live reference's outputs for the same
inputs under the backend's own rule: max-abs 1e-4 for an fp32 backend, the guide PSNR within 1% of the
reference's for a reduced-precision one. ``repeated_vs_distinct_inputs``: a loop repeating one input may not be
more than 10% faster than one over distinct inputs; decided on the lower end of the ratio's 95% interval, so
noise alone does not fail it.
"""
from __future__ import annotations

import numpy as np

from srcnn_support.gate.accuracy_rules import MAX_ABS_TOLERANCE, RELATIVE_TOLERANCE
from srcnn_support.gate.verdicts import CheckRecord
from srcnn_support.perf.method import InterleavedRatio
from srcnn_support.score.evaluate import max_abs_difference, relative_deviation
from srcnn_support.score.metrics import guide_psnr

MAX_REPEAT_SPEEDUP = 1.10


def outputs_while_timed_check(subject: str, target: str, batch_size: int, samples: list[tuple[int, np.ndarray]],
                              inputs: np.ndarray, references: np.ndarray, rule: str) -> CheckRecord:
    """``samples``: (call number, output) from the timed loop; ``inputs`` and ``references``: the batch it was fed
    and the reference's output for each of its planes (N x 1 x H x W)."""
    record = dict(backend=subject, image=None, check="outputs_while_timed", batch_size=batch_size, target=target)
    if not samples:
        return CheckRecord(**record, passed=None, reason="no output was kept from the timed loop")
    worst, worst_call = 0.0, samples[0][0]
    for call, output in samples:
        if rule == "max_abs":
            value = max_abs_difference(output, references)
        else:
            value = max(relative_deviation(guide_psnr(inputs[i, 0], output[i, 0], clamp=False),
                                           guide_psnr(inputs[i, 0], references[i, 0], clamp=False))
                        for i in range(len(inputs)))
        if not value <= worst:
            worst, worst_call = value, call
    limit = MAX_ABS_TOLERANCE if rule == "max_abs" else RELATIVE_TOLERANCE
    what = f"max-abs {MAX_ABS_TOLERANCE:g} to" if rule == "max_abs" else "guide PSNR within 1% of"
    tolerance = f"timed outputs {what} reference ({len(samples)} sampled)"
    passed = worst <= limit
    shown = f"max-abs {worst:.3g}" if rule == "max_abs" else f"guide PSNR {worst:.2%} off"
    message = (f"{subject}/bs{batch_size}: the output of timed call {worst_call} is not what the accuracy path "
               f"computes for the same input ({shown}; allowed {limit:g}): the figure timed something else")
    return CheckRecord(**record, passed=passed, measured=worst, reference=limit, tolerance=tolerance,
                       reason=None if passed else message, explanation="" if passed else message)


def repeated_vs_distinct_check(subject: str, target: str, batch_size: int, ratio: InterleavedRatio) -> CheckRecord:
    interval = ratio.speedup_interval()
    low = interval[0] if interval else ratio.speedup
    passed = low <= MAX_REPEAT_SPEEDUP
    shown = f"{ratio.speedup:.3f}" + (f" (95% interval {interval[0]:.3f}-{interval[1]:.3f})" if interval else "")
    message = (f"{subject}/bs{batch_size}: one input repeated runs {shown} x as fast as distinct inputs, more than "
               f"{MAX_REPEAT_SPEEDUP:g} x: the runner answers repeated inputs from a cache")
    return CheckRecord(subject, None, "repeated_vs_distinct_inputs", passed, ratio.speedup, MAX_REPEAT_SPEEDUP,
                       f"repeated input <= {MAX_REPEAT_SPEEDUP:g} x distinct inputs",
                       None if passed else message, "" if passed else message, batch_size=batch_size, target=target)
