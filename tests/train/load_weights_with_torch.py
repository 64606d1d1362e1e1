#!/usr/bin/python3
"""Loads model.pt written by opforge with PyTorch in Python (no opforge code)
and checks the documented parameter names and shapes (docs/models.md)."""
import sys

import torch

model = torch.jit.load(sys.argv[1])
weights = dict(model.named_parameters())
width, cin = weights["lift.weight"].shape
assert cin == 1 + 2, cin  # one input channel plus (x, y)
assert weights["spectral0.weights1"].shape[-1] == 2  # real and imaginary parts
spectral = torch.view_as_complex(weights["spectral0.weights1"].contiguous())
assert spectral.shape[:2] == (width, width)
expected = {"lift.weight", "lift.bias", "project1.weight", "project1.bias", "project2.weight", "project2.bias"}
for layer in range(4):
    expected |= {f"spectral{layer}.weights1", f"spectral{layer}.weights2", f"skip{layer}.weight", f"skip{layer}.bias"}
assert set(weights) == expected, sorted(set(weights) ^ expected)
count = sum(p.numel() for p in weights.values())
print(f"torch: loaded {len(weights)} tensors, {count} parameters")
