"""Throughput: the timing method, host and device facts, and the inference tools' own figures and logs."""
