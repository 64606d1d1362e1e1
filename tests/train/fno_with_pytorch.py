#!/usr/bin/python3
"""fno_with_pytorch.py MODEL.pt PREDICTIONS.h5 MODES PADDING TOLERANCE

An independent check of opforge's 2-D FNO: the weights of MODEL.pt (loaded
with torch.jit.load, no opforge code) drive a plain PyTorch FNO written here
as in the reference code (Li et al.: grid channels, lift, zero padding,
rfft2 spectral layers with the low and high frequencies of the first axis,
pointwise skips, GELU, crop, projection). It runs on the inputs stored in
PREDICTIONS.h5 (opforge evaluate --predictions, trained with
data.normalize: false) and must reproduce opforge's predictions there."""
import sys

import h5py
import torch
import torch.nn.functional as F

model_path, predictions_path = sys.argv[1], sys.argv[2]
modes, padding, tolerance = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
weights = {name: p.detach().double() for name, p in torch.jit.load(model_path).named_parameters()}
layers = len([n for n in weights if n.startswith("spectral") and n.endswith(".weights1")])


def pointwise(name, h):
    """nn.Linear over the channel axis 1 of [B, C, x, y]."""
    return torch.einsum("bcxy,oc->boxy", h, weights[name + ".weight"]) + weights[name + ".bias"][None, :, None, None]


def spectral(layer, h):
    batch, width, n1, n2 = h.shape
    spectrum = torch.fft.rfft2(h)
    mixed = torch.zeros(batch, width, n1, n2 // 2 + 1, dtype=spectrum.dtype)
    low = torch.view_as_complex(weights[f"spectral{layer}.weights1"].contiguous())
    high = torch.view_as_complex(weights[f"spectral{layer}.weights2"].contiguous())
    mixed[:, :, :modes, :modes] = torch.einsum("bixy,ioxy->boxy", spectrum[:, :, :modes, :modes], low)
    mixed[:, :, -modes:, :modes] = torch.einsum("bixy,ioxy->boxy", spectrum[:, :, -modes:, :modes], high)
    return torch.fft.irfft2(mixed, s=(n1, n2))


def fno(x):
    batch, _, s1, s2 = x.shape
    grid = torch.stack(torch.meshgrid(torch.linspace(0, 1, s1, dtype=x.dtype),
                                      torch.linspace(0, 1, s2, dtype=x.dtype), indexing="ij"))
    h = pointwise("lift", torch.cat([x, grid.expand(batch, 2, s1, s2)], dim=1))
    h = F.pad(h, [0, padding, 0, padding])
    for layer in range(layers):
        if layer > 0:
            h = F.gelu(h)
        h = spectral(layer, h) + pointwise(f"skip{layer}", h)
    h = h[..., :s1, :s2]
    return pointwise("project2", F.gelu(pointwise("project1", h)))


with h5py.File(predictions_path, "r") as f:
    inputs = torch.from_numpy(f["input"][:]).double()
    predictions = torch.from_numpy(f["output"][:]).double()
reference = fno(inputs)
error = ((reference - predictions).flatten(1).norm(dim=1) / predictions.flatten(1).norm(dim=1)).max().item()
print(f"pytorch fno: {layers} layers on {len(inputs)} inputs {tuple(inputs.shape[2:])}, "
      f"largest relative difference to opforge {error:.3g}")
sys.exit(0 if error <= tolerance else 1)
