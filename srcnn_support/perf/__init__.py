"""Throughput: the timing method, host facts, recorded tool logs and the tool's figure in the gated perf row."""
