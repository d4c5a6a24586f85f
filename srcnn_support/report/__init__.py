"""What a run leaves behind: the results JSON, the release report (markdown and HTML), the GPU run summary."""
