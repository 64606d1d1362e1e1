#!/usr/bin/python3
"""same_weights.py A.pt B.pt TOLERANCE: loads two model.pt files written by
opforge with PyTorch (no opforge code) and checks that every parameter agrees
to TOLERANCE relative to the largest entry of B's."""
import sys

import torch

a = dict(torch.jit.load(sys.argv[1]).named_parameters())
b = dict(torch.jit.load(sys.argv[2]).named_parameters())
tolerance = float(sys.argv[3])
assert a.keys() == b.keys(), sorted(a.keys() ^ b.keys())
worst = max(float((a[k] - b[k]).abs().max() / (b[k].abs().max() + 1e-30)) for k in a)
print(f"weights: {len(a)} tensors, largest relative difference {worst:.3g}")
sys.exit(0 if worst <= tolerance else 1)
