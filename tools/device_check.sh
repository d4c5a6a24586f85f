#!/usr/bin/env bash
# The GPU accuracy and perf gates from a checkout, on the machine's own Python (no pip install).
#
#   bash tools/device_check.sh            # results under $OUT if set, else .srcnn-artifacts/device-check
#
# Needs only torch (CUDA build), onnx, onnxruntime, scikit-image, numpy, pillow, pytest,
# pytest-benchmark (filelock and matplotlib are optional). The suite's pytest plugin is
# loaded with -p because a checkout has no pytest11 entry point. Runs:
#   0. the runner's own GPU checks (graph vs eager vs PyTorch fp32, staged replay, CUDA events);
#   1. target 'cuda': GPU accuracy (torch-cuda-fp16 / -tf32 against PyTorch fp32 on the CPU; 256x256
#      crops and full-size images) and the CUDA-event perf gate (compute images/s vs the T4's
#      1163.108; end-to-end recorded);
#   2. target 'hopper' (H100/H200): the same perf measurement, recorded (no thresholds measured yet);
#   3. the summary the note needs (python -m srcnn_support.report.gpu_summary).
# Each step has a time limit: 20 + 40 + 130 + 65 + 15 s, 295 s at most with the kill grace, so the
# whole script stays under 5 minutes. Without a GPU every test skips naming what is missing, exit 0.
set -u -o pipefail

cd "$(dirname "$0")/.." || exit 2
PY="${PYTHON:-$(command -v python3 || command -v python)}"
RESULTS="${OUT:-.srcnn-artifacts/device-check}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/srcnn-device-check.XXXXXX")" || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS" || exit 2
export PYTHONPATH=".${PYTHONPATH:+:$PYTHONPATH}"
PYTEST=("$PY" -m pytest -p srcnn_support.pytest_plugin -p no:cacheprovider -q -rs --benchmark-disable)
status=0

echo "== environment =="
timeout 20 "$PY" -c 'import sys, torch, onnxruntime; print("python", sys.version.split()[0], "| torch", torch.__version__,
"| CUDA", torch.version.cuda, "| cuDNN", torch.backends.cudnn.version(), "| onnxruntime", onnxruntime.__version__);
print("GPUs:", [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else "none visible to torch")' \
    || status=1

run_target() {  # name, time limit (s), pytest selection...
    local target="$1" limit="$2"
    shift 2
    mkdir -p "$RESULTS/$target"
    echo "== target $target (limit ${limit}s) =="
    timeout --kill-after=10 "$limit" "${PYTEST[@]}" "$@" --target "$target" --artifacts-dir "$WORK/$target" \
        --results-json "$RESULTS/$target/results.json" --junitxml "$RESULTS/$target/junit.xml"
    local rc=$?
    # 5: every selected test needs hardware this machine lacks; the RELEASE line says UNDECIDED and why
    [ "$rc" -eq 0 ] || [ "$rc" -eq 5 ] || { echo "target $target: pytest exited $rc"; status=1; }
    for part in "$WORK/$target"/report.md "$WORK/$target"/report.html "$WORK/$target"/*.json; do
        [ -f "$part" ] && cp "$part" "$RESULTS/$target/"
    done
    return 0
}

echo "== runner self-check (limit 40s) =="
timeout --kill-after=5 40 "${PYTEST[@]}" tests/unit/backends/test_torch_cuda_runner.py tests/unit/perf/test_gpu_timing.py \
    tests/unit/gate/test_gpu_gate.py \
    --junitxml "$RESULTS/runner-junit.xml" || { echo "runner self-check failed"; status=1; }

run_target cuda 130 tests/gates/test_accuracy.py tests/gates/test_full_size.py tests/gates/test_perf.py \
    -m "accuracy or perf" -k "torch-cuda or test_throughput or test_recorded_backend_throughput"
run_target hopper 65 tests/gates/test_perf.py -m perf

echo "== summary =="
timeout 15 "$PY" -m srcnn_support.report.gpu_summary "$RESULTS/cuda/results.json" "$RESULTS/hopper/results.json" \
    | tee "$RESULTS/summary.txt" || status=1
echo "results: $RESULTS"
exit "$status"
