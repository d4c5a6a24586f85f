"""Where a port broke: every backend compared with PyTorch at each of SRCNN's layer boundaries
(conv1, relu1, conv2, relu2, conv3), in the terms of Ascend's ``msit debug compare`` and Polygraphy."""
