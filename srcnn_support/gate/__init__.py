"""The release decisions: the suite's configuration, perf targets, thresholds and the release verdict."""
