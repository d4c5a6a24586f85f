"""The release decisions: configuration, perf targets, and every pass/fail rule as a ``CheckRecord``.

``verdicts`` (the object and the 1% rule), ``accuracy_rules``, ``perf_rules`` (throughput, bare
runtime, INT8 speed-up, the one per-card rule), ``recorded_perf`` (gating a device run's files),
``gpu_gate`` and ``release_verdict`` (the RELEASE PASS/FAIL line). Tests, the CLI and the report
all read these, so a threshold is compared in one place.
"""
