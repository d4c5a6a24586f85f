"""Guide step 2: PyTorch -> ONNX export with the guide's input and output names; ONNX Runtime session options."""
