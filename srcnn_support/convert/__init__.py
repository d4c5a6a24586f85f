"""Guide step 3, conversion:
every cached builder of a deployable artifact (ATC .om, INT8 quantization, TensorRT engines),
the users' own .om files, and the artifact cache keys of the derived files.
"""
