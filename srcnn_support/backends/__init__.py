"""Guide step 4, inference:
runners that run what they are given (after Polygraphy's runners), and building one by name; the tools they
drive (the Ascend ``benchmark`` tool, trtexec runs), the figures those tools print and the Ascend throughput figure.
"""
